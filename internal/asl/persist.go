package asl

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// A Snapshot is the saved state of one execution: a few fields a store may
// index, and the execution's state as opaque JSON (Data). Snapshots of
// finished executions carry no threads; keep them as long as names must
// stay unique (AWS keeps closed executions for 90 days) and delete them
// after.
type Snapshot struct {
	ExecutionArn    string    `json:"executionArn"`
	StateMachineArn string    `json:"stateMachineArn"`
	Name            string    `json:"name"`
	Status          Status    `json:"status"`
	StartDate       time.Time `json:"startDate"`
	StopDate        time.Time `json:"stopDate,omitzero"`
	Data            []byte    `json:"data"`
}

// A Persistence stores execution snapshots so that executions survive a
// restart. Implementations must be safe for concurrent use; Load returns an
// error wrapping ErrNotFound for an unknown ARN.
type Persistence interface {
	Save(ctx context.Context, s *Snapshot) error
	Load(ctx context.Context, executionArn string) (*Snapshot, error)
	Delete(ctx context.Context, executionArn string) error
	List(ctx context.Context) ([]string, error)
}

// MemoryPersistence is a Persistence in memory, for tests and for runs that
// need durability only across engines in one process. It is safe for
// concurrent use.
type MemoryPersistence struct {
	mu    sync.Mutex
	snaps map[string]Snapshot
}

var _ Persistence = (*MemoryPersistence)(nil)

// NewMemoryPersistence returns an empty MemoryPersistence.
func NewMemoryPersistence() *MemoryPersistence {
	return &MemoryPersistence{snaps: map[string]Snapshot{}}
}

// Save stores a copy of s.
func (p *MemoryPersistence) Save(_ context.Context, s *Snapshot) error {
	c := *s
	c.Data = append([]byte(nil), s.Data...)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.snaps[s.ExecutionArn] = c
	return nil
}

// Load returns a copy of the snapshot of an execution.
func (p *MemoryPersistence) Load(_ context.Context, arn string) (*Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.snaps[arn]
	if !ok {
		return nil, fmt.Errorf("load snapshot %s: %w", arn, ErrNotFound)
	}
	s.Data = append([]byte(nil), s.Data...)
	return &s, nil
}

// Delete removes the snapshot of an execution.
func (p *MemoryPersistence) Delete(_ context.Context, arn string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.snaps, arn)
	return nil
}

// List returns the ARNs of all snapshots, sorted.
func (p *MemoryPersistence) List(context.Context) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	arns := make([]string, 0, len(p.snaps))
	for arn := range p.snaps {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	return arns, nil
}

// flush saves every execution that changed since the last flush.
func (e *Engine) flush(ctx context.Context) error {
	if e.opts.persistence == nil {
		return nil
	}
	e.mu.Lock()
	if len(e.dirty) == 0 {
		e.mu.Unlock()
		return nil
	}
	type pending struct {
		x    *execution
		seq  uint64
		snap *Snapshot
	}
	var unsaved []pending
	seen := map[*execution]bool{}
	for _, x := range e.dirty {
		if seen[x] {
			continue
		}
		seen[x] = true
		x.dirty = false
		snap, err := e.snapshot(x)
		if err != nil {
			e.mu.Unlock()
			return fmt.Errorf("snapshot execution %s: %w", x.arn, err)
		}
		unsaved = append(unsaved, pending{x, x.seq, snap})
	}
	e.dirty = e.dirty[:0]
	e.mu.Unlock()

	e.pmu.Lock()
	defer e.pmu.Unlock()
	for i, p := range unsaved {
		e.mu.Lock()
		stale := p.seq <= p.x.savedSeq
		e.mu.Unlock()
		if stale {
			continue
		}
		if err := e.opts.persistence.Save(ctx, p.snap); err != nil {
			e.opts.logger.Error("save execution snapshot", "execution", p.x.arn, "err", err)
			// Keep what was not saved dirty, so the next flush tries again.
			e.mu.Lock()
			for _, q := range unsaved[i:] {
				if !q.x.dirty {
					q.x.dirty = true
					e.dirty = append(e.dirty, q.x)
				}
			}
			e.mu.Unlock()
			return fmt.Errorf("save execution %s: %w", p.x.arn, err)
		}
		e.mu.Lock()
		if p.seq > p.x.savedSeq {
			p.x.savedSeq = p.seq
		}
		e.mu.Unlock()
	}
	return nil
}

// persist saves one execution now (through flush, which also saves anything
// else that changed).
func (e *Engine) persist(ctx context.Context, _ *execution) error { return e.flush(ctx) }
