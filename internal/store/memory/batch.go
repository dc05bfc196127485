package memory

import (
	"context"
	"fmt"

	"github.com/journeys-oss/journeys/internal/store"
)

// Batch writes do each item as the single write does (there is no
// transaction to share in memory), in order, checking the context between
// items; AppendInteractions takes each shard's lock once for all of its
// items.

// UpsertContactsByEmail implements store.Contacts.
func (s *Store) UpsertContactsByEmail(ctx context.Context, bu string, ps []store.ContactPatch) ([]store.BatchResult, error) {
	if err := checkBU(ctx, bu); err != nil {
		return nil, fmt.Errorf("upsert contacts by email: %w", err)
	}
	results := make([]store.BatchResult, len(ps))
	for i, p := range ps {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("upsert contacts by email, at item %d: %w", i, err)
		}
		var id string
		var created bool
		p, err := store.PrepareByEmail(bu, p)
		if err == nil {
			var c *store.Contact
			if c, created, err = s.upsertByEmail(bu, p); err == nil {
				id = c.ID
			}
		}
		if err != nil {
			err = fmt.Errorf("upsert contact by email: %w", err)
		}
		r, ok := store.BatchItem(id, created, err)
		if !ok {
			return nil, fmt.Errorf("upsert contacts by email: %w", err)
		}
		results[i] = r
	}
	return results, nil
}

// CreateEnrolments implements store.Enrolments.
func (s *Store) CreateEnrolments(ctx context.Context, bu string, es []store.Enrolment) ([]store.BatchResult, error) {
	if err := checkBU(ctx, bu); err != nil {
		return nil, fmt.Errorf("create enrolments: %w", err)
	}
	results := make([]store.BatchResult, len(es))
	now := s.now()
	for i, e := range es {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("create enrolments, at item %d: %w", i, err)
		}
		e, err := store.PrepareEnrolment(bu, e, now)
		if err == nil {
			err = s.createEnrolment(e)
		}
		if err != nil {
			err = enrolError(e, err)
		}
		r, ok := store.BatchItem("", true, err)
		if !ok {
			return nil, fmt.Errorf("create enrolments: %w", err)
		}
		results[i] = r
	}
	return results, nil
}

// AppendInteractions implements store.Interactions.
func (s *Store) AppendInteractions(ctx context.Context, bu string, is []store.Interaction) error {
	prepared, err := store.PrepareInteractions(bu, is, s.cfg)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return fmt.Errorf("append interactions: %w", err)
	}
	var byShard [store.Shards][]store.Interaction // in order within each shard
	for _, i := range prepared {
		n := store.Shard(i.Contact)
		byShard[n] = append(byShard[n], i)
	}
	for n, part := range byShard {
		if len(part) == 0 {
			continue
		}
		sh := &s.contacts[n]
		sh.mu.Lock()
		for _, i := range part {
			s.putInteraction(sh, i)
		}
		sh.mu.Unlock()
	}
	return nil
}
