package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// A SweepingStore is a store and queue that removes expired records
// itself (memory, embedded).
type SweepingStore interface {
	store.Store
	store.Queue
	Sweeper
}

// RunSweep proves Sweep removes every kind of expiring record once
// expired, and nothing before. s must be empty and on clock; left lists
// the records still stored afterwards that the test should complain about.
func RunSweep(t *testing.T, s SweepingStore, clock *Clock, left func(*testing.T) []string) {
	ctx := context.Background()
	now := clock.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.AppendInteraction(ctx, "acme", store.Interaction{Contact: "c-1", Kind: store.InteractionSent, At: now})
	must(err)
	_, err = s.AppendStepLog(ctx, "acme", store.StepLog{Contact: "c-1", Journey: "j", Step: "s", At: now, Outcome: store.StepSent})
	must(err)
	_, err = s.CreateCallback(ctx, "acme", store.Callback{ID: "cb-1", Kind: store.CallbackEvent, Token: "T", Execution: "x", Contact: "c-1", Journey: "j", Step: "s", ExpiresAt: now.Add(time.Hour)})
	must(err)
	r, err := s.BeginIdempotency(ctx, "acme", "k", time.Minute)
	must(err)
	must(s.CompleteIdempotency(ctx, "acme", "k", r.Token, []byte("ok"), 2*time.Hour))
	_, _, err = s.Enqueue(ctx, "q", []byte("x"), store.EnqueueOptions{DedupeID: "d"})
	must(err)

	count := func() int {
		n, err := s.Sweep(ctx)
		must(err)
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("swept %d records before any expired", n)
	}
	for _, c := range []struct {
		advance time.Duration
		want    int
	}{
		{store.DedupeWindow, 1},   // the dedupe entry
		{2 * time.Hour, 1},        // the idempotency record
		{store.CallbackGrace, 1},  // the callback, after its grace
		{InteractionRetention, 1}, // the interaction
		{StepLogRetention, 1},     // the step log
		{365 * 24 * time.Hour, 0},
	} {
		clock.Advance(c.advance)
		if n := count(); n != c.want {
			t.Fatalf("after %s more, swept %d, want %d", c.advance, n, c.want)
		}
	}
	for _, item := range left(t) {
		t.Errorf("left after sweeping: %q", item)
	}
}
