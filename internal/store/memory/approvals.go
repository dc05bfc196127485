package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// approvals keeps approval requests, with the ids of each contact's and
// the pending ones of each business unit by expiry.
type approvals struct {
	mu        sync.RWMutex
	byID      map[idKey]store.Approval
	byContact map[idKey][]string
	pending   map[string]*sortedSet[pendingRef]
}

// pendingRef orders pending approvals: soonest expiry first, then id.
type pendingRef struct {
	expires time.Time
	id      string
}

func comparePending(a, b pendingRef) int {
	if c := a.expires.Compare(b.expires); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// CreateApproval implements store.Approvals.
func (s *Store) CreateApproval(ctx context.Context, bu string, a store.Approval) (store.Approval, error) {
	a, err := store.PrepareApproval(bu, a, s.now())
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		err = s.apprs.create(a)
	}
	return a, wrap("create approval "+a.ID, err)
}

func (ap *approvals) create(a store.Approval) error {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	k := idKey{a.BU, a.ID}
	if _, taken := ap.byID[k]; taken {
		return store.ErrExists
	}
	if ap.byID == nil {
		ap.byID, ap.byContact, ap.pending = map[idKey]store.Approval{}, map[idKey][]string{}, map[string]*sortedSet[pendingRef]{}
	}
	ap.byID[k] = a
	if a.Contact != "" {
		ck := idKey{a.BU, a.Contact}
		ap.byContact[ck] = append(ap.byContact[ck], a.ID)
	}
	set := ap.pending[a.BU]
	if set == nil {
		set = &sortedSet[pendingRef]{}
		ap.pending[a.BU] = set
	}
	set.add(pendingRef{a.ExpiresAt, a.ID}, comparePending)
	return nil
}

// GetApproval implements store.Approvals.
func (s *Store) GetApproval(ctx context.Context, bu, id string) (store.Approval, error) {
	err := store.CheckIDs("bu", bu, "approval", id)
	if err == nil {
		err = checkCtx(ctx)
	}
	var a store.Approval
	if err == nil {
		s.apprs.mu.RLock()
		var ok bool
		a, ok = s.apprs.byID[idKey{bu, id}]
		s.apprs.mu.RUnlock()
		if !ok {
			err = store.ErrNotFound
		}
	}
	return a.Reported(s.now()), wrap("get approval "+id, err)
}

// DecideApproval implements store.Approvals.
func (s *Store) DecideApproval(ctx context.Context, bu, id string, d store.Decision) (store.Approval, error) {
	err := store.CheckIDs("bu", bu, "approval", id)
	if err == nil {
		err = checkCtx(ctx)
	}
	var a store.Approval
	if err == nil {
		s.apprs.mu.Lock()
		k := idKey{bu, id}
		var ok bool
		if a, ok = s.apprs.byID[k]; !ok {
			err = store.ErrNotFound
		} else if a, err = a.Decide(d, s.now()); err == nil {
			s.apprs.byID[k] = a
			s.apprs.pending[bu].stale()
		}
		s.apprs.mu.Unlock()
	}
	return a, wrap("decide approval "+id, err)
}

// ListPendingApprovals implements store.Approvals.
func (s *Store) ListPendingApprovals(ctx context.Context, bu, cursor string, limit int) (store.Page[store.Approval], error) {
	var page store.Page[store.Approval]
	err := checkBU(ctx, bu)
	scope := "approvals\x00" + bu
	var last pendingRef
	var ok bool
	if err == nil {
		last, ok, err = pendingCursor(cursor, scope)
	}
	if err != nil {
		return page, fmt.Errorf("list pending approvals: %w", err)
	}
	now, limit := s.now(), store.PageLimit(limit)
	// Everything expiring at or before now is expired: start after it.
	if floor := (pendingRef{expires: now, id: "\xff"}); !ok || comparePending(last, floor) < 0 {
		last, ok = floor, true
	}
	s.apprs.mu.Lock()
	defer s.apprs.mu.Unlock()
	set := s.apprs.pending[bu]
	if set == nil {
		return page, nil
	}
	refs := set.sorted(comparePending, func(r pendingRef) bool {
		return s.apprs.byID[idKey{bu, r.id}].Status == store.ApprovalPending
	})
	i := after(refs, last, !ok, comparePending)
	for ; i < len(refs) && len(page.Items) < limit; i++ {
		if a := s.apprs.byID[idKey{bu, refs[i].id}]; a.Pending(now) {
			page.Items = append(page.Items, a)
		}
	}
	if i < len(refs) {
		r := refs[i-1]
		page.Next = encodeCursor(scope, store.SortableTime(r.expires)+"\x00"+r.id)
	}
	return page, nil
}

