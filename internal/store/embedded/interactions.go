package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

// AppendInteraction implements store.Interactions.
func (s *Store) AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error) {
	i, err := i.Prepare(bu, s.cfg)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error { return putInteractionTx(tx, i) })
	}
	if err != nil {
		return store.Interaction{}, fmt.Errorf("append interaction of contact %s: %w", i.Contact, err)
	}
	return i, nil
}

// putInteractionTx stores a prepared interaction inside a write
// transaction; the same time and id replace the stored one.
func putInteractionTx(tx *bolt.Tx, i store.Interaction) error {
	k := key(i.BU, i.Contact, store.SortableTime(i.At), i.ID)
	if err := indexExpiry(tx, bInteractions, k, i.ExpiresAt); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bInteractions), k, i)
}

// ListInteractions implements store.Interactions.
func (s *Store) ListInteractions(ctx context.Context, bu, contact string, q store.InteractionQuery) (store.Page[store.Interaction], error) {
	var page store.Page[store.Interaction]
	err := store.CheckIDs("bu", bu, "contact", contact)
	pfx := prefix(bu, contact)
	var after []byte
	if err == nil {
		after, err = decodeCursor(q.Cursor, pfx)
	}
	if err == nil && after == nil {
		after = startKey(pfx, q)
	}
	if err == nil {
		now, limit := s.now(), store.PageLimit(q.Limit)
		err = s.view(ctx, func(tx *bolt.Tx) error {
			next, err := scan(tx.Bucket(bInteractions), pfx, after, q.NewestFirst, func(k, v []byte) (bool, error) {
				var i store.Interaction
				if err := json.Unmarshal(v, &i); err != nil {
					return false, err
				}
				if outside(i.At, q) {
					return false, errStop
				}
				if !store.Expired(i.ExpiresAt, now) {
					page.Items = append(page.Items, i)
				}
				return len(page.Items) < limit, nil
			})
			if err == errStop {
				next, err = nil, nil
			}
			page.Next = encodeCursor(next)
			return err
		})
	}
	if err != nil {
		return store.Page[store.Interaction]{}, fmt.Errorf("list interactions of contact %s: %w", contact, err)
	}
	return page, nil
}

// errStop ends a scan that has left its range.
var errStop = fmt.Errorf("stop")

// startKey is where a time-range scan starts: just before From (forward)
// or at To (backward), as an exclusive "after" key.
func startKey(pfx []byte, q store.InteractionQuery) []byte {
	switch {
	case !q.NewestFirst && !q.From.IsZero():
		return append(append([]byte(nil), pfx...), store.SortableTime(q.From)...) // every key at From sorts after this
	case q.NewestFirst && !q.To.IsZero():
		return append(append([]byte(nil), pfx...), store.SortableTime(q.To)...) // keys at To sort after this, and are excluded
	}
	return nil
}

// outside reports whether t has passed the far end of the query's range.
func outside(t time.Time, q store.InteractionQuery) bool {
	if q.NewestFirst {
		return !q.From.IsZero() && t.Before(q.From)
	}
	return !q.To.IsZero() && !t.Before(q.To)
}

// CountInteractions implements store.Interactions.
func (s *Store) CountInteractions(ctx context.Context, bu, contact string, kind store.InteractionKind, channel string, since time.Time) (int, error) {
	n := 0
	err := store.CheckIDs("bu", bu, "contact", contact)
	if err == nil {
		now := s.now()
		pfx := prefix(bu, contact)
		err = s.view(ctx, func(tx *bolt.Tx) error {
			_, err := scan(tx.Bucket(bInteractions), pfx, startKey(pfx, store.InteractionQuery{From: since}), false, func(_, v []byte) (bool, error) {
				var i store.Interaction
				if err := json.Unmarshal(v, &i); err != nil {
					return false, err
				}
				if i.Kind == kind && (channel == "" || i.Channel == channel) && !store.Expired(i.ExpiresAt, now) {
					n++
				}
				return true, nil
			})
			return err
		})
	}
	return n, wrap("count interactions of contact "+contact, err)
}

// AppendStepLog implements store.Interactions.
func (s *Store) AppendStepLog(ctx context.Context, bu string, l store.StepLog) (store.StepLog, error) {
	l, err := l.Prepare(bu, s.cfg)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			k := key(bu, l.Contact, store.SortableTime(l.At), l.ID)
			if err := indexExpiry(tx, bStepLogs, k, l.ExpiresAt); err != nil {
				return err
			}
			return putJSON(tx.Bucket(bStepLogs), k, l)
		})
	}
	if err != nil {
		return store.StepLog{}, fmt.Errorf("append step log of contact %s: %w", l.Contact, err)
	}
	return l, nil
}

// ListStepLogs implements store.Interactions.
func (s *Store) ListStepLogs(ctx context.Context, bu, contact, execution string) ([]store.StepLog, error) {
	err := store.CheckIDs("bu", bu, "contact", contact)
	var all []store.StepLog
	if err == nil {
		all, err = listAll[store.StepLog](ctx, s, bu, bStepLogs, prefix(bu, contact))
	}
	if err != nil {
		return nil, fmt.Errorf("list step logs of contact %s: %w", contact, err)
	}
	return store.FilterStepLogs(all, execution, s.now()), nil
}
