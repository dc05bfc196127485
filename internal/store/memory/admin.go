package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/journeys-oss/journeys/internal/store"
)

// salesTasks keeps sales tasks, with each owner's by due time and the ids
// of each contact's.
type salesTasks struct {
	mu        sync.RWMutex
	byID      map[idKey]store.SalesTask
	byOwner   map[idKey]*sortedSet[timeID] // bu, owner → due, id
	byContact map[idKey][]string
}

func compareTimeID(a, b timeID) int { return compareAt(a.at, a.id, b.at, b.id) }

// CreateSalesTask implements store.SalesTasks.
func (s *Store) CreateSalesTask(ctx context.Context, bu string, t store.SalesTask) (store.SalesTask, bool, error) {
	t, err := store.PrepareSalesTask(bu, t, s.now())
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return store.SalesTask{}, false, fmt.Errorf("create sales task %s: %w", t.ID, err)
	}
	ts := &s.tasks
	ts.mu.Lock()
	defer ts.mu.Unlock()
	k := idKey{bu, t.ID}
	if have, ok := ts.byID[k]; ok {
		return have, false, nil
	}
	if ts.byID == nil {
		ts.byID, ts.byOwner, ts.byContact = map[idKey]store.SalesTask{}, map[idKey]*sortedSet[timeID]{}, map[idKey][]string{}
	}
	ts.byID[k] = t
	ok := idKey{bu, t.Owner}
	if ts.byOwner[ok] == nil {
		ts.byOwner[ok] = &sortedSet[timeID]{}
	}
	ts.byOwner[ok].add(timeID{t.Due, t.ID}, compareTimeID)
	ck := idKey{bu, t.Contact}
	ts.byContact[ck] = append(ts.byContact[ck], t.ID)
	return t, true, nil
}

// GetSalesTask implements store.SalesTasks.
func (s *Store) GetSalesTask(ctx context.Context, bu, id string) (store.SalesTask, error) {
	return lookup(ctx, &s.tasks.mu, s.tasks.byID, bu, "sales task", id)
}

// SetSalesTaskStatus implements store.SalesTasks.
func (s *Store) SetSalesTaskStatus(ctx context.Context, bu, id string, status store.SalesTaskStatus) (store.SalesTask, error) {
	err := store.CheckIDs("bu", bu, "sales task", id)
	if err == nil {
		err = status.Check()
	}
	if err == nil {
		err = checkCtx(ctx)
	}
	var t store.SalesTask
	if err == nil {
		s.tasks.mu.Lock()
		var ok bool
		if t, ok = s.tasks.byID[idKey{bu, id}]; ok {
			t = t.WithStatus(status, s.now())
			s.tasks.byID[idKey{bu, id}] = t
		} else {
			err = store.ErrNotFound
		}
		s.tasks.mu.Unlock()
	}
	return t, wrap("set status of sales task "+id, err)
}

// ListSalesTasksByOwner implements store.SalesTasks.
func (s *Store) ListSalesTasksByOwner(ctx context.Context, bu, owner, cursor string, limit int) (store.Page[store.SalesTask], error) {
	var page store.Page[store.SalesTask]
	err := store.CheckIDs("bu", bu, "owner", owner)
	if err == nil {
		err = checkCtx(ctx)
	}
	scope := "tasks\x00" + bu + "\x00" + owner
	var last timeID
	var ok bool
	if err == nil {
		last, ok, err = timeCursor(cursor, scope)
	}
	if err != nil {
		return page, fmt.Errorf("list sales tasks of owner %s: %w", owner, err)
	}
	limit = store.PageLimit(limit)
	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	set := s.tasks.byOwner[idKey{bu, owner}]
	if set == nil {
		return page, nil
	}
	refs := set.sorted(compareTimeID, func(r timeID) bool { _, ok := s.tasks.byID[idKey{bu, r.id}]; return ok })
	i := after(refs, last, !ok, compareTimeID)
	for ; i < len(refs) && len(page.Items) < limit; i++ {
		page.Items = append(page.Items, s.tasks.byID[idKey{bu, refs[i].id}])
	}
	if i < len(refs) {
		page.Next = encodeCursor(scope, store.SortableTime(refs[i-1].at)+"\x00"+refs[i-1].id)
	}
	return page, nil
}

// ListSalesTasksByContact implements store.SalesTasks.
func (s *Store) ListSalesTasksByContact(ctx context.Context, bu, contact string) ([]store.SalesTask, error) {
	err := store.CheckIDs("bu", bu, "contact", contact)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("list sales tasks of contact %s: %w", contact, err)
	}
	var out []store.SalesTask
	s.tasks.mu.RLock()
	for _, id := range s.tasks.byContact[idKey{bu, contact}] {
		out = append(out, s.tasks.byID[idKey{bu, id}])
	}
	s.tasks.mu.RUnlock()
	store.SortSalesTasks(out)
	return out, nil
}

// erase removes a contact's sales tasks and returns how many.
func (ts *salesTasks) erase(bu, contact string) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ck := idKey{bu, contact}
	ids := ts.byContact[ck]
	for _, id := range ids {
		t := ts.byID[idKey{bu, id}]
		ts.byOwner[idKey{bu, t.Owner}].drop(func(r timeID) bool { return r.id == id })
		delete(ts.byID, idKey{bu, id})
	}
	delete(ts.byContact, ck)
	return len(ids)
}

