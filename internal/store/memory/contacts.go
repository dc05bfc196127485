package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/journeys-oss/journeys/internal/store"
)

// A contactShard holds the contacts whose id falls in one shard
// (store.Shard), with everything kept per contact.
type contactShard struct {
	mu   sync.RWMutex
	bus  map[string]*buContacts
	strs strtab
	_    pad
}

// buContacts is one business unit's part of a shard.
type buContacts struct {
	contacts map[string]*contactData
	profiles sortedSet[string] // ids of the contacts with a profile
	// enrolled lists enrolments by journey and status; an enrolment that
	// moved to another status is dropped lazily (present check).
	enrolled map[statusKey]*sortedSet[enrolRef]
}

type statusKey struct {
	journey string
	status  store.EnrolmentStatus
}

type enrolRef struct{ contact, entry string }

func compareRef(a, b enrolRef) int {
	if c := strings.Compare(a.contact, b.contact); c != 0 {
		return c
	}
	return strings.Compare(a.entry, b.entry)
}

// contactData is what the store keeps about one contact. A contact may
// have interactions or enrolments without a profile.
type contactData struct {
	profile      *store.Contact // never changed once stored; nil when none
	interactions []interaction  // by time, then id
	stepLogs     []stepLog      // by time, then id
	enrolments   []store.Enrolment
}

func (cd *contactData) empty() bool {
	return cd.profile == nil && len(cd.interactions) == 0 && len(cd.stepLogs) == 0 && len(cd.enrolments) == 0
}

func (s *Store) shardOf(id string) *contactShard { return &s.contacts[store.Shard(id)] }

// part returns bu's part of the shard (nil when it has none and create is
// false). The caller holds the shard's lock (the write lock to create).
func (sh *contactShard) part(bu string, create bool) *buContacts {
	b := sh.bus[bu]
	if b == nil && create {
		if sh.bus == nil {
			sh.bus = map[string]*buContacts{}
		}
		b = &buContacts{contacts: map[string]*contactData{}, enrolled: map[statusKey]*sortedSet[enrolRef]{}}
		sh.bus[bu] = b
	}
	return b
}

// data returns what is kept about a contact (nil when nothing, unless
// create). The caller holds the shard's lock.
func (sh *contactShard) data(bu, id string, create bool) *contactData {
	b := sh.part(bu, create)
	if b == nil {
		return nil
	}
	cd := b.contacts[id]
	if cd == nil && create {
		cd = &contactData{}
		b.contacts[id] = cd
	}
	return cd
}

// profile returns the stored profile of a contact, or nil.
func (s *Store) profile(bu, id string) *store.Contact {
	sh := s.shardOf(id)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if cd := sh.data(bu, id, false); cd != nil {
		return cd.profile
	}
	return nil
}

// GetContact implements store.Contacts.
func (s *Store) GetContact(ctx context.Context, bu, id string) (store.Contact, error) {
	if err := store.CheckIDs("bu", bu, "contact", id); err != nil {
		return store.Contact{}, fmt.Errorf("get contact: %w", err)
	}
	if err := checkCtx(ctx); err != nil {
		return store.Contact{}, fmt.Errorf("get contact %s: %w", id, err)
	}
	c := s.profile(bu, id)
	if c == nil {
		return store.Contact{}, fmt.Errorf("get contact %s: %w", id, store.ErrNotFound)
	}
	return cloneContact(*c), nil
}

// ViewContact is GetContact without the copy: the contact's maps and
// lists are the stored record's own, shared with the store and with every
// other viewer, so the caller must only read them. A stored record is
// never changed in place (a write stores a new one), so what it returns
// stays as it was read. Callers that read a contact several times per
// task and never change it (the task handlers) save a copy per read.
func (s *Store) ViewContact(ctx context.Context, bu, id string) (store.Contact, error) {
	if err := store.CheckIDs("bu", bu, "contact", id); err != nil {
		return store.Contact{}, fmt.Errorf("get contact: %w", err)
	}
	if err := checkCtx(ctx); err != nil {
		return store.Contact{}, fmt.Errorf("get contact %s: %w", id, err)
	}
	c := s.profile(bu, id)
	if c == nil {
		return store.Contact{}, fmt.Errorf("get contact %s: %w", id, store.ErrNotFound)
	}
	return *c, nil
}

