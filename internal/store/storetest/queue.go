package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// OpenQueue opens an empty queue store with cfg for one test.
type OpenQueue func(t *testing.T, cfg store.Config) store.Queue

// RunQueue runs the conformance suite of store.Queue (embedded only:
// deployments use Amazon SQS).
func RunQueue(t *testing.T, open OpenQueue) {
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, q store.Queue, clock *Clock)
	}{
		{"ReceiveDeleteVisibility", testQueueBasics},
		{"Dedupe", testQueueDedupe},
		{"DeadLetters", testQueueDeadLetters},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := NewClock(start)
			c.fn(t, open(t, Config(clock)), clock)
		})
	}
}

func bodies(ms []store.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m.Body))
	}
	return out
}

func testQueueBasics(t *testing.T, q store.Queue, clock *Clock) {
	ctx := context.Background()
	for i := range 5 {
		ok3(q.Enqueue(ctx, "launch", []byte(fmt.Sprint("m", i)), store.EnqueueOptions{}))(t)
	}
	ok3(q.Enqueue(ctx, "launch", []byte("later"), store.EnqueueOptions{Delay: time.Minute}))(t)
	ok3(q.Enqueue(ctx, "other", []byte("elsewhere"), store.EnqueueOptions{}))(t)
	_, err := q.Receive(ctx, "launch", 0, time.Minute, 3)
	isErr(t, "receive 0", err, store.ErrInvalid)

	first := ok(q.Receive(ctx, "launch", 2, 30*time.Second, 3))(t)
	same(t, "first receive, in order", bodies(first), []string{"m0", "m1"})
	if first[0].Attempts != 1 || first[0].Receipt == "" {
		t.Fatalf("received %+v", first[0])
	}
	same(t, "hidden ones are skipped", bodies(ok(q.Receive(ctx, "launch", 10, 30*time.Second, 3))(t)), []string{"m2", "m3", "m4"})
	same(t, "nothing visible", bodies(ok(q.Receive(ctx, "launch", 10, 30*time.Second, 3))(t)), []string(nil))
	noErr(t, q.DeleteMessage(ctx, "launch", first[0].Receipt))
	isErr(t, "delete twice", q.DeleteMessage(ctx, "launch", first[0].Receipt), store.ErrNotFound)

	clock.Advance(30 * time.Second) // m1..m4 visible again
	again := ok(q.Receive(ctx, "launch", 1, 30*time.Second, 3))(t)
	same(t, "redelivered", bodies(again), []string{"m1"})
	if again[0].Attempts != 2 {
		t.Fatalf("attempts %d", again[0].Attempts)
	}
	isErr(t, "stale receipt", q.DeleteMessage(ctx, "launch", first[1].Receipt), store.ErrConflict)
	noErr(t, q.RetryMessage(ctx, "launch", again[0].Receipt, 2*time.Minute))
	clock.Advance(30 * time.Second) // "later" is visible now, m1 not yet
	same(t, "after retry delay", bodies(ok(q.Receive(ctx, "launch", 10, time.Hour, 3))(t)), []string{"m2", "m3", "m4", "later"})
	waiting, dead := ok3b(q.QueueDepth(ctx, "launch"))(t)
	if waiting != 5 || dead != 0 {
		t.Fatalf("depth %d waiting, %d dead", waiting, dead)
	}
	same(t, "other queue", bodies(ok(q.Receive(ctx, "other", 10, time.Minute, 3))(t)), []string{"elsewhere"})
}

// ok3b is ok for (int, int, error).
func ok3b(a, b int, err error) func(t *testing.T) (int, int) {
	return func(t *testing.T) (int, int) {
		t.Helper()
		noErr(t, err)
		return a, b
	}
}

func testQueueDedupe(t *testing.T, q store.Queue, clock *Clock) {
	ctx := context.Background()
	id, dup, err := q.Enqueue(ctx, "q", []byte("a"), store.EnqueueOptions{DedupeID: "job-1"})
	noErr(t, err)
	id2, dup2, err := q.Enqueue(ctx, "q", []byte("a again"), store.EnqueueOptions{DedupeID: "job-1"})
	noErr(t, err)
	if dup || !dup2 || id2 != id {
		t.Fatalf("dedupe: %s %v, %s %v", id, dup, id2, dup2)
	}
	clock.Advance(store.DedupeWindow)
	_, dup3, err := q.Enqueue(ctx, "q", []byte("a after the window"), store.EnqueueOptions{DedupeID: "job-1"})
	noErr(t, err)
	if dup3 {
		t.Fatal("deduplicated after the window")
	}
	same(t, "messages", bodies(ok(q.Receive(ctx, "q", 10, time.Minute, 0))(t)), []string{"a", "a after the window"})
}

func testQueueDeadLetters(t *testing.T, q store.Queue, clock *Clock) {
	ctx := context.Background()
	for i := range 3 {
		ok3(q.Enqueue(ctx, "q", []byte(fmt.Sprint("poison", i)), store.EnqueueOptions{}))(t)
	}
	for range 2 { // two attempts each, never deleted
		if got := ok(q.Receive(ctx, "q", 10, time.Second, 2))(t); len(got) != 3 {
			t.Fatalf("received %d", len(got))
		}
		clock.Advance(time.Second)
	}
	same(t, "third receive moves them to the dead letters", bodies(ok(q.Receive(ctx, "q", 10, time.Second, 2))(t)), []string(nil))
	waiting, dead := ok3b(q.QueueDepth(ctx, "q"))(t)
	if waiting != 0 || dead != 3 {
		t.Fatalf("depth %d waiting, %d dead", waiting, dead)
	}
	dl := collect(t, func(cur string) (store.Page[store.Message], error) { return q.DeadLetters(ctx, "q", cur, 2) })
	same(t, "dead letters", bodies(dl), []string{"poison0", "poison1", "poison2"})
	if dl[0].Attempts != 2 || dl[0].DeadAt.IsZero() {
		t.Fatalf("dead letter %+v", dl[0])
	}
	if n := ok(q.Redrive(ctx, "q", []string{dl[1].ID}))(t); n != 1 {
		t.Fatalf("redrove %d", n)
	}
	got := ok(q.Receive(ctx, "q", 10, time.Second, 2))(t)
	if same(t, "redriven", bodies(got), []string{"poison1"}); got[0].Attempts != 1 {
		t.Fatalf("attempts after redrive %d", got[0].Attempts)
	}
	if n := ok(q.Redrive(ctx, "q", nil))(t); n != 2 {
		t.Fatalf("redrove all: %d", n)
	}
	waiting, dead = ok3b(q.QueueDepth(ctx, "q"))(t)
	if waiting != 3 || dead != 0 {
		t.Fatalf("depth after redrive %d waiting, %d dead", waiting, dead)
	}
}
