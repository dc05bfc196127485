package leads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
)

// Store is everything the Processor reads and writes.
type Store interface {
	Idempotencies
	GetContact(ctx context.Context, bu, id string) (store.Contact, error)
	FindContactByEmail(ctx context.Context, bu, email string) (store.Contact, error)
	UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error)
	UpsertContactByEmail(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, bool, error)
	Erase(ctx context.Context, bu, id string) (store.Erasure, error)
	AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error)
	ListJourneys(ctx context.Context, bu string) ([]store.Journey, error)
	ContactEnrolments(ctx context.Context, bu, contact string) ([]store.Enrolment, error)
	AppendAudit(ctx context.Context, bu string, e store.AuditEntry) (store.AuditEntry, error)
	intake.WaitStore
}

// LeadAPI fetches leads and form versions (*linkedin.Client has both).
type LeadAPI interface {
	Lead(ctx context.Context, idOrURN string) (linkedin.Lead, error)
	Form(ctx context.Context, v linkedin.FormVersion) (linkedin.Form, error)
}

// Enroller enrols a contact (*enrol.Enroller).
type Enroller interface {
	Enrol(ctx context.Context, r enrol.Request) (enrol.Outcome, error)
}

// Catalog gives checked journey versions (*catalog.Catalog).
type Catalog interface {
	Version(ctx context.Context, bu, id string, version int) (*catalog.Version, error)
}

// Stopper stops executions (workflow.Executions has it).
type Stopper interface {
	Stop(ctx context.Context, executionArn, errName, cause string) error
}

// Options configure NewProcessor. Store, API, Settings, Enroller and
// Catalog are required.
type Options struct {
	Store    Store
	API      LeadAPI
	Enroller Enroller
	Catalog  Catalog
	// Settings returns a business unit's LinkedIn configuration.
	Settings func(ctx context.Context, bu string) (Config, error)
	// Stopper stops the executions of deleted leads; nil leaves them
	// running (they exit when they next load the erased contact).
	Stopper Stopper
	// Tasks resumes executions waiting for form.submitted of the lead's
	// form; nil leaves them to their timeout.
	Tasks intake.Tasks
	// Forms caches form versions; a 256-entry LRU when nil.
	Forms linkedin.FormCache
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Lease and Keep default to DefaultLease and DefaultKeep.
	Lease, Keep time.Duration
	Logger      *slog.Logger
}

// A Processor syncs leads from queued notifications. It is safe for
// concurrent use.
type Processor struct {
	o     Options
	forms *linkedin.FormResolver
}

