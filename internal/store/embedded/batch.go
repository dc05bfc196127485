package embedded

import (
	"context"
	"fmt"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

// Batch writes run one write transaction per chunk of Options.BatchSize
// items: a commit (and its fsync) is paid once per chunk instead of once
// per item. Inside a chunk, items are done in order; an item refused by a
// rule (suppressed, exists, invalid) writes nothing and does not stop the
// chunk, while a database failure rolls the chunk back and ends the batch.

// chunks calls fn with the bounds of each chunk of n items in one write
// transaction, in order.
func (s *Store) chunks(ctx context.Context, n int, fn func(tx *bolt.Tx, from, to int) error) error {
	for from := 0; from < n; from += s.batch {
		to := min(from+s.batch, n)
		if err := s.update(ctx, func(tx *bolt.Tx) error { return fn(tx, from, to) }); err != nil {
			return fmt.Errorf("items %d to %d: %w", from, to-1, err)
		}
	}
	return nil
}

// UpsertContactsByEmail implements store.Contacts.
func (s *Store) UpsertContactsByEmail(ctx context.Context, bu string, ps []store.ContactPatch) ([]store.BatchResult, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, fmt.Errorf("upsert contacts by email: %w", err)
	}
	results := make([]store.BatchResult, len(ps))
	err := s.chunks(ctx, len(ps), func(tx *bolt.Tx, from, to int) error {
		for i := from; i < to; i++ {
			c, created, err := s.upsertByEmailTx(tx, bu, ps[i])
			if err != nil {
				err = fmt.Errorf("upsert contact by email: %w", err)
			}
			r, ok := store.BatchItem(c.ID, created, err)
			if !ok {
				return err
			}
			results[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("upsert contacts by email: %w", err)
	}
	return results, nil
}

// CreateEnrolments implements store.Enrolments.
func (s *Store) CreateEnrolments(ctx context.Context, bu string, es []store.Enrolment) ([]store.BatchResult, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, fmt.Errorf("create enrolments: %w", err)
	}
	results := make([]store.BatchResult, len(es))
	now := s.now()
	err := s.chunks(ctx, len(es), func(tx *bolt.Tx, from, to int) error {
		for i := from; i < to; i++ {
			e, err := store.PrepareEnrolment(bu, es[i], now)
			if err == nil {
				err = createEnrolmentTx(tx, e)
			}
			if err != nil {
				err = fmt.Errorf("enrol contact %s in journey %s entry %s: %w", e.Contact, e.Journey, e.Entry, err)
			}
			r, ok := store.BatchItem("", true, err)
			if !ok {
				return err
			}
			results[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create enrolments: %w", err)
	}
	return results, nil
}

// AppendInteractions implements store.Interactions.
func (s *Store) AppendInteractions(ctx context.Context, bu string, is []store.Interaction) error {
	prepared, err := store.PrepareInteractions(bu, is, s.cfg)
	if err == nil {
		err = s.chunks(ctx, len(prepared), func(tx *bolt.Tx, from, to int) error {
			for _, i := range prepared[from:to] {
				if err := putInteractionTx(tx, i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return wrap("append interactions", err)
}