// auditLog keeps each business unit's audit entries by time, then id.
type auditLog struct {
	mu   sync.RWMutex
	byBU map[string][]store.AuditEntry
}

// AppendAudit implements store.Audit.
func (s *Store) AppendAudit(ctx context.Context, bu string, e store.AuditEntry) (store.AuditEntry, error) {
	e, err := store.PrepareAudit(bu, e, s.now())
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return store.AuditEntry{}, fmt.Errorf("append audit entry: %w", err)
	}
	stored := e
	stored.Details = maps.Clone(e.Details)
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	if s.audit.byBU == nil {
		s.audit.byBU = map[string][]store.AuditEntry{}
	}
	es := s.audit.byBU[bu]
	pos, found := slices.BinarySearchFunc(es, stored, func(a, b store.AuditEntry) int { return compareAt(a.At, a.ID, b.At, b.ID) })
	if found {
		return store.AuditEntry{}, fmt.Errorf("append audit entry %s: %w", e.ID, store.ErrExists)
	}
	s.audit.byBU[bu] = slices.Insert(es, pos, stored)
	return e, nil
}

// ListAudit implements store.Audit: newest first.
func (s *Store) ListAudit(ctx context.Context, bu, cursor string, limit int) (store.Page[store.AuditEntry], error) {
	var page store.Page[store.AuditEntry]
	err := checkBU(ctx, bu)
	scope := "audit\x00" + bu
	var last timeID
	var ok bool
	if err == nil {
		last, ok, err = timeCursor(cursor, scope)
	}
	if err != nil {
		return page, fmt.Errorf("list audit log: %w", err)
	}
	limit = store.PageLimit(limit)
	s.audit.mu.RLock()
	defer s.audit.mu.RUnlock()
	es := s.audit.byBU[bu]
	i := len(es) - 1
	if ok {
		pos, _ := slices.BinarySearchFunc(es, last, func(a store.AuditEntry, t timeID) int { return compareAt(a.At, a.ID, t.at, t.id) })
		i = pos - 1
	}
	for ; i >= 0 && len(page.Items) < limit; i-- {
		e := es[i]
		e.Details = maps.Clone(e.Details)
		page.Items = append(page.Items, e)
	}
	if i >= 0 {
		l := es[i+1]
		page.Next = encodeCursor(scope, store.SortableTime(l.At)+"\x00"+l.ID)
	}
	return page, nil
}

// apiKeys keeps API keys by hash.
type apiKeys struct {
	mu     sync.RWMutex
	byHash map[string]store.APIKey
}

func cloneKey(k store.APIKey) store.APIKey {
	k.Scopes = slices.Clone(k.Scopes)
	return k
}

// PutAPIKey implements store.APIKeys.
func (s *Store) PutAPIKey(ctx context.Context, k store.APIKey) error {
	k, err := store.PrepareAPIKey(k, s.now())
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		s.keys.mu.Lock()
		if _, taken := s.keys.byHash[k.Hash]; taken {
			err = store.ErrExists
		} else {
			if s.keys.byHash == nil {
				s.keys.byHash = map[string]store.APIKey{}
			}
			s.keys.byHash[k.Hash] = cloneKey(k)
		}
		s.keys.mu.Unlock()
	}
	return wrap("put api key "+k.Name, err)
}

// GetAPIKey implements store.APIKeys.
func (s *Store) GetAPIKey(ctx context.Context, hash string) (store.APIKey, error) {
	err := store.CheckID("api key hash", hash)
	if err == nil {
		err = checkCtx(ctx)
	}
	var k store.APIKey
	if err == nil {
		s.keys.mu.RLock()
		var ok bool
		k, ok = s.keys.byHash[hash]
		s.keys.mu.RUnlock()
		if !ok {
			err = store.ErrNotFound
		}
	}
	return cloneKey(k), wrap("get api key", err)
}

// ListAPIKeys implements store.APIKeys.
func (s *Store) ListAPIKeys(ctx context.Context, bu string) ([]store.APIKey, error) {
	if err := checkBU(ctx, bu); err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	var out []store.APIKey
	s.keys.mu.RLock()
	for _, k := range s.keys.byHash {
		if k.BU == bu {
			out = append(out, cloneKey(k))
		}
	}
	s.keys.mu.RUnlock()
	slices.SortFunc(out, func(a, b store.APIKey) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Hash, b.Hash)
	})
	return out, nil
}

// DeleteAPIKey implements store.APIKeys.
func (s *Store) DeleteAPIKey(ctx context.Context, bu, hash string) error {
	err := store.CheckIDs("bu", bu, "api key hash", hash)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		s.keys.mu.Lock()
		if k, ok := s.keys.byHash[hash]; ok && k.BU == bu {
			delete(s.keys.byHash, hash)
		} else {
			err = store.ErrNotFound // missing, or another business unit's key
		}
		s.keys.mu.Unlock()
	}
	return wrap("delete api key", err)
}
