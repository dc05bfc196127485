package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
)

// JobVersion is the version of the Job payload this package writes and
// reads.
const JobVersion = 1

// A Job is what an open or click whose recording or resume failed leaves
// on the retry queue: enough to finish the work idempotently. The
// interaction carries its id from the start, so recording it again
// replaces the copy a half-failed write may have left instead of adding a
// second one. No personal data: ids, the kind, the time and the detail
// the interaction itself stores.
type Job struct {
	V int `json:"v"`
	// Message is the channel.MessageRef the tracking URL carried.
	Message string `json:"message"`
	// Interaction is the interaction's id, fixed before the first write.
	Interaction string                `json:"interaction"`
	Kind        store.InteractionKind `json:"kind"`
	At          time.Time             `json:"at"`
	Detail      map[string]string     `json:"detail,omitempty"`
	// Recorded says the interaction is stored already: only the resume
	// is left.
	Recorded bool `json:"recorded"`
	// Event is what the waits wait for: email.opened or email.clicked.
	Event string `json:"event"`
}

// ErrMalformedJob: a queued body is not a Job this package can run. The
// queue dead-letters it after its attempts, where an operator finds it.
var ErrMalformedJob = errors.New("tracking: malformed retry job")

// newJob describes the work left for interaction i of ref.
func newJob(ref channel.MessageRef, i store.Interaction, event string, recorded bool) Job {
	return Job{V: JobVersion, Message: ref.String(), Interaction: i.ID, Kind: i.Kind, At: i.At,
		Detail: i.Detail, Recorded: recorded, Event: event}
}

// DedupeID is the queue's deduplication id of the job: one per
// interaction, whatever is left of its work.
func (j Job) DedupeID(bu string) string { return "trk|" + bu + "|" + j.Interaction }

// idempotencyKey guards running the job once.
func (j Job) idempotencyKey() string { return "trk-job|" + j.Interaction }

// ParseJob reads a queued job and its message reference. Errors wrap
// ErrMalformedJob.
func ParseJob(body []byte) (Job, channel.MessageRef, error) {
	var j Job
	if err := json.Unmarshal(body, &j); err != nil {
		return j, channel.MessageRef{}, fmt.Errorf("%w: %w", ErrMalformedJob, err)
	}
	if j.V != JobVersion {
		return j, channel.MessageRef{}, fmt.Errorf("%w: version %d, want %d", ErrMalformedJob, j.V, JobVersion)
	}
	ref, err := channel.ParseMessageRef(j.Message)
	if err != nil {
		return j, ref, fmt.Errorf("%w: message: %w", ErrMalformedJob, err)
	}
	if err := store.CheckID("interaction", j.Interaction); err != nil || j.Kind == "" || j.At.IsZero() || j.Event == "" {
		return j, ref, fmt.Errorf("%w: interaction %q of kind %q at %s for event %q", ErrMalformedJob, j.Interaction, j.Kind, j.At, j.Event)
	}
	return j, ref, nil
}

// interaction is the interaction the job records.
func (j Job) interaction(ref channel.MessageRef) store.Interaction {
	return store.Interaction{ID: j.Interaction, Contact: ref.Contact, Kind: j.Kind, Channel: channel.Email, At: j.At,
		Journey: ref.Journey, Version: ref.Version, Step: ref.Step, Message: j.Message, Detail: j.Detail}
}

// retrySendTimeout bounds queueing a job, which runs even when the
// request's context has ended (that may be why the work failed).
const retrySendTimeout = 5 * time.Second

// queueRetry leaves the rest of the work to the retry queue, when there
// is one. A job that cannot be queued is logged and lost, as the work
// would be without a queue.
func (h *Handler) queueRetry(ctx context.Context, log *slog.Logger, ref channel.MessageRef, j Job) {
	if h.cfg.Retry == nil {
		return
	}
	body, err := json.Marshal(j)
	if err != nil {
		log.ErrorContext(ctx, "queue tracking retry", "error", err.Error())
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), retrySendTimeout)
	defer cancel()
	if _, dup, err := h.cfg.Retry.Send(sctx, body, queue.SendOptions{DedupeID: j.DedupeID(ref.BU)}); err != nil {
		log.ErrorContext(ctx, "queue tracking retry", "interaction", j.Interaction, "error", err.Error())
	} else {
		log.InfoContext(ctx, "tracking retry queued", "interaction", j.Interaction, "recorded", j.Recorded, "duplicate", dup)
	}
}
