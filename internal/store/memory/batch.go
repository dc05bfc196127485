package memory

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/journeys-oss/journeys/internal/store"
)

// Batch writes do each item as the single write does (there is no
// transaction to share in memory). A large batch is spread over the cores:
// the items of one address (contacts) or one contact (enrolments) go to one
// goroutine, in order, so a batch gives the results the items would give
// one after the other. AppendInteractions takes each shard's lock once for
// all of its items.

// perWorker is the least number of items worth a goroutine.
const perWorker = 512

// inParallel calls do(i) for 0..n-1, items of one key on one goroutine in
// order. It stops at the first error (or the end of ctx) and returns it.
func inParallel(ctx context.Context, n int, key func(i int) string, do func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n/perWorker, store.Shards)
	if workers <= 1 {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("at item %d: %w", i, err)
			}
			if err := do(i); err != nil {
				return err
			}
		}
		return nil
	}
	parts := make([][]int, workers)
	for i := range n {
		w := store.Shard(key(i)) % workers
		parts[w] = append(parts[w], i)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w, part := range parts {
		wg.Go(func() {
			for _, i := range part {
				if err := ctx.Err(); err != nil {
					errs[w] = fmt.Errorf("at item %d: %w", i, err)
					return
				}
				if err := do(i); err != nil {
					errs[w] = err
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// UpsertContactsByEmail implements store.Contacts.
func (s *Store) UpsertContactsByEmail(ctx context.Context, bu string, ps []store.ContactPatch) ([]store.BatchResult, error) {
	if err := checkBU(ctx, bu); err != nil {
		return nil, fmt.Errorf("upsert contacts by email: %w", err)
	}
	results := make([]store.BatchResult, len(ps))
	prepared := make([]store.ContactPatch, len(ps))
	for i, p := range ps {
		p, err := store.PrepareByEmail(bu, p)
		if err != nil {
			results[i], _ = store.BatchItem("", false, fmt.Errorf("upsert contact by email: %w", err))
			continue
		}
		prepared[i] = p
	}
	err := inParallel(ctx, len(ps), func(i int) string { return emailOf(prepared[i]) }, func(i int) error {
		if results[i].Outcome != "" {
			return nil // refused above
		}
		c, created, err := s.upsertByEmail(bu, prepared[i])
		id := ""
		if err == nil {
			id = c.ID
		} else {
			err = fmt.Errorf("upsert contact by email: %w", err)
		}
		r, ok := store.BatchItem(id, created, err)
		if !ok {
			return err
		}
		results[i] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("upsert contacts by email: %w", err)
	}
	return results, nil
}

func emailOf(p store.ContactPatch) string {
	if p.Email == nil {
		return ""
	}
	return *p.Email
}

// CreateEnrolments implements store.Enrolments.
func (s *Store) CreateEnrolments(ctx context.Context, bu string, es []store.Enrolment) ([]store.BatchResult, error) {
	if err := checkBU(ctx, bu); err != nil {
		return nil, fmt.Errorf("create enrolments: %w", err)
	}
	results := make([]store.BatchResult, len(es))
	now := s.now()
	err := inParallel(ctx, len(es), func(i int) string { return es[i].Contact }, func(i int) error {
		e, err := store.PrepareEnrolment(bu, es[i], now)
		if err == nil {
			err = s.createEnrolment(e)
		}
		if err != nil {
			err = enrolError(e, err)
		}
		r, ok := store.BatchItem("", true, err)
		if !ok {
			return err
		}
		results[i] = r
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
