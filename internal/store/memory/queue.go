package memory

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// queues keeps the local work queues: each message once, in a heap by the
// time it becomes visible (then by id, which grows with each enqueue), and
// dead letters by the time they died.
type queues struct {
	mu     sync.Mutex
	seq    int64
	byName map[string]*msgQueue
}

type msgQueue struct {
	msgs   map[string]*queued
	ready  readyHeap
	dedupe map[string]dedupe
	dead   []store.Message // by DeadAt, then id
}

type queued struct {
	m     store.Message
	index int // in ready
}

type dedupe struct {
	id      string
	expires time.Time
}

// readyHeap orders messages by visibility, then id.
type readyHeap []*queued

func (h readyHeap) Len() int { return len(h) }
func (h readyHeap) Less(i, j int) bool {
	return compareAt(h[i].m.VisibleAt, h[i].m.ID, h[j].m.VisibleAt, h[j].m.ID) < 0
}
func (h readyHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *readyHeap) Push(x any) {
	q := x.(*queued)
	q.index = len(*h)
	*h = append(*h, q)
}
func (h *readyHeap) Pop() any {
	old := *h
	q := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return q
}

// named returns a queue, made when missing. The caller holds the lock.
func (qs *queues) named(name string) *msgQueue {
	q := qs.byName[name]
	if q == nil {
		if qs.byName == nil {
			qs.byName = map[string]*msgQueue{}
		}
		q = &msgQueue{msgs: map[string]*queued{}, dedupe: map[string]dedupe{}}
		qs.byName[name] = q
	}
	return q
}

func cloneMessage(m store.Message) store.Message {
	m.Body = bytes.Clone(m.Body)
	return m
}

// Enqueue implements store.Queue.
func (s *Store) Enqueue(ctx context.Context, queue string, body []byte, o store.EnqueueOptions) (string, bool, error) {
	err := store.CheckID("queue", queue)
	if err == nil && o.DedupeID != "" {
		err = store.CheckID("dedupe id", o.DedupeID)
	}
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return "", false, fmt.Errorf("enqueue on %s: %w", queue, err)
	}
	s.queues.mu.Lock()
	defer s.queues.mu.Unlock()
	q, now := s.queues.named(queue), store.UTC(s.now())
	if d, ok := q.dedupe[o.DedupeID]; o.DedupeID != "" && ok && !store.Expired(d.expires, now) {
		return d.id, true, nil
	}
	s.queues.seq++
	id := fmt.Sprintf("m-%016d", s.queues.seq)
	m := &queued{m: store.Message{ID: id, Queue: queue, Body: bytes.Clone(body), DedupeID: o.DedupeID, EnqueuedAt: now, VisibleAt: now.Add(o.Delay)}}
	if o.DedupeID != "" {
		q.dedupe[o.DedupeID] = dedupe{id, now.Add(store.DedupeWindow)}
	}
	q.msgs[id] = m
	heap.Push(&q.ready, m)
	return id, false, nil
}

// Receive implements store.Queue.
func (s *Store) Receive(ctx context.Context, queue string, max int, visibility time.Duration, maxAttempts int) ([]store.Message, error) {
	err := store.CheckID("queue", queue)
	if err == nil && max < 1 {
		err = fmt.Errorf("receive %d messages: %w", max, store.ErrInvalid)
	}
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("receive from %s: %w", queue, err)
	}
	s.queues.mu.Lock()
	defer s.queues.mu.Unlock()
	q, now := s.queues.named(queue), store.UTC(s.now())
	var out []store.Message
	var taken []*queued
	for len(out) < max && q.ready.Len() > 0 && !q.ready[0].m.VisibleAt.After(now) {
		m := heap.Pop(&q.ready).(*queued)
		if maxAttempts > 0 && m.m.Attempts >= maxAttempts {
			delete(q.msgs, m.m.ID)
			d := m.m
			d.DeadAt, d.Receipt = now, ""
			q.bury(d)
			continue
		}
		m.m.Attempts++
		m.m.Receipt = m.m.ID + "." + store.NewID("")
		m.m.VisibleAt = now.Add(visibility)
		taken = append(taken, m)
		out = append(out, cloneMessage(m.m))
	}
	for _, m := range taken { // back in only now: a zero visibility must not hand it out twice
		heap.Push(&q.ready, m)
	}
	return out, nil
}

// bury keeps a dead letter in order.
func (q *msgQueue) bury(d store.Message) {
	pos, _ := slices.BinarySearchFunc(q.dead, d, func(a, b store.Message) int { return compareAt(a.DeadAt, a.ID, b.DeadAt, b.ID) })
	q.dead = slices.Insert(q.dead, pos, d)
}

