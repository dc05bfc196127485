package asl

import (
	"container/heap"
	"time"
)

type timerKind uint8

const (
	timerWait timerKind = iota + 1
	timerRetry
	timerTaskTimeout
	timerHeartbeat
	timerExecutionTimeout
)

// A timer wakes a thread (or times out an execution) at a time. Cancelled
// timers stay in the heap until they come up and are then dropped.
type timer struct {
	due       time.Time
	seq       uint64
	kind      timerKind
	t         *thread
	x         *execution
	cancelled bool
	index     int
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	t.index = -1
	return t
}

// addTimer schedules a timer; the engine lock is held.
func (e *Engine) addTimer(tm *timer) *timer {
	e.timerSeq++
	tm.seq = e.timerSeq
	heap.Push(&e.timers, tm)
	e.signal()
	return tm
}

// cancelTimer removes a timer from the heap.
func (e *Engine) cancelTimer(tm *timer) {
	if tm == nil || tm.cancelled {
		return
	}
	tm.cancelled = true
	if tm.index >= 0 && tm.index < len(e.timers) && e.timers[tm.index] == tm {
		heap.Remove(&e.timers, tm.index)
	}
}

// nextTimer returns the earliest live timer, dropping cancelled ones.
func (e *Engine) nextTimer() *timer {
	for len(e.timers) > 0 {
		if e.timers[0].cancelled {
			heap.Pop(&e.timers)
			continue
		}
		return e.timers[0]
	}
	return nil
}
