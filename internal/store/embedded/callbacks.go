package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

// CreateApproval implements store.Approvals.
func (s *Store) CreateApproval(ctx context.Context, bu string, a store.Approval) (store.Approval, error) {
	a, err := store.PrepareApproval(bu, a, s.now())
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bApprovals)
			if b.Get(key(bu, a.ID)) != nil {
				return store.ErrExists
			}
			if a.Contact != "" {
				if err := tx.Bucket(bApprovalsByC).Put(key(bu, a.Contact, a.ID), nil); err != nil {
					return err
				}
			}
			if err := tx.Bucket(bApprovalsPend).Put(pendingKey(a), nil); err != nil {
				return err
			}
			return putJSON(b, key(bu, a.ID), a)
		})
	}
	return a, wrap("create approval "+a.ID, err)
}

// GetApproval implements store.Approvals.
func (s *Store) GetApproval(ctx context.Context, bu, id string) (store.Approval, error) {
	var a store.Approval
	err := store.CheckIDs("bu", bu, "approval", id)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bApprovals), key(bu, id), &a) })
	}
	return a.Reported(s.now()), wrap("get approval "+id, err)
}

// DecideApproval implements store.Approvals.
func (s *Store) DecideApproval(ctx context.Context, bu, id string, d store.Decision) (store.Approval, error) {
	var a store.Approval
	err := store.CheckIDs("bu", bu, "approval", id)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bApprovals)
			if err := getJSON(b, key(bu, id), &a); err != nil {
				return err
			}
			var err error
			if a, err = a.Decide(d, s.now()); err != nil {
				return err
			}
			if err := tx.Bucket(bApprovalsPend).Delete(pendingKey(a)); err != nil {
				return err
			}
			return putJSON(b, key(bu, id), a)
		})
	}
	return a, wrap("decide approval "+id, err)
}

// pendingKey is an approval's key in the index of pending approvals: by
// expiry, so a listing starts after the expired ones.
func pendingKey(a store.Approval) []byte {
	return key(a.BU, store.SortableTime(a.ExpiresAt), a.ID)
}

// ListPendingApprovals implements store.Approvals.
func (s *Store) ListPendingApprovals(ctx context.Context, bu, cursor string, limit int) (store.Page[store.Approval], error) {
	var page store.Page[store.Approval]
	err := store.CheckID("bu", bu)
	pfx := prefix(bu)
	var after []byte
	if err == nil {
		after, err = decodeCursor(cursor, pfx)
	}
	if err == nil {
		now, limit := s.now(), store.PageLimit(limit)
		// Keys at or before now are expired approvals: start after them
		// (\x01 sorts after the separator that follows the time).
		if floor := append(append(bytes.Clone(pfx), store.SortableTime(now)...), 1); bytes.Compare(after, floor) < 0 {
			after = floor
		}
		err = s.view(ctx, func(tx *bolt.Tx) error {
			next, err := scan(tx.Bucket(bApprovalsPend), pfx, after, false, func(k, _ []byte) (bool, error) {
				var a store.Approval
				if err := getJSON(tx.Bucket(bApprovals), key(bu, splitKey(k)[2]), &a); err != nil {
					return false, err
				}
				if a.Pending(now) {
					page.Items = append(page.Items, a)
				}
				return len(page.Items) < limit, nil
			})
			page.Next = encodeCursor(next)
			return err
		})
	}
	if err != nil {
		return store.Page[store.Approval]{}, fmt.Errorf("list pending approvals: %w", err)
	}
	return page, nil
}

// indexPendingApprovals fills the index of pending approvals from the
// approvals (once, for a file written before the index existed).
func indexPendingApprovals(tx *bolt.Tx) error {
	idx := tx.Bucket(bApprovalsPend)
	return tx.Bucket(bApprovals).ForEach(func(_, v []byte) error {
		var a store.Approval
		if err := json.Unmarshal(v, &a); err != nil {
			return err
		}
		if a.Status != store.ApprovalPending {
			return nil
		}
		return idx.Put(pendingKey(a), nil)
	})
}

// deletePendingIndex removes an approval's pending index entry (erasure).
func deletePendingIndex(tx *bolt.Tx, bu, id string) error {
	var a store.Approval
	if err := getJSON(tx.Bucket(bApprovals), key(bu, id), &a); err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	return tx.Bucket(bApprovalsPend).Delete(pendingKey(a))
}

// CreateCallback implements store.Callbacks.
func (s *Store) CreateCallback(ctx context.Context, bu string, c store.Callback) (store.Callback, error) {
	c, err := store.PrepareCallback(bu, c, s.now())
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bCallbacks)
			k := key(bu, c.ID)
			if b.Get(k) != nil {
				return store.ErrExists
			}
			if err := tx.Bucket(bCallbacksByC).Put(key(bu, c.Contact, c.ID), nil); err != nil {
				return err
			}
			if err := indexExpiry(tx, bCallbacks, k, c.ExpiresAt.Add(store.CallbackGrace)); err != nil {
				return err
			}
			return putJSON(b, k, c)
		})
	}
	c.Token = ""
	return c, wrap("create callback "+c.ID, err)
}

