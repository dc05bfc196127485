package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/journeys-oss/journeys/internal/webhook"
)

// Worker defaults, used when the matching field is zero.
const (
	DefaultBatch     = 10
	DefaultRetryBase = 5 * time.Second
	DefaultRetryMax  = 5 * time.Minute
	DefaultIdle      = time.Second
)

// A Worker drains a Receiver into a Handler: a handled message is deleted,
// a failed one is made visible again after an exponential backoff (equal
// jitter) by its attempt number; the Receiver dead-letters a message that
// failed too often. It is the local stand-in for Lambda's SQS event source.
type Worker struct {
	Receiver Receiver
	Handler  Handler
	// Batch is the number of messages asked for per Receive.
	Batch int
	// RetryBase and RetryMax shape the delay before a failed message is
	// visible again.
	RetryBase, RetryMax time.Duration
	// Idle is the pause of Run after an empty Receive.
	Idle time.Duration
	// Sleep waits for Run (webhook.SleepContext when nil); Rand is the
	// jitter source (math/rand when nil). Tests inject both.
	Sleep func(ctx context.Context, d time.Duration) error
	Rand  func() float64
	// Logger receives one line per failure; slog.Default when nil.
	Logger *slog.Logger
}

// Stats counts what a Drain did.
type Stats struct {
	Received, Handled, Failed int
}

// Drain receives and handles messages until a Receive returns none, and
// reports what it did. Messages whose retry delay has not passed are not
// visible, so a Drain ends while they wait: call it again later (with a
// virtual clock in tests). Errors are the Receiver's.
func (w *Worker) Drain(ctx context.Context) (Stats, error) {
	var st Stats
	for {
		n, err := w.Once(ctx, &st)
		if err != nil || n == 0 {
			return st, err
		}
	}
}

// Run drains the queue until ctx is done, pausing Idle when it is empty.
// A failing Receive is logged and retried after Idle.
func (w *Worker) Run(ctx context.Context) error {
	sleep := w.Sleep
	if sleep == nil {
		sleep = webhook.SleepContext
	}
	idle := w.Idle
	if idle <= 0 {
		idle = DefaultIdle
	}
	var st Stats
	for {
		n, err := w.Once(ctx, &st)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			w.logger().Error("queue receive failed", "error", err.Error())
		}
		if n == 0 || err != nil {
			if err := sleep(ctx, idle); err != nil {
				return err
			}
		}
	}
}

// Once receives one batch and handles it; it returns the number received.
func (w *Worker) Once(ctx context.Context, st *Stats) (int, error) {
	batch := w.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	ms, err := w.Receiver.Receive(ctx, batch)
	if err != nil {
		return 0, fmt.Errorf("worker: %w", err)
	}
	for _, m := range ms {
		st.Received++
		if err := w.handle(ctx, m); err != nil {
			st.Failed++
			continue
		}
		st.Handled++
	}
	return len(ms), nil
}

func (w *Worker) handle(ctx context.Context, m Message) error {
	herr := w.Handler(ctx, m)
	if herr == nil {
		if err := w.Receiver.Delete(ctx, m); err != nil && !errors.Is(err, ErrStaleReceipt) {
			// Handled but not deleted: it comes back, and the handler's
			// idempotency makes the repeat harmless.
			w.logger().Warn("queue delete failed", "message", m.ID, "error", err.Error())
		}
		return nil
	}
	delay := w.retryDelay(m.Attempts)
	w.logger().Warn("queue message failed", "message", m.ID, "attempt", m.Attempts, "retryIn", delay, "error", herr.Error())
	if err := w.Receiver.Retry(ctx, m, delay); err != nil && !errors.Is(err, ErrStaleReceipt) {
		w.logger().Warn("queue retry failed", "message", m.ID, "error", err.Error())
	}
	return herr
}

func (w *Worker) retryDelay(attempt int) time.Duration {
	b := webhook.Backoff{Base: w.RetryBase, Max: w.RetryMax, Rand: w.Rand}
	if b.Base <= 0 {
		b.Base = DefaultRetryBase
	}
	if b.Max <= 0 {
		b.Max = DefaultRetryMax
	}
	// Equal jitter: half of the step is fixed, so a failed message never
	// comes straight back, and half is random, so retries spread out.
	retry := max(attempt-1, 0)
	step := b.Base
	for i := 0; i < retry && step < b.Max; i++ {
		step *= 2
	}
	return min(step, b.Max)/2 + b.Delay(retry)/2
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}