// FindContactByEmail implements store.Contacts.
func (s *Store) FindContactByEmail(ctx context.Context, bu, email string) (store.Contact, error) {
	e, err := store.NormalizeEmail(email)
	if err == nil {
		err = store.CheckID("bu", bu)
	}
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return store.Contact{}, fmt.Errorf("find contact by email: %w", err)
	}
	// The address may move between the two lookups: look again then.
	for range maxAttempts {
		id, ok := s.emailOwner(bu, e)
		if !ok {
			break
		}
		if c := s.profile(bu, id); c != nil && c.Email == e {
			return cloneContact(*c), nil
		}
	}
	return store.Contact{}, fmt.Errorf("find contact by email: %w", store.ErrNotFound)
}

// maxAttempts bounds the retries of a lookup that raced a write.
const maxAttempts = 100

// errMoved says the address a by-email upsert found moved to another
// contact before the contact's lock was taken: look it up again.
var errMoved = errors.New("address moved")

// UpsertContact implements store.Contacts.
func (s *Store) UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error) {
	p, err := store.PreparePatch(bu, p)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return store.Contact{}, fmt.Errorf("upsert contact: %w", err)
	}
	if p.ID == "" {
		p.ID = store.NewID("c-")
	}
	c, _, err := s.upsert(bu, p, "")
	if err != nil {
		return store.Contact{}, fmt.Errorf("upsert contact %s: %w", p.ID, err)
	}
	return cloneContact(*c), nil
}

// UpsertContactByEmail implements store.Contacts.
func (s *Store) UpsertContactByEmail(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, bool, error) {
	p, err := store.PrepareByEmail(bu, p)
	if err == nil {
		err = checkCtx(ctx)
	}
	var c *store.Contact
	var created bool
	if err == nil {
		c, created, err = s.upsertByEmail(bu, p)
	}
	if err != nil {
		return store.Contact{}, false, fmt.Errorf("upsert contact by email: %w", err)
	}
	return cloneContact(*c), created, nil
}

// upsertByEmail merges the prepared patch p into the contact with its
// address, or creates one. A racing upsert that claims the address first
// wins; p then merges into its contact.
func (s *Store) upsertByEmail(bu string, p store.ContactPatch) (*store.Contact, bool, error) {
	e := *p.Email
	for range maxAttempts {
		id, found := s.emailOwner(bu, e)
		match := ""
		if found {
			p.ID, match = id, e
		} else {
			p.ID = store.NewID("c-")
		}
		c, created, err := s.upsert(bu, p, match)
		if errors.Is(err, errMoved) || (!found && errors.Is(err, store.ErrEmailTaken)) {
			continue
		}
		return c, created, err
	}
	return nil, false, fmt.Errorf("address kept moving under concurrent writes: %w", store.ErrConflict)
}

