package webhook

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// SeenIDs remembers message ids to drop replays. Remember records id until
// the given time and reports whether this is the first time it is seen (an id
// whose record has expired counts as new). The store backing it in the
// deployed app is a conditional write; MemorySeen serves one process.
type SeenIDs interface {
	Remember(ctx context.Context, id string, until time.Time) (firstTime bool, err error)
}

// DefaultSeenCapacity bounds MemorySeen when its capacity is zero.
const DefaultSeenCapacity = 100_000

// MemorySeen is an in-memory SeenIDs, safe for concurrent use. When it holds
// Capacity live ids it forgets the one that expires first, so memory stays
// bounded under a flood; size it above the messages expected per tolerance
// window.
type MemorySeen struct {
	// Now is the clock; time.Now when nil. It must agree with the
	// Verifier's clock: an id whose until is already past is forgotten.
	Now func() time.Time
	// Capacity bounds the ids held; DefaultSeenCapacity when zero.
	Capacity int

	mu    sync.Mutex
	until map[string]time.Time
	order expiryHeap
}

var _ SeenIDs = (*MemorySeen)(nil)

// Remember implements SeenIDs.
func (m *MemorySeen) Remember(_ context.Context, id string, until time.Time) (bool, error) {
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.until == nil {
		m.until = make(map[string]time.Time)
	}
	m.expire(now)
	if exp, ok := m.until[id]; ok && exp.After(now) {
		return false, nil
	}
	limit := m.Capacity
	if limit <= 0 {
		limit = DefaultSeenCapacity
	}
	for len(m.until) >= limit && m.order.Len() > 0 {
		m.drop(heap.Pop(&m.order).(expiry))
	}
	m.until[id] = until
	heap.Push(&m.order, expiry{id: id, at: until})
	return true, nil
}

// Len returns the number of ids held (expired ones included until the next
// Remember call prunes them).
func (m *MemorySeen) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.until)
}

func (m *MemorySeen) expire(now time.Time) {
	for m.order.Len() > 0 && !m.order[0].at.After(now) {
		m.drop(heap.Pop(&m.order).(expiry))
	}
}

// drop removes e's id unless the id was remembered again with a later time.
func (m *MemorySeen) drop(e expiry) {
	if at, ok := m.until[e.id]; ok && at.Equal(e.at) {
		delete(m.until, e.id)
	}
}

type expiry struct {
	id string
	at time.Time
}

type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