// ClaimCallback implements store.Callbacks.
func (s *Store) ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error) {
	var c store.Callback
	err := store.CheckIDs("bu", bu, "callback", id)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bCallbacks)
			if err := s.getCallback(tx, bu, id, &c); err != nil {
				return err
			}
			claimed, err := c.Claim(s.now())
			if err != nil {
				return err
			}
			return putJSON(b, key(bu, id), claimed)
		})
	}
	if err != nil {
		return store.Callback{}, fmt.Errorf("claim callback %s: %w", id, err)
	}
	return c, nil
}

// WaitingCallbacks implements store.Callbacks.
func (s *Store) WaitingCallbacks(ctx context.Context, bu, contact, event string) ([]store.Callback, error) {
	var out []store.Callback
	err := store.CheckIDs("bu", bu, "contact", contact)
	if err == nil {
		now := s.now()
		err = s.view(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bCallbacks)
			_, err := scan(tx.Bucket(bCallbacksByC), prefix(bu, contact), nil, false, func(k, _ []byte) (bool, error) {
				var c store.Callback
				p := splitKey(k)
				if err := getJSON(b, key(bu, p[2]), &c); err != nil {
					return false, err
				}
				if c.Waits(event, now) {
					c.Token = ""
					out = append(out, c)
				}
				return true, nil
			})
			return err
		})
	}
	store.SortCallbacks(out)
	return out, wrap("waiting callbacks of contact "+contact, err)
}

// ReleaseCallback implements store.Callbacks.
func (s *Store) ReleaseCallback(ctx context.Context, bu string, claim store.Callback) error {
	err := store.CheckIDs("bu", bu, "callback", claim.ID)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			var c store.Callback
			if err := s.getCallback(tx, bu, claim.ID, &c); err != nil {
				return err
			}
			changed, err := c.Release(claim, s.now())
			if !changed {
				return err
			}
			return putJSON(tx.Bucket(bCallbacks), key(bu, claim.ID), c)
		})
	}
	return wrap("release callback "+claim.ID, err)
}

// DeleteCallback implements store.Callbacks.
func (s *Store) DeleteCallback(ctx context.Context, bu, id string) error {
	err := store.CheckIDs("bu", bu, "callback", id)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			var c store.Callback
			if err := s.getCallback(tx, bu, id, &c); err != nil {
				return err
			}
			if err := tx.Bucket(bCallbacksByC).Delete(key(bu, c.Contact, id)); err != nil {
				return err
			}
			if err := unindexExpiry(tx, bCallbacks, key(bu, id)); err != nil {
				return err
			}
			return tx.Bucket(bCallbacks).Delete(key(bu, id))
		})
	}
	return wrap("delete callback "+id, err)
}

// BeginIdempotency implements store.Idempotencies.
func (s *Store) BeginIdempotency(ctx context.Context, bu, key_ string, lease time.Duration) (store.Idempotency, error) {
	var out store.Idempotency
	err := store.CheckIDs("bu", bu, "idempotency key", key_)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bIdem)
			k := key(bu, key_)
			var have *store.Idempotency
			var rec store.Idempotency
			if err := getJSON(b, k, &rec); err == nil {
				have = &rec
			} else if !isNotFound(err) {
				return err
			}
			var write *store.Idempotency
			out, write = store.BeginIdempotency(have, key_, lease, s.now())
			if write == nil {
				return nil
			}
			if err := indexExpiry(tx, bIdem, k, write.ExpiresAt); err != nil {
				return err
			}
			return putJSON(b, k, write)
		})
	}
	return out, wrap("begin idempotency key "+key_, err)
}

// CompleteIdempotency implements store.Idempotencies.
func (s *Store) CompleteIdempotency(ctx context.Context, bu, key_, token string, result []byte, keep time.Duration) error {
	err := store.CheckIDs("bu", bu, "idempotency key", key_)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bIdem)
			k := key(bu, key_)
			var rec store.Idempotency
			if err := getJSON(b, k, &rec); err != nil {
				return notHeld(err)
			}
			if err := rec.Holds(token, s.now()); err != nil {
				return err
			}
			rec = rec.Complete(result, keep, s.now())
			if err := indexExpiry(tx, bIdem, k, rec.ExpiresAt); err != nil {
				return err
			}
			return putJSON(b, k, rec)
		})
	}
	return wrap("complete idempotency key "+key_, err)
}

// ReleaseIdempotency implements store.Idempotencies.
func (s *Store) ReleaseIdempotency(ctx context.Context, bu, key_, token string) error {
	err := store.CheckIDs("bu", bu, "idempotency key", key_)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bIdem)
			var rec store.Idempotency
			if err := getJSON(b, key(bu, key_), &rec); err != nil {
				return notHeld(err)
			}
			if err := rec.Holds(token, s.now()); err != nil {
				return err
			}
			return b.Delete(key(bu, key_))
		})
	}
	return wrap("release idempotency key "+key_, err)
}

// notHeld turns a missing idempotency record into a lost lease.
func notHeld(err error) error {
	if isNotFound(err) {
		return fmt.Errorf("idempotency lease not held: %w", store.ErrConflict)
	}
	return err
}

// getCallback reads a callback, hiding it once past its grace period, as
// the DynamoDB adapter does (its TTL deletes it then).
func (s *Store) getCallback(tx *bolt.Tx, bu, id string, c *store.Callback) error {
	if err := getJSON(tx.Bucket(bCallbacks), key(bu, id), c); err != nil {
		return err
	}
	if c.Gone(s.now()) {
		return store.ErrNotFound
	}
	return nil
}
