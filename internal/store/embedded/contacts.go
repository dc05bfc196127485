package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

func shardPart(id string) string { return fmt.Sprintf("%02d", store.Shard(id)) }

func contactKey(bu, id string) []byte { return key(bu, shardPart(id), id) }

// GetContact implements store.Contacts.
func (s *Store) GetContact(ctx context.Context, bu, id string) (store.Contact, error) {
	var c store.Contact
	if err := store.CheckIDs("bu", bu, "contact", id); err != nil {
		return c, fmt.Errorf("get contact: %w", err)
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bContacts), contactKey(bu, id), &c)
	})
	if err != nil {
		return store.Contact{}, fmt.Errorf("get contact %s: %w", id, err)
	}
	return c, nil
}

// FindContactByEmail implements store.Contacts.
func (s *Store) FindContactByEmail(ctx context.Context, bu, email string) (store.Contact, error) {
	var c store.Contact
	e, err := store.NormalizeEmail(email)
	if err == nil {
		err = store.CheckID("bu", bu)
	}
	if err != nil {
		return c, fmt.Errorf("find contact by email: %w", err)
	}
	err = s.view(ctx, func(tx *bolt.Tx) error {
		id := tx.Bucket(bEmails).Get(key(bu, e))
		if id == nil {
			return store.ErrNotFound
		}
		return getJSON(tx.Bucket(bContacts), contactKey(bu, string(id)), &c)
	})
	if err != nil {
		return store.Contact{}, fmt.Errorf("find contact by email: %w", err)
	}
	return c, nil
}

// UpsertContact implements store.Contacts.
func (s *Store) UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error) {
	p, err := store.PreparePatch(bu, p)
	if err != nil {
		return store.Contact{}, fmt.Errorf("upsert contact: %w", err)
	}
	if p.ID == "" {
		p.ID = store.NewID("c-")
	}
	var c store.Contact
	err = s.update(ctx, func(tx *bolt.Tx) error {
		c, _, err = s.upsertTx(tx, bu, p, false)
		return err
	})
	if err != nil {
		return store.Contact{}, fmt.Errorf("upsert contact %s: %w", p.ID, err)
	}
	return c, nil
}

// UpsertContactByEmail implements store.Contacts.
func (s *Store) UpsertContactByEmail(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, bool, error) {
	var c store.Contact
	var created bool
	err := store.CheckID("bu", bu)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			var err error
			c, created, err = s.upsertByEmailTx(tx, bu, p)
			return err
		})
	}
	if err != nil {
		return store.Contact{}, false, fmt.Errorf("upsert contact by email: %w", err)
	}
	return c, created, nil
}

// upsertByEmailTx merges p into the contact with its email address, or
// creates one, inside a write transaction.
func (s *Store) upsertByEmailTx(tx *bolt.Tx, bu string, p store.ContactPatch) (store.Contact, bool, error) {
	p, err := store.PrepareByEmail(bu, p)
	if err != nil {
		return store.Contact{}, false, err
	}
	id := tx.Bucket(bEmails).Get(key(bu, *p.Email))
	if id == nil {
		p.ID = store.NewID("c-")
		return s.upsertTx(tx, bu, p, true)
	}
	p.ID = string(id)
	return s.upsertTx(tx, bu, p, false)
}

// upsertTx merges p into contact p.ID inside a write transaction, keeping
// the email index and refusing suppressed or taken addresses. Every check
// comes before the first write, so a refused item of a batch leaves the
// transaction as it was. fresh says p.ID was just made: there is nothing
// to read.
func (s *Store) upsertTx(tx *bolt.Tx, bu string, p store.ContactPatch, fresh bool) (store.Contact, bool, error) {
	contacts, emails := tx.Bucket(bContacts), tx.Bucket(bEmails)
	var old store.Contact
	err := store.ErrNotFound
	if !fresh {
		err = getJSON(contacts, contactKey(bu, p.ID), &old)
	}
	if err != nil && !isNotFound(err) {
		return store.Contact{}, false, err
	}
	ch, err := store.PlanUpsert(bu, old, err == nil, p, s.now())
	if err != nil {
		return store.Contact{}, false, err
	}
	if ch.ClaimEmail != "" {
		if s.suppressed(tx, bu, store.AddressEmail, ch.ClaimEmail) {
			return store.Contact{}, false, store.ErrSuppressed
		}
		if id := emails.Get(key(bu, ch.ClaimEmail)); id != nil && string(id) != p.ID {
			return store.Contact{}, false, store.ErrEmailTaken
		}
	}
	if ch.CheckPhone != "" && s.suppressed(tx, bu, store.AddressPhone, ch.CheckPhone) {
		return store.Contact{}, false, store.ErrSuppressed
	}
	if ch.ClaimEmail != "" {
		if err := emails.Put(key(bu, ch.ClaimEmail), []byte(p.ID)); err != nil {
			return store.Contact{}, false, err
		}
	}
	if ch.ReleaseEmail != "" {
		if err := emails.Delete(key(bu, ch.ReleaseEmail)); err != nil {
			return store.Contact{}, false, err
		}
	}
	return ch.New, ch.Created, putJSON(contacts, contactKey(bu, p.ID), ch.New)
}