func pendingCursor(cursor, scope string) (pendingRef, bool, error) {
	last, ok, err := decodeCursor(cursor, scope)
	if err != nil || !ok {
		return pendingRef{}, ok, err
	}
	at, id, cut := strings.Cut(last, "\x00")
	t, perr := time.Parse(sortableLayout, at)
	if !cut || perr != nil {
		return pendingRef{}, false, fmt.Errorf("cursor: %w", store.ErrInvalid)
	}
	return pendingRef{t, id}, true, nil
}

// sortableLayout parses what store.SortableTime formats.
const sortableLayout = "2006-01-02T15:04:05.000000000Z"

// erase removes the approvals about a contact and returns how many.
func (ap *approvals) erase(bu, contact string) int {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	ck := idKey{bu, contact}
	ids := ap.byContact[ck]
	for _, id := range ids {
		delete(ap.byID, idKey{bu, id})
	}
	if len(ids) > 0 {
		ap.pending[bu].drop(func(r pendingRef) bool { return slices.Contains(ids, r.id) })
	}
	delete(ap.byContact, ck)
	return len(ids)
}

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

// An idemShard holds the idempotency records whose key falls in one
// shard.
type idemShard struct {
	mu   sync.Mutex
	recs map[idKey]*store.Idempotency // never changed once stored
}

func (s *Store) idemShardOf(key string) *idemShard { return &s.idem[store.Shard(key)] }

// BeginIdempotency implements store.Idempotencies.
func (s *Store) BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error) {
	err := store.CheckIDs("bu", bu, "idempotency key", key)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return store.Idempotency{}, fmt.Errorf("begin idempotency key %s: %w", key, err)
	}
	sh := s.idemShardOf(key)
	sh.mu.Lock()
	answer, write := store.BeginIdempotency(sh.recs[idKey{bu, key}], key, lease, s.now())
	if write != nil {
		if sh.recs == nil {
			sh.recs = map[idKey]*store.Idempotency{}
		}
		sh.recs[idKey{bu, key}] = write
	}
	sh.mu.Unlock()
	answer.Result = bytes.Clone(answer.Result)
	return answer, nil
}

// CompleteIdempotency implements store.Idempotencies.
func (s *Store) CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error {
	err := store.CheckIDs("bu", bu, "idempotency key", key)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		sh := s.idemShardOf(key)
		sh.mu.Lock()
		now := s.now()
		rec := sh.recs[idKey{bu, key}]
		if err = store.CheckLease(rec, token, now); err == nil {
			done := rec.Complete(bytes.Clone(result), keep, now)
			sh.recs[idKey{bu, key}] = &done
		}
		sh.mu.Unlock()
	}
	return wrap("complete idempotency key "+key, err)
}

// ReleaseIdempotency implements store.Idempotencies.
func (s *Store) ReleaseIdempotency(ctx context.Context, bu, key, token string) error {
	err := store.CheckIDs("bu", bu, "idempotency key", key)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		sh := s.idemShardOf(key)
		sh.mu.Lock()
		if err = store.CheckLease(sh.recs[idKey{bu, key}], token, s.now()); err == nil {
			delete(sh.recs, idKey{bu, key})
		}
		sh.mu.Unlock()
	}
	return wrap("release idempotency key "+key, err)
}
