package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// enrolment returns the index of a contact's enrolment in a journey entry,
// or -1.
func (cd *contactData) enrolment(journey, entry string) int {
	return slices.IndexFunc(cd.enrolments, func(e store.Enrolment) bool { return e.Journey == journey && e.Entry == entry })
}

// CreateEnrolment implements store.Enrolments.
func (s *Store) CreateEnrolment(ctx context.Context, bu string, e store.Enrolment) (store.Enrolment, error) {
	e, err := store.PrepareEnrolment(bu, e, s.now())
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		err = s.createEnrolment(e)
	}
	if err != nil {
		return store.Enrolment{}, enrolError(e, err)
	}
	return e, nil
}

func enrolError(e store.Enrolment, err error) error {
	return fmt.Errorf("enrol contact %s in journey %s entry %s: %w", e.Contact, e.Journey, e.Entry, err)
}

// createEnrolment stores a prepared enrolment unless its (journey,
// contact, entry) is taken (ErrExists).
func (s *Store) createEnrolment(e store.Enrolment) error {
	sh := s.shardOf(e.Contact)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cd := sh.data(e.BU, e.Contact, true)
	if cd.enrolment(e.Journey, e.Entry) >= 0 {
		return store.ErrExists
	}
	e.Journey, e.Entry = sh.strs.intern(e.Journey), sh.strs.intern(e.Entry)
	cd.enrolments = append(cd.enrolments, e)
	sh.part(e.BU, false).listed(e.Journey, e.Status).add(enrolRef{e.Contact, e.Entry}, compareRef)
	return nil
}

// listed returns the set of enrolments of a journey in a status.
func (b *buContacts) listed(journey string, status store.EnrolmentStatus) *sortedSet[enrolRef] {
	k := statusKey{journey, status}
	set := b.enrolled[k]
	if set == nil {
		set = &sortedSet[enrolRef]{}
		b.enrolled[k] = set
	}
	return set
}

// GetEnrolment implements store.Enrolments.
func (s *Store) GetEnrolment(ctx context.Context, bu, journey, contact, entry string) (store.Enrolment, error) {
	err := store.CheckIDs("bu", bu, "journey", journey, "contact", contact, "entry", entry)
	if err == nil {
		err = checkCtx(ctx)
	}
	var e store.Enrolment
	if err == nil {
		err = store.ErrNotFound
		sh := s.shardOf(contact)
		sh.mu.RLock()
		if cd := sh.data(bu, contact, false); cd != nil {
			if i := cd.enrolment(journey, entry); i >= 0 {
				e, err = cd.enrolments[i], nil
			}
		}
		sh.mu.RUnlock()
	}
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("get enrolment of contact %s in journey %s entry %s: %w", contact, journey, entry, err)
	}
	return e, nil
}

// UpdateEnrolment implements store.Enrolments.
func (s *Store) UpdateEnrolment(ctx context.Context, bu, journey, contact, entry string, u store.EnrolmentUpdate) (store.Enrolment, error) {
	err := store.CheckIDs("bu", bu, "journey", journey, "contact", contact, "entry", entry)
	if err == nil {
		err = checkCtx(ctx)
	}
	var e store.Enrolment
	if err == nil {
		e, err = s.updateEnrolment(bu, journey, contact, entry, u, s.now())
	}
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("update enrolment of contact %s in journey %s entry %s: %w", contact, journey, entry, err)
	}
	return e, nil
}

func (s *Store) updateEnrolment(bu, journey, contact, entry string, u store.EnrolmentUpdate, now time.Time) (store.Enrolment, error) {
	sh := s.shardOf(contact)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cd := sh.data(bu, contact, false)
	i := -1
	if cd != nil {
		i = cd.enrolment(journey, entry)
	}
	if i < 0 {
		return store.Enrolment{}, store.ErrNotFound
	}
	old := cd.enrolments[i]
	e, err := old.Apply(u, now)
	if err != nil {
		return store.Enrolment{}, err
	}
	if e.Step != old.Step {
		e.Step = sh.strs.intern(e.Step)
	}
	cd.enrolments[i] = e
	if e.Status != old.Status {
		b := sh.part(bu, false)
		b.listed(journey, old.Status).stale()
		b.listed(journey, e.Status).add(enrolRef{contact, e.Entry}, compareRef)
	}
	return e, nil
}