// withReceipt finds the message a receipt belongs to: ErrNotFound when it
// is gone, ErrConflict when it was received again since. The caller holds
// the lock.
func (qs *queues) withReceipt(queue, receipt string) (*msgQueue, *queued, error) {
	id, _, ok := strings.Cut(receipt, ".")
	if !ok {
		return nil, nil, fmt.Errorf("receipt: %w", store.ErrInvalid)
	}
	q := qs.byName[queue]
	if q == nil || q.msgs[id] == nil {
		return nil, nil, store.ErrNotFound
	}
	m := q.msgs[id]
	if m.m.Receipt != receipt {
		return nil, nil, fmt.Errorf("stale receipt: %w", store.ErrConflict)
	}
	return q, m, nil
}

// DeleteMessage implements store.Queue.
func (s *Store) DeleteMessage(ctx context.Context, queue, receipt string) error {
	err := checkCtx(ctx)
	if err == nil {
		s.queues.mu.Lock()
		var q *msgQueue
		var m *queued
		if q, m, err = s.queues.withReceipt(queue, receipt); err == nil {
			heap.Remove(&q.ready, m.index)
			delete(q.msgs, m.m.ID)
		}
		s.queues.mu.Unlock()
	}
	return wrap("delete message from "+queue, err)
}

// RetryMessage implements store.Queue.
func (s *Store) RetryMessage(ctx context.Context, queue, receipt string, delay time.Duration) error {
	err := checkCtx(ctx)
	if err == nil {
		s.queues.mu.Lock()
		var q *msgQueue
		var m *queued
		if q, m, err = s.queues.withReceipt(queue, receipt); err == nil {
			m.m.VisibleAt = store.UTC(s.now()).Add(delay)
			heap.Fix(&q.ready, m.index)
		}
		s.queues.mu.Unlock()
	}
	return wrap("retry message on "+queue, err)
}

// QueueDepth implements store.Queue.
func (s *Store) QueueDepth(ctx context.Context, queue string) (int, int, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, 0, fmt.Errorf("depth of %s: %w", queue, err)
	}
	s.queues.mu.Lock()
	defer s.queues.mu.Unlock()
	q := s.queues.byName[queue]
	if q == nil {
		return 0, 0, nil
	}
	return len(q.msgs), len(q.dead), nil
}

// DeadLetters implements store.Queue.
func (s *Store) DeadLetters(ctx context.Context, queue, cursor string, limit int) (store.Page[store.Message], error) {
	var page store.Page[store.Message]
	err := checkCtx(ctx)
	scope := "dead\x00" + queue
	var last timeID
	var ok bool
	if err == nil {
		last, ok, err = timeCursor(cursor, scope)
	}
	if err != nil {
		return page, fmt.Errorf("dead letters of %s: %w", queue, err)
	}
	limit = store.PageLimit(limit)
	s.queues.mu.Lock()
	defer s.queues.mu.Unlock()
	q := s.queues.byName[queue]
	if q == nil {
		return page, nil
	}
	i := 0
	if ok {
		pos, found := slices.BinarySearchFunc(q.dead, last, func(m store.Message, t timeID) int { return compareAt(m.DeadAt, m.ID, t.at, t.id) })
		if i = pos; found {
			i++
		}
	}
	for ; i < len(q.dead) && len(page.Items) < limit; i++ {
		page.Items = append(page.Items, cloneMessage(q.dead[i]))
	}
	if i < len(q.dead) {
		l := q.dead[i-1]
		page.Next = encodeCursor(scope, store.SortableTime(l.DeadAt)+"\x00"+l.ID)
	}
	return page, nil
}

// Redrive implements store.Queue.
func (s *Store) Redrive(ctx context.Context, queue string, ids []string) (int, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, fmt.Errorf("redrive %s: %w", queue, err)
	}
	s.queues.mu.Lock()
	defer s.queues.mu.Unlock()
	q := s.queues.byName[queue]
	if q == nil {
		return 0, nil
	}
	now := store.UTC(s.now())
	moved := 0
	q.dead = slices.DeleteFunc(q.dead, func(m store.Message) bool {
		if len(ids) > 0 && !slices.Contains(ids, m.ID) {
			return false
		}
		m.Attempts, m.DeadAt, m.Receipt, m.VisibleAt = 0, time.Time{}, "", now
		qm := &queued{m: m}
		q.msgs[m.ID] = qm
		heap.Push(&q.ready, qm)
		moved++
		return true
	})
	return moved, nil
}