func (s *Store) suppressed(tx *bolt.Tx, bu string, kind store.AddressKind, normalised string) bool {
	return tx.Bucket(bSuppress).Get(key(bu, s.hasher.Hash(bu, kind, normalised))) != nil
}

// ListContacts implements store.Contacts.
func (s *Store) ListContacts(ctx context.Context, bu string, sc store.ContactScan) (store.Page[store.Contact], error) {
	var page store.Page[store.Contact]
	err := sc.Check()
	if err == nil {
		err = store.CheckID("bu", bu)
	}
	if err != nil {
		return page, fmt.Errorf("list contacts: %w", err)
	}
	shards := store.ShardsOf(sc.Segment, sc.Segments)
	after, err := decodeCursor(sc.Cursor, prefix(bu))
	if err == nil && after != nil && !slices.Contains(shards, cursorShard(after)) {
		err = fmt.Errorf("cursor of another segment: %w", store.ErrInvalid)
	}
	if err != nil {
		return page, fmt.Errorf("list contacts: %w", err)
	}
	limit := store.PageLimit(sc.Limit)
	err = s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bContacts)
		for i, shard := range shards {
			pfx := prefix(bu, fmt.Sprintf("%02d", shard))
			from := after
			if after != nil && !bytes.HasPrefix(after, pfx) {
				if bytes.Compare(pfx, after) < 0 {
					continue // a shard the cursor has passed
				}
				from = nil
			}
			next, err := scan(b, pfx, from, false, func(k, v []byte) (bool, error) {
				var c store.Contact
				if err := json.Unmarshal(v, &c); err != nil {
					return false, err
				}
				page.Items = append(page.Items, c)
				return len(page.Items) < limit, nil
			})
			if err != nil {
				return err
			}
			if len(page.Items) == limit {
				if next == nil && i < len(shards)-1 {
					// This shard is done, later ones may hold more.
					next = contactKey(bu, page.Items[limit-1].ID)
				}
				page.Next = encodeCursor(next)
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return store.Page[store.Contact]{}, fmt.Errorf("list contacts segment %d/%d: %w", sc.Segment, sc.Segments, err)
	}
	return page, nil
}

// Suppress implements store.Suppressions.
func (s *Store) Suppress(ctx context.Context, bu string, kind store.AddressKind, address string, reason store.SuppressionReason) error {
	sup, err := s.suppression(bu, kind, address)
	if err != nil {
		return fmt.Errorf("suppress %s: %w", kind, err)
	}
	sup.Reason, sup.At = reason, store.UTC(s.now())
	err = s.update(ctx, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bSuppress), key(bu, sup.Hash), sup)
	})
	if err != nil {
		return fmt.Errorf("suppress %s: %w", kind, err)
	}
	return nil
}

// GetSuppression implements store.Suppressions.
func (s *Store) GetSuppression(ctx context.Context, bu string, kind store.AddressKind, address string) (store.Suppression, error) {
	sup, err := s.suppression(bu, kind, address)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error {
			return getJSON(tx.Bucket(bSuppress), key(bu, sup.Hash), &sup)
		})
	}
	if err != nil {
		return store.Suppression{}, fmt.Errorf("get suppression of %s: %w", kind, err)
	}
	return sup, nil
}

// suppression returns the record for an address without its reason.
func (s *Store) suppression(bu string, kind store.AddressKind, address string) (store.Suppression, error) {
	return store.PrepareSuppression(s.hasher, bu, kind, address)
}

// PutOwner implements store.Contacts.
func (s *Store) PutOwner(ctx context.Context, bu string, o store.Owner) error {
	if err := store.CheckIDs("bu", bu, "owner", o.ID); err != nil {
		return fmt.Errorf("put owner: %w", err)
	}
	o.BU = bu
	return wrap("put owner "+o.ID, s.update(ctx, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bOwners), key(bu, o.ID), o)
	}))
}

// GetOwner implements store.Contacts.
func (s *Store) GetOwner(ctx context.Context, bu, id string) (store.Owner, error) {
	var o store.Owner
	if err := store.CheckIDs("bu", bu, "owner", id); err != nil {
		return o, fmt.Errorf("get owner: %w", err)
	}
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bOwners), key(bu, id), &o) })
	return o, wrap("get owner "+id, err)
}

// ListOwners implements store.Contacts.
func (s *Store) ListOwners(ctx context.Context, bu string) ([]store.Owner, error) {
	out, err := listAll[store.Owner](ctx, s, bu, bOwners, prefix(bu))
	return out, wrap("list owners", err)
}

// listAll decodes every value with pfx in bucket, in key order.
func listAll[T any](ctx context.Context, s *Store, bu string, bucket, pfx []byte) ([]T, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, err
	}
	var out []T
	err := s.view(ctx, func(tx *bolt.Tx) error {
		_, err := scan(tx.Bucket(bucket), pfx, nil, false, func(_, v []byte) (bool, error) {
			var r T
			if err := json.Unmarshal(v, &r); err != nil {
				return false, err
			}
			out = append(out, r)
			return true, nil
		})
		return err
	})
	return out, err
}

