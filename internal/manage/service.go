package manage

import (
	"context"
	"errors"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Store is what the management API reads and writes.
type Store interface {
	publish.Store
	ListJourneys(ctx context.Context, bu string) ([]store.Journey, error)
	Funnel(ctx context.Context, bu, journey string) ([]store.FunnelCount, error)
	UpdateEnrolment(ctx context.Context, bu, journey, contact, entry string, u store.EnrolmentUpdate) (store.Enrolment, error)
	ContactEnrolments(ctx context.Context, bu, contact string) ([]store.Enrolment, error)
	GetContact(ctx context.Context, bu, id string) (store.Contact, error)
	ListStepLogs(ctx context.Context, bu, contact, execution string) ([]store.StepLog, error)
	UpsertContactsByEmail(ctx context.Context, bu string, ps []store.ContactPatch) ([]store.BatchResult, error)
	Erase(ctx context.Context, bu, id string) (store.Erasure, error)
	GetAPIKey(ctx context.Context, hash string) (store.APIKey, error)
	ListAudit(ctx context.Context, bu, cursor string, limit int) (store.Page[store.AuditEntry], error)
	CreateApproval(ctx context.Context, bu string, a store.Approval) (store.Approval, error)
	CreateCallback(ctx context.Context, bu string, c store.Callback) (store.Callback, error)
	// Content uploads (POST .../content).
	PutContent(ctx context.Context, bu string, c store.Content) (store.Content, error)
	GetContent(ctx context.Context, bu string, kind store.ContentKind, id, locale string, version int) (store.Content, error)
	ContentRevision(ctx context.Context, bu string) (string, error)
	BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error)
	CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error
	ReleaseIdempotency(ctx context.Context, bu, key, token string) error
}

// A Service performs the management operations. It is safe for concurrent
// use.
type Service struct {
	store     Store
	api       workflow.API
	publisher *publish.Publisher
	launcher  publish.Launcher
	approvals ContentApprovals
	files     string
	cfg       Config
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
	log       *slog.Logger
}

// Config tunes the service.
type Config struct {
	// StopBudget bounds how long a stop request spends stopping running
	// executions before it answers; the scheduler tick sweeps the rest
	// (SweepStopped). Default 20 seconds (API Gateway answers within 30).
	StopBudget time.Duration
	// CountLimit bounds the active enrolments status counts. Default
	// 100,000.
	CountLimit int
}

func (c Config) withDefaults() Config {
	if c.StopBudget <= 0 {
		c.StopBudget = 20 * time.Second
	}
	if c.CountLimit <= 0 {
		c.CountLimit = 100_000
	}
	return c
}

// Options are the service's optional parts.
type Options struct {
	// Launcher starts segment launches (nil: launching answers 501).
	Launcher publish.Launcher
	// ContentApprovals asks for content approvals (nil: an upload that
	// requires approval answers 501).
	ContentApprovals ContentApprovals
	// FileContent, when set, is the folder this deployment serves content
	// from (the dev server's <root>/content): it reads no store content,
	// so POST .../content answers 501 naming the folder to edit instead.
	FileContent string
	// Now and Sleep are the clock (virtual in tests). Defaults: time.Now
	// and a context-aware timer.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// NewService returns a service publishing through p.
func NewService(st Store, api workflow.API, p *publish.Publisher, cfg Config, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Service{store: st, api: api, publisher: p, launcher: o.Launcher, approvals: o.ContentApprovals, files: o.FileContent, cfg: cfg.withDefaults(),
		now: o.Now, sleep: o.Sleep, log: o.Logger}
}

// Audit actions this package writes (publish writes its own).
const (
	ActionPause  = "pause"
	ActionResume = "resume"
	ActionStop   = "stop"
	ActionErase  = "erase"
	ActionImport = "import"
	ActionLaunch = "start-launch"
)

// StopError is the error name executions are stopped with.
const StopError = "Journey.Stopped"

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func (s *Service) audit(ctx context.Context, bu, actor, action, target string, details map[string]string) error {
	_, err := s.store.AppendAudit(ctx, bu, store.AuditEntry{Actor: actor, Action: action, Target: target, Details: details, At: s.now()})
	return err
}
