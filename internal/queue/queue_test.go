package queue_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

func openStore(t *testing.T, c *asl.VirtualClock) *embedded.Store {
	t.Helper()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: c.Now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestStoreQueue(t *testing.T) {
	ctx := context.Background()
	c := asl.NewVirtualClock(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	q := queue.NewStore(openStore(t, c), "leads", queue.StoreOptions{Visibility: time.Minute, MaxAttempts: 2})

	id1, dup, err := q.Send(ctx, []byte(`{"n":1}`), queue.SendOptions{DedupeID: "a"})
	if err != nil || dup {
		t.Fatalf("first send: %v %v", dup, err)
	}
	if id, dup, err := q.Send(ctx, []byte(`{"n":1}`), queue.SendOptions{DedupeID: "a"}); err != nil || !dup || id != id1 {
		t.Fatalf("repeat send: %s %v %v (want %s, duplicate)", id, dup, err, id1)
	}
	ms, err := q.Receive(ctx, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("receive: %v %v", ms, err)
	}
	if diff := cmp.Diff(queue.Message{ID: id1, Body: []byte(`{"n":1}`), Attempts: 1}, ms[0], cmpIgnoreReceipt); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if again, _ := q.Receive(ctx, 10); len(again) != 0 {
		t.Fatalf("message visible while hidden: %v", again)
	}
	c.Advance(2 * time.Minute)
	second, _ := q.Receive(ctx, 10)
	if len(second) != 1 || second[0].Attempts != 2 {
		t.Fatalf("redelivery: %+v", second)
	}
	if err := q.Delete(ctx, ms[0]); !errors.Is(err, queue.ErrStaleReceipt) {
		t.Errorf("delete with the first receipt: %v, want ErrStaleReceipt", err)
	}
	if err := q.Retry(ctx, second[0], 0); err != nil {
		t.Fatal(err)
	}
	if third, _ := q.Receive(ctx, 10); len(third) != 0 {
		t.Fatalf("a message past MaxAttempts was delivered: %+v", third)
	}
	if waiting, dead, _ := q.Depth(ctx); waiting != 0 || dead != 1 {
		t.Errorf("depth %d waiting, %d dead; want 0, 1", waiting, dead)
	}
}

var cmpIgnoreReceipt = cmp.Transformer("noReceipt", func(m queue.Message) queue.Message { m.Receipt = ""; return m })

func TestWorkerRetriesThenDeadLetters(t *testing.T) {
	ctx := context.Background()
	c := asl.NewVirtualClock(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	q := queue.NewStore(openStore(t, c), "work", queue.StoreOptions{Visibility: time.Minute, MaxAttempts: 3})
	for _, b := range []string{"ok", "flaky", "broken"} {
		if _, _, err := q.Send(ctx, []byte(b), queue.SendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	w := &queue.Worker{Receiver: q, RetryBase: 10 * time.Second, RetryMax: time.Minute, Rand: func() float64 { return 0.5 },
		Handler: func(_ context.Context, m queue.Message) error {
			seen[string(m.Body)]++
			switch {
			case string(m.Body) == "broken", string(m.Body) == "flaky" && m.Attempts < 2:
				return fmt.Errorf("attempt %d failed", m.Attempts)
			}
			return nil
		}}
	var total queue.Stats
	for round := 0; round < 5; round++ {
		st, err := w.Drain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total.Received += st.Received
		total.Handled += st.Handled
		total.Failed += st.Failed
		c.Advance(2 * time.Minute)
	}
	if diff := cmp.Diff(map[string]int{"ok": 1, "flaky": 2, "broken": 3}, seen); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(queue.Stats{Received: 6, Handled: 2, Failed: 4}, total); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if waiting, dead, _ := q.Depth(ctx); waiting != 0 || dead != 1 {
		t.Errorf("depth %d waiting, %d dead; want 0, 1", waiting, dead)
	}
}

func TestBatchReportsFailures(t *testing.T) {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "ok", Attributes: map[string]string{"ApproximateReceiveCount": "1"}},
		{MessageId: "m2", Body: "bad", Attributes: map[string]string{"ApproximateReceiveCount": "3"}},
		{MessageId: "m3", Body: "ok"},
	}}
	var attempts []int
	resp := queue.Batch(context.Background(), ev, func(_ context.Context, m queue.Message) error {
		attempts = append(attempts, m.Attempts)
		if string(m.Body) == "bad" {
			return errors.New("bad message")
		}
		return nil
	}, nil)
	want := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "m2"}}}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 3, 0}, attempts); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
}

// TestWorkerRun drains what is queued, pauses when idle through the
// injected sleep, and stops with its context.
func TestWorkerRun(t *testing.T) {
	c := asl.NewVirtualClock(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	q := queue.NewStore(openStore(t, c), "run", queue.StoreOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := 0; i < 25; i++ {
		if _, _, err := q.Send(ctx, []byte(fmt.Sprint(i)), queue.SendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	handled, idles := 0, 0
	w := &queue.Worker{Receiver: q, Batch: 10,
		Handler: func(context.Context, queue.Message) error { handled++; return nil },
		Sleep: func(ctx context.Context, d time.Duration) error {
			idles++
			if d != queue.DefaultIdle {
				t.Errorf("idle pause %s, want %s", d, queue.DefaultIdle)
			}
			if idles == 2 {
				cancel()
			}
			return ctx.Err()
		}}
	if err := w.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	if handled != 25 || idles != 2 {
		t.Errorf("handled %d, idle %d times; want 25 and 2", handled, idles)
	}
}
