package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/journeys-oss/journeys/internal/store"
)

// callbacks keeps task tokens under their opaque ids, with the ids of
// each contact's.
type callbacks struct {
	mu        sync.RWMutex
	byID      map[idKey]*store.Callback // never changed once stored
	byContact map[idKey][]string
}

// CreateCallback implements store.Callbacks.
func (s *Store) CreateCallback(ctx context.Context, bu string, c store.Callback) (store.Callback, error) {
	c, err := store.PrepareCallback(bu, c, s.now())
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		c.Events = slices.Clone(c.Events)
		err = s.cbs.create(c)
	}
	c.Token, c.Events = "", slices.Clone(c.Events)
	return c, wrap("create callback "+c.ID, err)
}

func (cs *callbacks) create(c store.Callback) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	k := idKey{c.BU, c.ID}
	if _, taken := cs.byID[k]; taken {
		return store.ErrExists
	}
	if cs.byID == nil {
		cs.byID, cs.byContact = map[idKey]*store.Callback{}, map[idKey][]string{}
	}
	cs.byID[k] = &c
	ck := idKey{c.BU, c.Contact}
	cs.byContact[ck] = append(cs.byContact[ck], c.ID)
	return nil
}

// ClaimCallback implements store.Callbacks.
func (s *Store) ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error) {
	err := store.CheckIDs("bu", bu, "callback", id)
	if err == nil {
		err = checkCtx(ctx)
	}
	var c store.Callback
	if err == nil {
		s.cbs.mu.Lock()
		k := idKey{bu, id}
		now := s.now()
		if stored := s.cbs.byID[k]; stored == nil || stored.Gone(now) {
			err = store.ErrNotFound
		} else {
			c = *stored
			var claimed store.Callback
			if claimed, err = c.Claim(now); err == nil {
				s.cbs.byID[k] = &claimed
			}
		}
		s.cbs.mu.Unlock()
	}
	if err != nil {
		return store.Callback{}, fmt.Errorf("claim callback %s: %w", id, err)
	}
	c.Events = slices.Clone(c.Events)
	return c, nil
}

// WaitingCallbacks implements store.Callbacks.
func (s *Store) WaitingCallbacks(ctx context.Context, bu, contact, event string) ([]store.Callback, error) {
	err := store.CheckIDs("bu", bu, "contact", contact)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("waiting callbacks of contact %s: %w", contact, err)
	}
	var out []store.Callback
	now := s.now()
	s.cbs.mu.RLock()
	for _, id := range s.cbs.byContact[idKey{bu, contact}] {
		if c := s.cbs.byID[idKey{bu, id}]; c.Waits(event, now) {
			out = append(out, *c)
		}
	}
	s.cbs.mu.RUnlock()
	for i := range out {
		out[i].Token, out[i].Events = "", slices.Clone(out[i].Events)
	}
	store.SortCallbacks(out)
	return out, nil
}

// ReleaseCallback implements store.Callbacks.
func (s *Store) ReleaseCallback(ctx context.Context, bu string, claim store.Callback) error {
	err := store.CheckIDs("bu", bu, "callback", claim.ID)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		s.cbs.mu.Lock()
		k := idKey{bu, claim.ID}
		now := s.now()
		if stored := s.cbs.byID[k]; stored == nil || stored.Gone(now) {
			err = store.ErrNotFound
		} else {
			c := *stored
			var changed bool
			if changed, err = c.Release(claim, now); changed {
				s.cbs.byID[k] = &c
			}
		}
		s.cbs.mu.Unlock()
	}
	return wrap("release callback "+claim.ID, err)
}

// DeleteCallback implements store.Callbacks.
func (s *Store) DeleteCallback(ctx context.Context, bu, id string) error {
	err := store.CheckIDs("bu", bu, "callback", id)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		s.cbs.mu.Lock()
		if c := s.cbs.byID[idKey{bu, id}]; c == nil || c.Gone(s.now()) {
			err = store.ErrNotFound
		} else {
			s.cbs.remove(c)
		}
		s.cbs.mu.Unlock()
	}
	return wrap("delete callback "+id, err)
}

// remove deletes a callback and its by-contact entry. The caller holds the
// lock.
func (cs *callbacks) remove(c *store.Callback) {
	delete(cs.byID, idKey{c.BU, c.ID})
	ck := idKey{c.BU, c.Contact}
	ids := slices.DeleteFunc(cs.byContact[ck], func(id string) bool { return id == c.ID })
	if len(ids) == 0 {
		delete(cs.byContact, ck)
	} else {
		cs.byContact[ck] = ids
	}
}

// erase removes a contact's callbacks and returns how many.
func (cs *callbacks) erase(bu, contact string) int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	ck := idKey{bu, contact}
	ids := cs.byContact[ck]
	for _, id := range ids {
		delete(cs.byID, idKey{bu, id})
	}
	delete(cs.byContact, ck)
	return len(ids)
}