// NewProcessor checks the options and returns a Processor.
func NewProcessor(o Options) (*Processor, error) {
	if o.Store == nil || o.API == nil || o.Settings == nil || o.Enroller == nil || o.Catalog == nil {
		return nil, errors.New("leads processor: store, API, settings, enroller and catalog are required")
	}
	if o.Forms == nil {
		o.Forms = linkedin.NewLRU(256)
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
	return &Processor{o: o, forms: &linkedin.FormResolver{Fetcher: o.API, Cache: o.Forms}}, nil
}

// ErrBusy: another worker holds the lead; the message is retried later.
var ErrBusy = errors.New("leads: lead is being processed elsewhere")

// Handle is the queue.Handler of the lead queue. An unreadable message is
// logged and dropped (no retry can fix it); any other failure is returned
// so the queue delivers the message again.
func (p *Processor) Handle(ctx context.Context, qm queue.Message) error {
	m, err := ParseMessage(qm.Body)
	if err != nil {
		p.o.Logger.Error("lead message dropped", "message", qm.ID, "error", err.Error())
		return nil
	}
	_, err = p.Process(ctx, m)
	return err
}

// Process handles one notification under the lead's lock and returns what
// became of the lead. Errors are transient (the message is retried):
// ErrBusy, LinkedIn unavailable, a store failure.
func (p *Processor) Process(ctx context.Context, m Message) (Outcome, error) {
	lock, err := p.o.Store.BeginIdempotency(ctx, m.BU, "li-lock|"+m.Lead, p.o.Lease)
	if err != nil {
		return Outcome{}, fmt.Errorf("lock lead %s: %w", m.Lead, err)
	}
	if lock.State != store.IdempotencyNew {
		return Outcome{}, fmt.Errorf("lead %s: %w", m.Lead, ErrBusy)
	}
	defer func() {
		if err := p.o.Store.ReleaseIdempotency(context.WithoutCancel(ctx), m.BU, "li-lock|"+m.Lead, lock.Token); err != nil {
			p.o.Logger.Warn("unlock lead", "lead", m.Lead, "error", err.Error())
		}
	}()
	var out Outcome
	if m.Action == linkedin.ActionDeleted {
		out, err = p.deleted(ctx, m)
	} else {
		out, err = p.created(ctx, m)
	}
	if err != nil {
		return out, err
	}
	p.o.Logger.Info("lead processed", "bu", m.BU, "lead", m.Lead, "action", m.Action, "status", out.Status,
		"reason", out.Reason, "contact", out.Contact, "enrolled", len(out.Enrolled))
	return out, nil
}

// Outcome statuses.
const (
	StatusSynced    = "synced"    // contact upserted, interaction recorded, enrolled
	StatusTest      = "test"      // a test lead: recorded, test journeys only
	StatusSkipped   = "skipped"   // no contact made; Reason says why
	StatusGone      = "gone"      // LinkedIn no longer has the lead
	StatusIgnored   = "ignored"   // a tombstone was there first
	StatusDuplicate = "duplicate" // this action was processed before
	StatusTombstone = "tombstone" // deleted before it was synced
	StatusDeleted   = "deleted"   // deleted after it was synced; data removed per policy
)

// An Outcome says what happened to a lead; the stored copy under the
// lead's sync or delete key is what repeats find.
type Outcome struct {
	Lead     string   `json:"lead"`
	Status   string   `json:"status"`
	Reason   string   `json:"reason,omitempty"`
	Contact  string   `json:"contact,omitempty"`
	Created  bool     `json:"created,omitempty"`
	Test     bool     `json:"test,omitempty"`
	Enrolled []string `json:"enrolled,omitempty"` // journey ids
	Stopped  int      `json:"stopped,omitempty"`
}

func syncKey(lead string) string { return "li-sync|" + lead }
func delKey(lead string) string  { return "li-del|" + lead }

// guarded runs work once under key: a completed record returns its stored
// outcome as a duplicate; otherwise work runs and its outcome is stored.
// A failing work releases the key for the next attempt.
func (p *Processor) guarded(ctx context.Context, bu, key string, work func() (Outcome, error)) (Outcome, error) {
	rec, err := p.o.Store.BeginIdempotency(ctx, bu, key, p.o.Lease)
	if err != nil {
		return Outcome{}, fmt.Errorf("begin %s: %w", key, err)
	}
	switch rec.State {
	case store.IdempotencyCompleted:
		var prev Outcome
		_ = json.Unmarshal(rec.Result, &prev)
		prev.Reason, prev.Status = prev.Status+": processed before", StatusDuplicate
		return prev, nil
	case store.IdempotencyInProgress:
		return Outcome{}, fmt.Errorf("%s: %w", key, ErrBusy)
	}
	out, err := work()
	if err != nil {
		if rerr := p.o.Store.ReleaseIdempotency(context.WithoutCancel(ctx), bu, key, rec.Token); rerr != nil {
			p.o.Logger.Warn("release", "key", key, "error", rerr.Error())
		}
		return out, err
	}
	result, _ := json.Marshal(out)
	if err := p.o.Store.CompleteIdempotency(ctx, bu, key, rec.Token, result, p.o.Keep); err != nil {
		return out, fmt.Errorf("complete %s: %w", key, err)
	}
	return out, nil
}

// peek reports the outcome stored under key, if any. Only lock holders
// call it, so the short lease it may take is never contended.
func (p *Processor) peek(ctx context.Context, bu, key string) (Outcome, bool, error) {
	rec, err := p.o.Store.BeginIdempotency(ctx, bu, key, p.o.Lease)
	if err != nil {
		return Outcome{}, false, fmt.Errorf("read %s: %w", key, err)
	}
	switch rec.State {
	case store.IdempotencyCompleted:
		var prev Outcome
		if err := json.Unmarshal(rec.Result, &prev); err != nil {
			return Outcome{}, false, fmt.Errorf("read %s: %w", key, err)
		}
		return prev, true, nil
	case store.IdempotencyInProgress:
		// A crashed holder's lease: wait for it to expire.
		return Outcome{}, false, fmt.Errorf("%s: %w", key, ErrBusy)
	}
	return Outcome{}, false, p.o.Store.ReleaseIdempotency(ctx, bu, key, rec.Token)
}
