package leads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
)

// Idempotencies is the store part the Inbox and the Processor guard work with.
type Idempotencies interface {
	BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error)
	CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error
	ReleaseIdempotency(ctx context.Context, bu, key, token string) error
}

// Defaults of InboxOptions and Options.
const (
	// DefaultLease bounds how long a crashed holder blocks a key. It must
	// exceed the longest processing of one lead (the LinkedIn client's
	// retries and Retry-After waits included, and the sync function's
	// timeout), or a slow worker's lead is taken over while it works:
	// harmless, as every step is idempotent, but wasted.
	DefaultLease = 10 * time.Minute
	// DefaultKeep is how long dedupe records, sync records and tombstones
	// are kept: past LinkedIn's 365-day retention, so no repeat or
	// backfill can outlive them.
	DefaultKeep = 400 * 24 * time.Hour
)

// ErrUnknownOwner: no business unit claims the notification's owner. The
// webhook answers 500 so LinkedIn delivers again once one does.
var ErrUnknownOwner = errors.New("leads: no business unit for the lead's owner")

// InboxOptions configure NewInbox.
type InboxOptions struct {
	Store  Idempotencies
	Queue  queue.Sender
	Routes Routes
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Lease and Keep default to DefaultLease and DefaultKeep.
	Lease, Keep time.Duration
	Logger      *slog.Logger
}

// An Inbox takes verified notifications (it implements linkedin.Inbox)
// and queues them once. It is safe for concurrent use.
type Inbox struct {
	o InboxOptions
}

var _ linkedin.Inbox = (*Inbox)(nil)

// NewInbox checks the options and returns an Inbox.
func NewInbox(o InboxOptions) (*Inbox, error) {
	if o.Store == nil || o.Queue == nil {
		return nil, errors.New("leads inbox: a store and a queue are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Inbox{o: o}, nil
}

// Accept implements linkedin.Inbox for webhook deliveries.
func (in *Inbox) Accept(ctx context.Context, n linkedin.Notification, raw []byte) (bool, error) {
	bu, ok := in.o.Routes.BU(n.Owner)
	if !ok {
		return false, fmt.Errorf("accept lead %s: owner %s: %w", n.LeadID, n.Owner.URN, ErrUnknownOwner)
	}
	return in.accept(ctx, messageFor(bu, n, SourceWebhook, in.o.Now()), raw)
}

// accept claims the dedupe key, keeps the raw notification (webhook
// deliveries; raw is nil for backfilled leads), queues the message, then
// completes the claim with the message. Nothing is queued, and no 2xx
// given, before the raw notification is stored: a failure up to the
// enqueue gives the claim back and is an error (LinkedIn delivers again).
// A claim held by another delivery reports a duplicate: if that delivery
// fails, LinkedIn repeats it.
func (in *Inbox) accept(ctx context.Context, m Message, raw []byte) (bool, error) {
	key := "li-n|" + m.dedupeKey()
	rec, err := in.o.Store.BeginIdempotency(ctx, m.BU, key, in.o.Lease)
	if err != nil {
		return false, fmt.Errorf("accept lead %s: %w", m.Lead, err)
	}
	if rec.State != store.IdempotencyNew {
		return true, nil
	}
	body, err := json.Marshal(m)
	if err == nil && raw != nil {
		err = in.keep(ctx, m, raw)
	}
	if err == nil {
		if _, _, err = in.o.Queue.Send(ctx, body, queue.SendOptions{DedupeID: key, Group: m.Lead}); err != nil {
			err = fmt.Errorf("queue lead %s: %w", m.Lead, err)
		}
	}
	if err != nil {
		if rerr := in.o.Store.ReleaseIdempotency(ctx, m.BU, key, rec.Token); rerr != nil {
			in.o.Logger.Warn("release lead claim", "lead", m.Lead, "error", rerr.Error())
		}
		return false, err
	}
	if err := in.o.Store.CompleteIdempotency(ctx, m.BU, key, rec.Token, body, in.o.Keep); err != nil {
		// Queued and kept already: the worker will do the work. A repeat
		// finds the claim in progress (a duplicate), then expired (queued
		// again, which the worker's guard makes harmless).
		in.o.Logger.Warn("complete lead claim", "lead", m.Lead, "error", err.Error())
	}
	return false, nil
}

// RawKey is the store key (an idempotency record of the business unit,
// kept for InboxOptions.Keep) under which the Inbox keeps the raw body of
// the webhook notification of a lead and action.
func RawKey(lead, action string) string { return "li-raw|" + linkedin.LeadURN(lead) + "|" + action }

// keep stores the raw notification under RawKey before it is queued. A
// delivery that takes over an expired claim finds it kept already.
func (in *Inbox) keep(ctx context.Context, m Message, raw []byte) error {
	key := RawKey(m.Lead, m.Action)
	rec, err := in.o.Store.BeginIdempotency(ctx, m.BU, key, in.o.Lease)
	switch {
	case err != nil:
		return fmt.Errorf("keep notification of lead %s: %w", m.Lead, err)
	case rec.State == store.IdempotencyCompleted:
		return nil
	case rec.State != store.IdempotencyNew:
		return fmt.Errorf("keep notification of lead %s: another delivery is storing it", m.Lead)
	}
	if err := in.o.Store.CompleteIdempotency(ctx, m.BU, key, rec.Token, raw, in.o.Keep); err != nil {
		if rerr := in.o.Store.ReleaseIdempotency(context.WithoutCancel(ctx), m.BU, key, rec.Token); rerr != nil {
			in.o.Logger.Warn("release notification record", "lead", m.Lead, "error", rerr.Error())
		}
		return fmt.Errorf("keep notification of lead %s: %w", m.Lead, err)
	}
	return nil
}