// upsert merges p into contact p.ID under the contact's shard lock, as
// store.PlanUpsert decides, and moves its addresses (moveAddresses) before
// it stores the new profile: all or nothing. With match set (the address
// an email lookup found the contact by), the contact must still have it.
func (s *Store) upsert(bu string, p store.ContactPatch, match string) (*store.Contact, bool, error) {
	sh := s.shardOf(p.ID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cd := sh.data(bu, p.ID, false)
	var old store.Contact
	exists := cd != nil && cd.profile != nil
	if exists {
		old = *cd.profile
	}
	if match != "" && (!exists || old.Email != match) {
		return nil, false, errMoved
	}
	ch, err := store.PlanUpsert(bu, old, exists, p, s.now())
	if err != nil {
		return nil, false, err
	}
	if err := s.moveAddresses(bu, ch); err != nil {
		return nil, false, err
	}
	if cd == nil {
		cd = sh.data(bu, p.ID, true)
	}
	next := ch.New
	ownLists(&next, p)
	cd.profile = &next
	if ch.Created {
		sh.part(bu, false).profiles.add(p.ID, strings.Compare)
	}
	return cd.profile, ch.Created, nil
}

// ListContacts implements store.Contacts: a segment reads its shards in
// turn, each in id order.
func (s *Store) ListContacts(ctx context.Context, bu string, sc store.ContactScan) (store.Page[store.Contact], error) {
	var page store.Page[store.Contact]
	err := sc.Check()
	if err == nil {
		err = store.CheckID("bu", bu)
	}
	if err == nil {
		err = checkCtx(ctx)
	}
	var shards []int
	var from int
	var last string
	if err == nil {
		shards = store.ShardsOf(sc.Segment, sc.Segments)
		from, last, err = contactCursor(bu, sc.Cursor, shards)
	}
	if err != nil {
		return page, fmt.Errorf("list contacts: %w", err)
	}
	limit := store.PageLimit(sc.Limit)
	var found []*store.Contact
	for i, shard := range shards {
		if shard < from {
			continue
		}
		more := s.contactsAfter(&s.contacts[shard], bu, last, shard != from || sc.Cursor == "", limit, &found)
		if len(found) == limit {
			if more || i < len(shards)-1 {
				page.Next = encodeCursor("contacts\x00"+bu, fmt.Sprintf("%02d\x00%s", shard, found[limit-1].ID))
			}
			break
		}
	}
	for _, c := range found {
		page.Items = append(page.Items, cloneContact(*c))
	}
	return page, nil
}

// contactCursor returns the shard and id a contacts cursor stopped at; the
// shard must be one of the segment's.
func contactCursor(bu, cursor string, shards []int) (int, string, error) {
	last, ok, err := decodeCursor(cursor, "contacts\x00"+bu)
	if err != nil || !ok {
		return -1, "", err
	}
	sh, id, cut := strings.Cut(last, "\x00")
	var n int
	if _, err := fmt.Sscanf(sh, "%02d", &n); err != nil || !cut || !slices.Contains(shards, n) {
		return 0, "", fmt.Errorf("cursor of another segment: %w", store.ErrInvalid)
	}
	return n, id, nil
}

// contactsAfter adds to found the profiles of bu in sh after the id last
// (from the first when first), up to limit, and reports whether more
// follow.
func (s *Store) contactsAfter(sh *contactShard, bu, last string, first bool, limit int, found *[]*store.Contact) (more bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b := sh.part(bu, false)
	if b == nil {
		return false
	}
	ids := b.profiles.sorted(strings.Compare, func(id string) bool {
		cd := b.contacts[id]
		return cd != nil && cd.profile != nil
	})
	i := after(ids, last, first, strings.Compare)
	for ; i < len(ids) && len(*found) < limit; i++ {
		*found = append(*found, b.contacts[ids[i]].profile)
	}
	return i < len(ids)
}

// Erase implements store.Contacts: the contact's shard (profile, address
// suppressions, interactions, step logs, enrolments) is erased under its
// lock, then the approvals, callbacks and sales tasks that name it.
func (s *Store) Erase(ctx context.Context, bu, id string) (store.Erasure, error) {
	if err := store.CheckIDs("bu", bu, "contact", id); err != nil {
		return store.Erasure{}, fmt.Errorf("erase contact: %w", err)
	}
	if err := checkCtx(ctx); err != nil {
		return store.Erasure{}, fmt.Errorf("erase contact %s: %w", id, err)
	}
	er := s.eraseContact(bu, id)
	er.Removed += s.apprs.erase(bu, id) + s.cbs.erase(bu, id) + s.tasks.erase(bu, id)
	if er.Removed == 0 {
		return store.Erasure{}, fmt.Errorf("erase contact %s: %w", id, store.ErrNotFound)
	}
	sort.Strings(er.Executions)
	return er, nil
}

// eraseContact forgets what the contact's shard holds about it.
func (s *Store) eraseContact(bu, id string) store.Erasure {
	var er store.Erasure
	sh := s.shardOf(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b := sh.part(bu, false)
	cd := sh.data(bu, id, false)
	if cd == nil {
		return er
	}
	if c := cd.profile; c != nil {
		if c.Email != "" {
			s.releaseEmail(bu, c.Email)
		}
		s.suppress(store.ErasureSuppressions(s.hasher, *c, s.now())...)
		b.profiles.drop(func(k string) bool { return k == id })
		er.Removed++
	}
	er.Removed += len(cd.interactions) + len(cd.stepLogs) + len(cd.enrolments)
	for _, e := range cd.enrolments {
		if e.Status == store.EnrolmentActive && e.Execution != "" {
			er.Executions = append(er.Executions, e.Execution)
		}
	}
	if len(cd.enrolments) > 0 {
		// Every status a journey's enrolments had may still list the contact.
		for _, set := range b.enrolled {
			set.drop(func(r enrolRef) bool { return r.contact == id })
		}
	}
	delete(b.contacts, id)
	return er
}
