package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
)

// RetryStore is what a Retrier reads and writes (store.Store has it).
type RetryStore interface {
	handler.WaitStore
	// AppendInteractions replaces an interaction stored under the same id
	// and time: recording a job's interaction again adds nothing.
	AppendInteractions(ctx context.Context, bu string, is []store.Interaction) error
	BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error)
	CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error
	ReleaseIdempotency(ctx context.Context, bu, key, token string) error
}

// RetrierConfig is what NewRetrier needs; Store and Tasks are required.
type RetrierConfig struct {
	Store RetryStore
	Tasks handler.TaskAnswerer
	// ResumeBackoff waits between the attempts of one resume
	// (handler.Resumer.Backoff; handler.DefaultResumeBackoff when nil).
	ResumeBackoff func(ctx context.Context, attempt int) error
	// Lease is how long one run holds a job against a concurrent delivery
	// of the same (DefaultJobLease when 0): longer than a run takes.
	Lease time.Duration
	// Keep is how long a finished job is remembered, so a late redelivery
	// does nothing (DefaultJobKeep when 0).
	Keep   time.Duration
	Logger *slog.Logger
}

// Retrier defaults.
const (
	DefaultJobLease = 2 * time.Minute
	// DefaultJobKeep covers SQS's longest retention (14 days), so even a
	// job redriven from the dead letters late runs at most once.
	DefaultJobKeep = 14 * 24 * time.Hour
)

// ErrJobBusy: another delivery of the same job is running; the queue
// delivers this one again later.
var ErrJobBusy = errors.New("tracking: retry job in progress")

// A Retrier finishes the work a failed open or click left on the retry
// queue: it records the interaction if it was not recorded, then resumes
// the waits for the event. It is safe for concurrent use.
type Retrier struct {
	cfg RetrierConfig
	log *slog.Logger
}

// NewRetrier checks cfg and returns the job handler.
func NewRetrier(cfg RetrierConfig) (*Retrier, error) {
	if cfg.Store == nil || cfg.Tasks == nil {
		return nil, errors.New("tracking: retrier: Store and Tasks are required")
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultJobLease
	}
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultJobKeep
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Retrier{cfg: cfg, log: cfg.Logger}, nil
}

var _ queue.Handler = (*Retrier)(nil).Handle

// Handle runs one delivery of a job (a queue.Handler). Delivery is at
// least once, so a job runs under an idempotency record: a job done
// before is success at once, and one running elsewhere is ErrJobBusy.
// Recording again after a half-finished run replaces the interaction
// (same id and time) rather than adding one, and the resume is single
// use per wait, so a repeat never records or resumes twice. Nothing left
// waiting (the wait timed out, or was resumed by a later open) is
// success. A store or Step Functions failure is returned, for the queue
// to retry with backoff and dead-letter at last; so is ErrMalformedJob.
func (r *Retrier) Handle(ctx context.Context, m queue.Message) error {
	j, ref, err := ParseJob(m.Body)
	if err != nil {
		return fmt.Errorf("retry job %s: %w", m.ID, err)
	}
	if ref.Test {
		return nil // test sends are never recorded
	}
	log := r.log.With("bu", ref.BU, "journey", ref.Journey, "version", ref.Version, "step", ref.Step,
		"event", j.Event, "interaction", j.Interaction, "attempt", m.Attempts)
	key := j.idempotencyKey()
	rec, err := r.cfg.Store.BeginIdempotency(ctx, ref.BU, key, r.cfg.Lease)
	if err != nil {
		return fmt.Errorf("retry job %s: begin: %w", j.Interaction, err)
	}
	switch rec.State {
	case store.IdempotencyCompleted:
		log.InfoContext(ctx, "tracking retry done before")
		return nil
	case store.IdempotencyInProgress:
		return fmt.Errorf("retry job %s: %w", j.Interaction, ErrJobBusy)
	}
	n, err := r.run(ctx, j, ref)
	if err != nil {
		if rerr := r.cfg.Store.ReleaseIdempotency(context.WithoutCancel(ctx), ref.BU, key, rec.Token); rerr != nil {
			log.WarnContext(ctx, "release tracking retry", "error", rerr.Error())
		}
		return fmt.Errorf("retry job %s: %w", j.Interaction, err)
	}
	if err := r.cfg.Store.CompleteIdempotency(ctx, ref.BU, key, rec.Token, nil, r.cfg.Keep); err != nil {
		// The work is done; a redelivery would find nothing new to do.
		log.WarnContext(ctx, "complete tracking retry", "error", err.Error())
	}
	log.InfoContext(ctx, "tracking retry", "recorded", !j.Recorded, "resumed", n)
	return nil
}

// run records the interaction unless it is recorded, then resumes the
// waits it answers, and reports how many it resumed.
func (r *Retrier) run(ctx context.Context, j Job, ref channel.MessageRef) (int, error) {
	if !j.Recorded {
		if err := r.cfg.Store.AppendInteractions(ctx, ref.BU, []store.Interaction{j.interaction(ref)}); err != nil {
			return 0, fmt.Errorf("record interaction: %w", err)
		}
	}
	res := handler.Resumer{Store: r.cfg.Store, Tasks: r.cfg.Tasks, Backoff: r.cfg.ResumeBackoff}
	n, err := res.ResumeWaits(ctx, ref.BU, ref.Contact, j.Event, &ref, "")
	if err != nil {
		return n, fmt.Errorf("resume waits: %w", err)
	}
	return n, nil
}
