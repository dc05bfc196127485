package local

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"path/filepath"
	"sort"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// newFlowPoster is the approval requests' client: any https host (a real
// flow) and plain http on loopback (the local flow), signed by the
// approval service itself.
func newFlowPoster(now func() time.Time, log *slog.Logger) (*webhook.Client, error) {
	return webhook.NewClient(webhook.ClientOptions{
		Policy: &webhook.Policy{
			AnyHost: true, HTTPHosts: []string{"127.0.0.1", "localhost", "::1"},
			AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		},
		Unsigned: true, Timeout: 10 * time.Second, MaxAttempts: 3, Now: now, Logger: log,
	})
}

// JourneyFiles lists the journey files of a journeys folder, sorted.
func JourneyFiles(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, "*"+journey.SuffixJourney))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

// Publish checks, compiles and publishes journey files (all of the
// journeys folder's when none are given), by the name by. Each becomes a
// new version of its state machine with the alias moved to it, as the
// publish function does on AWS.
func (s *System) Publish(ctx context.Context, by string, files ...string) ([]publish.Result, error) {
	if len(files) == 0 {
		var err error
		if files, err = JourneyFiles(s.cfg.Root); err != nil {
			return nil, err
		}
	}
	var out []publish.Result
	for _, f := range files {
		checked, probs := journey.ReadJourney(f, s.Library)
		if len(probs) > 0 {
			return out, fmt.Errorf("publish %s: %w", f, probs)
		}
		b, err := journey.NewBundle(checked, s.Library)
		if err != nil {
			return out, err
		}
		res, err := s.Publisher.Publish(ctx, publish.Request{Bundle: b, By: by})
		if err != nil {
			return out, fmt.Errorf("publish %s: %w", f, err)
		}
		out = append(out, res)
	}
	return out, nil
}
