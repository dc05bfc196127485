package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"path/filepath"
	"sort"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
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

// StatusUnchanged is the Status of a journey whose current version was
// published from the very same bundle: publishing it again does nothing.
const StatusUnchanged = "unchanged"

// Publish checks, compiles and publishes journey files (all of the
// journeys folder's when none are given), by the name by. Each becomes a
// new version of its state machine with the alias moved to it, as the
// publish function does on AWS, unless its current version holds the same
// bundle (journey, schema and segments): then it is left as it is
// (Status unchanged), so a restarted dev server adds no versions.
func (s *System) Publish(ctx context.Context, by string, files ...string) ([]publish.Result, error) {
	if len(files) == 0 {
		var err error
		if files, err = JourneyFiles(s.cfg.Root); err != nil {
			return nil, err
		}
	}
	var out []publish.Result
	for _, f := range files {
		res, err := s.publishFile(ctx, by, f, nil)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

// PublishMachine publishes a journey file with a given machine instead of
// the one compiled from it today: a definition as `journeys compile`
// writes it, compiled by an earlier release (publish.Request.Machine).
// It always makes a new version. Contract tests run released machines on
// today's functions this way.
func (s *System) PublishMachine(ctx context.Context, by, file string, machine []byte) (publish.Result, error) {
	if len(machine) == 0 {
		return publish.Result{}, fmt.Errorf("publish %s: no machine given", file)
	}
	return s.publishFile(ctx, by, file, machine)
}

// publishFile publishes one journey file, with the given machine or (nil)
// the one compiled from it, which is left alone when unchanged.
func (s *System) publishFile(ctx context.Context, by, file string, machine []byte) (publish.Result, error) {
	checked, probs := journey.ReadJourney(file, s.Library)
	if len(probs) > 0 {
		return publish.Result{}, fmt.Errorf("publish %s: %w", file, probs)
	}
	b, err := journey.NewBundle(checked, s.Library)
	if err != nil {
		return publish.Result{}, err
	}
	if machine == nil {
		if cur, ok, err := s.unchanged(ctx, checked.Journey, b); err != nil || ok {
			return cur, err
		}
	}
	res, err := s.Publisher.Publish(ctx, publish.Request{Bundle: b, By: by, Machine: machine})
	if err != nil {
		return res, fmt.Errorf("publish %s: %w", file, err)
	}
	return res, nil
}

// unchanged reports whether the journey's current version holds bundle b.
func (s *System) unchanged(ctx context.Context, j *journey.Journey, b journey.Bundle) (publish.Result, bool, error) {
	rec, err := s.Store.GetJourney(ctx, j.BusinessUnit, j.ID)
	if errors.Is(err, store.ErrNotFound) || err == nil && rec.Current == 0 {
		return publish.Result{}, false, nil
	}
	if err != nil {
		return publish.Result{}, false, err
	}
	v, err := s.Store.GetVersion(ctx, j.BusinessUnit, j.ID, rec.Current)
	if err != nil {
		return publish.Result{}, false, err
	}
	raw, err := b.Marshal()
	if err != nil || !bytes.Equal(raw, v.Source) {
		return publish.Result{}, false, err
	}
	return publish.Result{BU: j.BusinessUnit, Journey: j.ID, Version: v.Version, Status: StatusUnchanged,
		VersionArn: v.StateMachineVersion}, true, nil
}
