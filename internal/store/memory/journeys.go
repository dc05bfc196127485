package memory

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/journeys-oss/journeys/internal/store"
)

// owners keeps sales owners.
type owners struct {
	mu   sync.RWMutex
	byID map[idKey]store.Owner
}

// PutOwner implements store.Contacts.
func (s *Store) PutOwner(ctx context.Context, bu string, o store.Owner) error {
	err := store.CheckIDs("bu", bu, "owner", o.ID)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return fmt.Errorf("put owner %s: %w", o.ID, err)
	}
	o.BU = bu
	s.owners.mu.Lock()
	defer s.owners.mu.Unlock()
	if s.owners.byID == nil {
		s.owners.byID = map[idKey]store.Owner{}
	}
	s.owners.byID[idKey{bu, o.ID}] = o
	return nil
}

// GetOwner implements store.Contacts.
func (s *Store) GetOwner(ctx context.Context, bu, id string) (store.Owner, error) {
	return lookup(ctx, &s.owners.mu, s.owners.byID, bu, "owner", id)
}

// ListOwners implements store.Contacts.
func (s *Store) ListOwners(ctx context.Context, bu string) ([]store.Owner, error) {
	if err := checkBU(ctx, bu); err != nil {
		return nil, fmt.Errorf("list owners: %w", err)
	}
	s.owners.mu.RLock()
	defer s.owners.mu.RUnlock()
	return sortedValues(s.owners.byID, bu, func(o store.Owner) string { return o.ID }), nil
}

// checkBU checks the business unit and the context.
func checkBU(ctx context.Context, bu string) error {
	if err := store.CheckID("bu", bu); err != nil {
		return err
	}
	return checkCtx(ctx)
}

// sortedValues returns bu's records of m ordered by key(record).
func sortedValues[V any](m map[idKey]V, bu string, key func(V) string) []V {
	var out []V
	for k, v := range m {
		if k.bu == bu {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b V) int { return strings.Compare(key(a), key(b)) })
	return out
}

// journeys keeps journeys and their versions.
type journeys struct {
	mu       sync.RWMutex
	byID     map[idKey]store.Journey
	versions map[idKey]map[int]store.JourneyVersion // bu, journey → number → version (bytes of its own)
}

// PutJourney implements store.Journeys.
func (s *Store) PutJourney(ctx context.Context, bu string, j store.Journey) (store.Journey, error) {
	err := store.CheckIDs("bu", bu, "journey", j.ID)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		s.journeys.mu.Lock()
		var old *store.Journey
		if have, ok := s.journeys.byID[idKey{bu, j.ID}]; ok {
			old = &have
		}
		if j, err = store.PrepareJourney(bu, j, old, s.now()); err == nil {
			if s.journeys.byID == nil {
				s.journeys.byID = map[idKey]store.Journey{}
			}
			s.journeys.byID[idKey{bu, j.ID}] = j
		}
		s.journeys.mu.Unlock()
	}
	if err != nil {
		return store.Journey{}, fmt.Errorf("put journey %s: %w", j.ID, err)
	}
	return j, nil
}

// GetJourney implements store.Journeys.
func (s *Store) GetJourney(ctx context.Context, bu, id string) (store.Journey, error) {
	return lookup(ctx, &s.journeys.mu, s.journeys.byID, bu, "journey", id)
}

// ListJourneys implements store.Journeys.
func (s *Store) ListJourneys(ctx context.Context, bu string) ([]store.Journey, error) {
	if err := checkBU(ctx, bu); err != nil {
		return nil, fmt.Errorf("list journeys: %w", err)
	}
	s.journeys.mu.RLock()
	defer s.journeys.mu.RUnlock()
	return sortedValues(s.journeys.byID, bu, func(j store.Journey) string { return j.ID }), nil
}

// cloneVersion returns v with byte slices and a map of its own.
func cloneVersion(v store.JourneyVersion) store.JourneyVersion {
	v.Source, v.ASL, v.Content = bytes.Clone(v.Source), bytes.Clone(v.ASL), maps.Clone(v.Content)
	return v
}

