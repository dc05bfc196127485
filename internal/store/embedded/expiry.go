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

// Records that expire are also indexed in bExpiry by their physical expiry
// time, so Sweep finds them without reading everything. Reads hide expired
// records at once; Sweep reclaims the space.

// expiring says, per bucket, when a stored value is physically gone and how
// to delete it with its index entries.
type expiring struct {
	expiry func(v []byte) (time.Time, error)
	delete func(tx *bolt.Tx, k, v []byte) error
}

func expiresAtField(v []byte) (time.Time, error) {
	var r struct {
		ExpiresAt time.Time `json:"expiresAt"`
	}
	err := json.Unmarshal(v, &r)
	return r.ExpiresAt, err
}

func deleteOnly(bucket []byte) func(tx *bolt.Tx, k, v []byte) error {
	return func(tx *bolt.Tx, k, _ []byte) error { return tx.Bucket(bucket).Delete(k) }
}

var expiringBuckets = map[string]expiring{
	string(bInteractions): {expiresAtField, deleteOnly(bInteractions)},
	string(bStepLogs):     {expiresAtField, deleteOnly(bStepLogs)},
	string(bIdem):         {expiresAtField, deleteOnly(bIdem)},
	string(bQueueDedupe):  {expiresAtField, deleteOnly(bQueueDedupe)},
	string(bCallbacks): {
		expiry: func(v []byte) (time.Time, error) {
			t, err := expiresAtField(v)
			return t.Add(store.CallbackGrace), err
		},
		delete: func(tx *bolt.Tx, k, v []byte) error {
			var c store.Callback
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			if err := tx.Bucket(bCallbacksByC).Delete(key(c.BU, c.Contact, c.ID)); err != nil {
				return err
			}
			return tx.Bucket(bCallbacks).Delete(k)
		},
	},
}

func expiryIndexKey(bucket, k []byte, t time.Time) []byte {
	ik := append(append(append([]byte(store.SortableTime(t)), 0), bucket...), 0)
	return append(ik, k...)
}

// unindexExpiry removes the expiry index entry of bucket/k, if the record
// is there and has one (erasure leaves no key naming the contact behind).
func unindexExpiry(tx *bolt.Tx, bucket, k []byte) error {
	v := tx.Bucket(bucket).Get(k)
	if v == nil {
		return nil
	}
	t, err := expiringBuckets[string(bucket)].expiry(v)
	if err != nil || t.IsZero() {
		return err
	}
	return tx.Bucket(bExpiry).Delete(expiryIndexKey(bucket, k, t))
}

// deleteExpiring deletes every record with pfx from an expiring bucket,
// with its expiry index entry, and returns how many.
func deleteExpiring(tx *bolt.Tx, bucket, pfx []byte) (int, error) {
	var keys [][]byte
	c := tx.Bucket(bucket).Cursor()
	for k, _ := c.Seek(pfx); k != nil && bytes.HasPrefix(k, pfx); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := unindexExpiry(tx, bucket, k); err != nil {
			return 0, err
		}
		if err := tx.Bucket(bucket).Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// indexExpiry notes that the record at bucket/k is physically gone at t.
func indexExpiry(tx *bolt.Tx, bucket, k []byte, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	return tx.Bucket(bExpiry).Put(expiryIndexKey(bucket, k, t), nil)
}

// Sweep deletes every record whose expiry has passed and returns how many
// it deleted. The local runtime calls it now and then; reads do not need
// it to hide expired records.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	limit := []byte(store.SortableTime(now))
	removed := 0
	for {
		n, more, err := s.sweepBatch(ctx, limit, now)
		removed += n
		if err != nil || !more {
			return removed, err
		}
	}
}

// sweepBatch handles up to 1000 index entries in one transaction, so a
// large sweep does not hold the write lock for long.
func (s *Store) sweepBatch(ctx context.Context, limit []byte, now time.Time) (removed int, more bool, err error) {
	err = s.update(ctx, func(tx *bolt.Tx) error {
		idx := tx.Bucket(bExpiry)
		var done [][]byte
		c := idx.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(done) == 1000 {
				more = true
				break
			}
			parts := bytes.SplitN(k, []byte{0}, 3)
			if len(parts) != 3 || bytes.Compare(parts[0], limit) > 0 {
				break
			}
			done = append(done, bytes.Clone(k))
			n, err := expireOne(tx, parts[1], parts[2], now)
			if err != nil {
				return err
			}
			removed += n
		}
		for _, k := range done {
			if err := idx.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("sweep expired records: %w", err)
	}
	return removed, more, nil
}

// expireOne deletes bucket/k if it still exists and has really expired
// (the record may have been rewritten with a later expiry since).
func expireOne(tx *bolt.Tx, bucket, k []byte, now time.Time) (int, error) {
	e, ok := expiringBuckets[string(bucket)]
	if !ok {
		return 0, nil
	}
	v := tx.Bucket(bucket).Get(k)
	if v == nil {
		return 0, nil
	}
	t, err := e.expiry(v)
	if err != nil {
		return 0, err
	}
	if !store.Expired(t, now) {
		return 0, nil
	}
	return 1, e.delete(tx, bytes.Clone(k), bytes.Clone(v))
}