// LatestEnrolment implements store.Enrolments.
func (s *Store) LatestEnrolment(ctx context.Context, bu, journey, contact string) (store.Enrolment, error) {
	err := store.CheckIDs("bu", bu, "journey", journey, "contact", contact)
	if err == nil {
		err = checkCtx(ctx)
	}
	var all []store.Enrolment
	if err == nil {
		all = s.enrolmentsOf(bu, contact, func(e store.Enrolment) bool { return e.Journey == journey })
		if len(all) == 0 {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("latest enrolment of contact %s in journey %s: %w", contact, journey, err)
	}
	return store.Latest(all), nil
}

// ContactEnrolments implements store.Enrolments.
func (s *Store) ContactEnrolments(ctx context.Context, bu, contact string) ([]store.Enrolment, error) {
	err := store.CheckIDs("bu", bu, "contact", contact)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("enrolments of contact %s: %w", contact, err)
	}
	all := s.enrolmentsOf(bu, contact, func(store.Enrolment) bool { return true })
	store.SortEnrolments(all)
	return all, nil
}

// enrolmentsOf copies a contact's enrolments that keep accepts.
func (s *Store) enrolmentsOf(bu, contact string, keep func(store.Enrolment) bool) []store.Enrolment {
	var out []store.Enrolment
	sh := s.shardOf(contact)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if cd := sh.data(bu, contact, false); cd != nil {
		for _, e := range cd.enrolments {
			if keep(e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// ListEnrolments implements store.Enrolments: the shards in turn, each in
// (contact, entry) order.
func (s *Store) ListEnrolments(ctx context.Context, bu, journey string, status store.EnrolmentStatus, cursor string, limit int) (store.Page[store.Enrolment], error) {
	var page store.Page[store.Enrolment]
	err := store.CheckIDs("bu", bu, "journey", journey)
	if err == nil {
		err = status.Check()
	}
	if err == nil {
		err = checkCtx(ctx)
	}
	scope := "enrolments\x00" + bu + "\x00" + journey + "\x00" + string(status)
	from, last := -1, enrolRef{}
	if err == nil {
		from, last, err = enrolCursor(cursor, scope)
	}
	if err != nil {
		return page, fmt.Errorf("list %s enrolments of journey %s: %w", status, journey, err)
	}
	limit = store.PageLimit(limit)
	for shard := max(from, 0); shard < store.Shards; shard++ {
		more, end := s.enrolmentsAfter(&s.contacts[shard], bu, statusKey{journey, status}, last, shard != from, limit, &page.Items)
		if len(page.Items) == limit {
			if more || shard < store.Shards-1 {
				page.Next = encodeCursor(scope, fmt.Sprintf("%02d\x00%s\x00%s", shard, end.contact, end.entry))
			}
			break
		}
	}
	return page, nil
}

func enrolCursor(cursor, scope string) (int, enrolRef, error) {
	last, ok, err := decodeCursor(cursor, scope)
	if err != nil || !ok {
		return -1, enrolRef{}, err
	}
	p := strings.Split(last, "\x00")
	var n int
	if _, err := fmt.Sscanf(p[0], "%02d", &n); err != nil || len(p) != 3 || n < 0 || n >= store.Shards {
		return -1, enrolRef{}, fmt.Errorf("cursor: %w", store.ErrInvalid)
	}
	return n, enrolRef{p[1], p[2]}, nil
}

// enrolmentsAfter adds to out the enrolments of one status set of a shard
// after last (from the first when first), up to limit. It reports whether
// more follow and the last key it looked at.
func (s *Store) enrolmentsAfter(sh *contactShard, bu string, k statusKey, last enrolRef, first bool, limit int, out *[]store.Enrolment) (more bool, end enrolRef) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b := sh.part(bu, false)
	if b == nil || b.enrolled[k] == nil {
		return false, end
	}
	current := func(r enrolRef) int {
		cd := b.contacts[r.contact]
		if cd == nil {
			return -1
		}
		if i := cd.enrolment(k.journey, r.entry); i >= 0 && cd.enrolments[i].Status == k.status {
			return i
		}
		return -1
	}
	refs := b.enrolled[k].sorted(compareRef, func(r enrolRef) bool { return current(r) >= 0 })
	i := after(refs, last, first, compareRef)
	for ; i < len(refs) && len(*out) < limit; i++ {
		if n := current(refs[i]); n >= 0 { // it may have moved since the last sort
			*out = append(*out, b.contacts[refs[i].contact].enrolments[n])
		}
		end = refs[i]
	}
	return i < len(refs), end
}
