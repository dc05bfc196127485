package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// newFlowPosters returns the approval posters of the business units that
// use the local flow at flowURL: per unit, built once, a webhook client
// under the unit's outbound allow-list, as on AWS (approval.FromSettings).
// Only the dev configuration adds to it, and only loopback: when flowURL is
// on loopback (the dev server's built-in flow, or a flow it was told to use
// on this machine), its host may be called, over plain http too, at its
// loopback address. Any other flow host must be in the unit's allow-list.
// The clients are Unsigned: the approval service signs itself.
func newFlowPosters(src approval.SettingsSource, flowURL string, opts webhook.ClientOptions) func(context.Context, string) (approval.Poster, error) {
	var mu sync.Mutex
	posters := map[string]approval.Poster{}
	return func(_ context.Context, bu string) (approval.Poster, error) {
		mu.Lock()
		defer mu.Unlock()
		if p, ok := posters[bu]; ok {
			return p, nil
		}
		s, err := src.For(bu)
		if err != nil {
			return nil, err
		}
		unit, err := s.Outbound.Policy()
		if err != nil {
			return nil, fmt.Errorf("settings of %s: %w", bu, err)
		}
		o := opts
		o.Policy, o.Unsigned = flowPolicy(unit, flowURL), true
		p, err := webhook.NewClient(o)
		if err != nil {
			return nil, fmt.Errorf("approval poster of %s: %w", bu, err)
		}
		posters[bu] = p
		return p, nil
	}
}

// flowPolicy is unit plus the local flow at flowURL when it is on
// loopback: its host, plain http to it when its scheme is http, and its
// loopback addresses (127.0.0.1 and ::1 for localhost).
func flowPolicy(unit *webhook.Policy, flowURL string) *webhook.Policy {
	p := *unit
	u, err := url.Parse(flowURL)
	if err != nil {
		return &p
	}
	host := strings.ToLower(u.Hostname())
	var loopback []netip.Prefix
	if ip, err := netip.ParseAddr(host); err == nil && ip.Unmap().IsLoopback() {
		ip = ip.Unmap()
		loopback = []netip.Prefix{netip.PrefixFrom(ip, ip.BitLen())}
	} else if host == "localhost" {
		loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	}
	if len(loopback) == 0 {
		return &p
	}
	p.AllowedHosts = append(slices.Clip(p.AllowedHosts), host)
	if u.Scheme == "http" {
		p.HTTPHosts = append(slices.Clip(p.HTTPHosts), host)
	}
	p.AllowedNetworks = append(slices.Clip(p.AllowedNetworks), loopback...)
	return &p
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
