package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/journeys-oss/journeys/internal/store"
)

// An emailShard holds the email index of the addresses in one shard: which
// contact has an address. It makes addresses unique per business unit.
type emailShard struct {
	mu  sync.RWMutex
	ids map[idKey]string // bu, normalised address → contact id
	_   pad
}

func (s *Store) emailShardOf(email string) int { return store.Shard(email) }

// emailOwner returns the contact that has an address.
func (s *Store) emailOwner(bu, email string) (string, bool) {
	es := &s.emails[s.emailShardOf(email)]
	es.mu.RLock()
	defer es.mu.RUnlock()
	id, ok := es.ids[idKey{bu, email}]
	return id, ok
}

// releaseEmail removes an address from the index. The caller holds the
// contact's shard lock.
func (s *Store) releaseEmail(bu, email string) {
	es := &s.emails[s.emailShardOf(email)]
	es.mu.Lock()
	defer es.mu.Unlock()
	delete(es.ids, idKey{bu, email})
}

// moveAddresses checks and moves the addresses of an upsert: the claimed
// address must be free and not suppressed, the new phone number not
// suppressed; then the index moves from the released address to the
// claimed one. The caller holds the contact's shard lock; the email
// shards are locked in index order, then the suppressions, so that the
// checks and the move are one step.
func (s *Store) moveAddresses(bu string, ch store.ContactChange) error {
	if ch.ClaimEmail == "" && ch.ReleaseEmail == "" && ch.CheckPhone == "" {
		return nil
	}
	var shards []int
	for _, e := range []string{ch.ClaimEmail, ch.ReleaseEmail} {
		if e != "" {
			shards = append(shards, s.emailShardOf(e))
		}
	}
	slices.Sort(shards)
	shards = slices.Compact(shards)
	for _, i := range shards {
		s.emails[i].mu.Lock()
		defer s.emails[i].mu.Unlock()
	}
	s.sup.mu.RLock()
	defer s.sup.mu.RUnlock()
	if ch.ClaimEmail != "" {
		if s.suppressed(bu, store.AddressEmail, ch.ClaimEmail) {
			return store.ErrSuppressed
		}
		if id, ok := s.emails[s.emailShardOf(ch.ClaimEmail)].ids[idKey{bu, ch.ClaimEmail}]; ok && id != ch.New.ID {
			return store.ErrEmailTaken
		}
	}
	if ch.CheckPhone != "" && s.suppressed(bu, store.AddressPhone, ch.CheckPhone) {
		return store.ErrSuppressed
	}
	if ch.ReleaseEmail != "" {
		delete(s.emails[s.emailShardOf(ch.ReleaseEmail)].ids, idKey{bu, ch.ReleaseEmail})
	}
	if ch.ClaimEmail != "" {
		es := &s.emails[s.emailShardOf(ch.ClaimEmail)]
		if es.ids == nil {
			es.ids = map[idKey]string{}
		}
		es.ids[idKey{bu, ch.ClaimEmail}] = ch.New.ID
	}
	return nil
}

// suppressions keeps suppressed addresses by keyed hash, per business
// unit.
type suppressions struct {
	mu   sync.RWMutex
	byBU map[string]map[string]store.Suppression // bu → hash → record
}

// suppressed reports whether a normalised address is suppressed. The
// caller holds s.sup.mu. A business unit without suppressions (the usual
// simulation) costs no hash.
func (s *Store) suppressed(bu string, kind store.AddressKind, normalised string) bool {
	m := s.sup.byBU[bu]
	if len(m) == 0 {
		return false
	}
	_, ok := m[s.hasher.Hash(bu, kind, normalised)]
	return ok
}

// suppress stores suppression records (Suppress, erasure).
func (s *Store) suppress(sups ...store.Suppression) {
	s.sup.mu.Lock()
	defer s.sup.mu.Unlock()
	for _, sup := range sups {
		if s.sup.byBU == nil {
			s.sup.byBU = map[string]map[string]store.Suppression{}
		}
		m := s.sup.byBU[sup.BU]
		if m == nil {
			m = map[string]store.Suppression{}
			s.sup.byBU[sup.BU] = m
		}
		m[sup.Hash] = sup
	}
}

// Suppress implements store.Suppressions.
func (s *Store) Suppress(ctx context.Context, bu string, kind store.AddressKind, address string, reason store.SuppressionReason) error {
	sup, err := store.PrepareSuppression(s.hasher, bu, kind, address)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return fmt.Errorf("suppress %s: %w", kind, err)
	}
	sup.Reason, sup.At = reason, store.UTC(s.now())
	s.suppress(sup)
	return nil
}

// GetSuppression implements store.Suppressions.
func (s *Store) GetSuppression(ctx context.Context, bu string, kind store.AddressKind, address string) (store.Suppression, error) {
	sup, err := store.PrepareSuppression(s.hasher, bu, kind, address)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		s.sup.mu.RLock()
		stored, ok := s.sup.byBU[bu][sup.Hash]
		s.sup.mu.RUnlock()
		if sup = stored; !ok {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		return store.Suppression{}, fmt.Errorf("get suppression of %s: %w", kind, err)
	}
	return sup, nil
}