// wrap adds context to a non-nil error.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Erase implements store.Contacts: one write transaction removes every
// record about the contact and leaves hashed suppressions.
func (s *Store) Erase(ctx context.Context, bu, id string) (store.Erasure, error) {
	var er store.Erasure
	if err := store.CheckIDs("bu", bu, "contact", id); err != nil {
		return er, fmt.Errorf("erase contact: %w", err)
	}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var err error
		er, err = s.eraseTx(tx, bu, id)
		return err
	})
	if err != nil {
		return store.Erasure{}, fmt.Errorf("erase contact %s: %w", id, err)
	}
	return er, nil
}

func (s *Store) eraseTx(tx *bolt.Tx, bu, id string) (store.Erasure, error) {
	var er store.Erasure
	var c store.Contact
	err := getJSON(tx.Bucket(bContacts), contactKey(bu, id), &c)
	if err != nil && !isNotFound(err) {
		return er, err
	}
	if err == nil {
		if err := s.eraseProfile(tx, c); err != nil {
			return er, err
		}
		er.Removed++
	}
	for _, b := range [][]byte{bInteractions, bStepLogs} {
		n, err := deleteExpiring(tx, b, prefix(bu, id))
		if err != nil {
			return er, err
		}
		er.Removed += n
	}
	execs, n, err := eraseEnrolments(tx, bu, id)
	if err != nil {
		return er, err
	}
	er.Executions, er.Removed = execs, er.Removed+n
	n, err = eraseLinked(tx, bu, id)
	if err != nil {
		return er, err
	}
	er.Removed += n
	if er.Removed == 0 {
		return er, store.ErrNotFound
	}
	return er, nil
}

// eraseProfile suppresses the contact's addresses and deletes its profile
// and email index entry.
func (s *Store) eraseProfile(tx *bolt.Tx, c store.Contact) error {
	for _, sup := range store.ErasureSuppressions(s.hasher, c, s.now()) {
		if err := putJSON(tx.Bucket(bSuppress), key(c.BU, sup.Hash), sup); err != nil {
			return err
		}
	}
	if c.Email != "" {
		if err := tx.Bucket(bEmails).Delete(key(c.BU, c.Email)); err != nil {
			return err
		}
	}
	return tx.Bucket(bContacts).Delete(contactKey(c.BU, c.ID))
}

func eraseEnrolments(tx *bolt.Tx, bu, id string) ([]string, int, error) {
	var execs []string
	var keys [][]byte
	var status [][]byte
	_, err := scan(tx.Bucket(bEnrol), prefix(bu, id), nil, false, func(k, v []byte) (bool, error) {
		var e store.Enrolment
		if err := json.Unmarshal(v, &e); err != nil {
			return false, err
		}
		if e.Status == store.EnrolmentActive && e.Execution != "" {
			execs = append(execs, e.Execution)
		}
		keys = append(keys, bytes.Clone(k))
		status = append(status, enrolStatusKey(e))
		return true, nil
	})
	if err != nil {
		return nil, 0, err
	}
	for i := range keys {
		if err := errors.Join(tx.Bucket(bEnrol).Delete(keys[i]), tx.Bucket(bEnrolStatus).Delete(status[i])); err != nil {
			return nil, 0, err
		}
	}
	sort.Strings(execs)
	return execs, len(keys), nil
}

// eraseLinked deletes the approvals, callbacks and sales tasks that name
// the contact, found through their by-contact indexes.
func eraseLinked(tx *bolt.Tx, bu, id string) (int, error) {
	removed := 0
	for _, l := range []struct{ index, main []byte }{
		{bApprovalsByC, bApprovals}, {bCallbacksByC, bCallbacks}, {bTasksByContact, bTasks},
	} {
		var ids []string
		_, err := scan(tx.Bucket(l.index), prefix(bu, id), nil, false, func(k, _ []byte) (bool, error) {
			parts := splitKey(k)
			ids = append(ids, parts[len(parts)-1])
			return true, nil
		})
		if err != nil {
			return 0, err
		}
		for _, rid := range ids {
			if bytes.Equal(l.main, bTasks) {
				if err := deleteTaskOwnerIndex(tx, bu, rid); err != nil {
					return 0, err
				}
			}
			if bytes.Equal(l.main, bApprovals) {
				if err := deletePendingIndex(tx, bu, rid); err != nil {
					return 0, err
				}
			}
			if bytes.Equal(l.main, bCallbacks) {
				if err := unindexExpiry(tx, bCallbacks, key(bu, rid)); err != nil {
					return 0, err
				}
			}
			if err := errors.Join(tx.Bucket(l.main).Delete(key(bu, rid)), tx.Bucket(l.index).Delete(key(bu, id, rid))); err != nil {
				return 0, err
			}
			removed++
		}
	}
	return removed, nil
}

// cursorShard is the shard of a contacts cursor key (bu, shard, id).
func cursorShard(k []byte) int {
	p := splitKey(k)
	if len(p) != 3 {
		return -1
	}
	n, err := strconv.Atoi(p[1])
	if err != nil {
		return -1
	}
	return n
}
