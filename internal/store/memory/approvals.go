package memory

import (
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
	a, err := lookup(ctx, &s.apprs.mu, s.apprs.byID, bu, "approval", id)
	return a.Reported(s.now()), err
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