// CreateVersion implements store.Journeys.
func (s *Store) CreateVersion(ctx context.Context, bu string, v store.JourneyVersion) error {
	v, err := store.PrepareVersion(bu, v)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		v = cloneVersion(v)
		s.journeys.mu.Lock()
		k := idKey{bu, v.Journey}
		if _, taken := s.journeys.versions[k][v.Version]; taken {
			err = store.ErrExists
		} else {
			if s.journeys.versions == nil {
				s.journeys.versions = map[idKey]map[int]store.JourneyVersion{}
			}
			if s.journeys.versions[k] == nil {
				s.journeys.versions[k] = map[int]store.JourneyVersion{}
			}
			s.journeys.versions[k][v.Version] = v
		}
		s.journeys.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("create journey %s version %d: %w", v.Journey, v.Version, err)
	}
	return nil
}

// GetVersion implements store.Journeys.
func (s *Store) GetVersion(ctx context.Context, bu, journey string, version int) (store.JourneyVersion, error) {
	err := store.CheckIDs("bu", bu, "journey", journey)
	if err == nil {
		err = checkCtx(ctx)
	}
	var v store.JourneyVersion
	if err == nil {
		s.journeys.mu.RLock()
		var ok bool
		v, ok = s.journeys.versions[idKey{bu, journey}][version]
		s.journeys.mu.RUnlock()
		if !ok {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		return store.JourneyVersion{}, fmt.Errorf("get journey %s version %d: %w", journey, version, err)
	}
	return cloneVersion(v), nil
}

// ListVersions implements store.Journeys.
func (s *Store) ListVersions(ctx context.Context, bu, journey string) ([]store.JourneyVersion, error) {
	err := store.CheckIDs("bu", bu, "journey", journey)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("list versions of journey %s: %w", journey, err)
	}
	s.journeys.mu.RLock()
	var out []store.JourneyVersion
	for _, v := range s.journeys.versions[idKey{bu, journey}] {
		out = append(out, v)
	}
	s.journeys.mu.RUnlock()
	slices.SortFunc(out, func(a, b store.JourneyVersion) int { return cmp.Compare(a.Version, b.Version) })
	for i := range out {
		out[i] = cloneVersion(out[i])
	}
	return out, nil
}

// funnel keeps the funnel counters; an increment of an existing counter
// takes only the read lock.
type funnel struct {
	mu     sync.RWMutex
	counts map[funnelKey]*atomic.Int64
}

type funnelKey struct {
	bu, journey   string
	version       int
	step, outcome string
}

// IncrementFunnel implements store.Journeys.
func (s *Store) IncrementFunnel(ctx context.Context, bu, journey string, version int, step, outcome string, n int64) error {
	err := store.CheckIDs("bu", bu, "journey", journey, "step", step, "outcome", outcome)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return fmt.Errorf("increment funnel of journey %s: %w", journey, err)
	}
	k := funnelKey{bu, journey, version, step, outcome}
	s.funnel.mu.RLock()
	c := s.funnel.counts[k]
	s.funnel.mu.RUnlock()
	if c == nil {
		s.funnel.mu.Lock()
		if c = s.funnel.counts[k]; c == nil {
			if s.funnel.counts == nil {
				s.funnel.counts = map[funnelKey]*atomic.Int64{}
			}
			c = new(atomic.Int64)
			s.funnel.counts[k] = c
		}
		s.funnel.mu.Unlock()
	}
	c.Add(n)
	return nil
}

// Funnel implements store.Journeys.
func (s *Store) Funnel(ctx context.Context, bu, journey string) ([]store.FunnelCount, error) {
	err := store.CheckIDs("bu", bu, "journey", journey)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("funnel of journey %s: %w", journey, err)
	}
	var out []store.FunnelCount
	s.funnel.mu.RLock()
	for k, c := range s.funnel.counts {
		if k.bu == bu && k.journey == journey {
			out = append(out, store.FunnelCount{Version: k.version, Step: k.step, Outcome: k.outcome, Count: c.Load()})
		}
	}
	s.funnel.mu.RUnlock()
	slices.SortFunc(out, func(a, b store.FunnelCount) int {
		if a.Version != b.Version {
			return cmp.Compare(a.Version, b.Version)
		}
		if c := strings.Compare(a.Step, b.Step); c != 0 {
			return c
		}
		return strings.Compare(a.Outcome, b.Outcome)
	})
	return out, nil
}
