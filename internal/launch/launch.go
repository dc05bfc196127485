package launch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// Store is what a Launcher reads and writes besides what the enroller does.
type Store interface {
	GetJourney(ctx context.Context, bu, id string) (store.Journey, error)
	ListJourneys(ctx context.Context, bu string) ([]store.Journey, error)
	ListContacts(ctx context.Context, bu string, scan store.ContactScan) (store.Page[store.Contact], error)
	ListInteractions(ctx context.Context, bu, contact string, q store.InteractionQuery) (store.Page[store.Interaction], error)
	ListEnrolments(ctx context.Context, bu, journey string, status store.EnrolmentStatus, cursor string, limit int) (store.Page[store.Enrolment], error)
	EnrolmentsOf(ctx context.Context, bu, journey string, contacts []string) (map[string][]store.Enrolment, error)
	AppendAudit(ctx context.Context, bu string, e store.AuditEntry) (store.AuditEntry, error)
}

// Enroller enrols one contact (*enrol.Enroller).
type Enroller interface {
	Enrol(ctx context.Context, r enrol.Request) (enrol.Outcome, error)
}

// Catalog gives checked journey versions (*catalog.Catalog).
type Catalog interface {
	Version(ctx context.Context, bu, id string, version int) (*catalog.Version, error)
}

// Config tunes launches. The zero value takes the defaults.
type Config struct {
	// Rate is a launch's starts per second, shared by its segments.
	// Default 100: a third of StartExecution's refill rate in the
	// largest regions, leaving room for event and lead enrolments (see
	// docs/deploy.md for the arithmetic).
	Rate float64
	// Segments is how many scan segments read in parallel (1..32).
	// Default 16.
	Segments int
	// PageSeconds is how long one page should take at the shard's rate;
	// the page size follows from it (between 20 and 500). Default 60.
	PageSeconds float64
	// HistoryEvents is the execution history size a launch execution
	// aims to stay under (Step Functions fails it at 25,000). Default
	// 20,000.
	HistoryEvents int
	// Workers enrol a page's contacts concurrently. Default 4.
	Workers int
	// OpenExecutionQuota is the account's open-execution quota. Default
	// 1,000,000.
	OpenExecutionQuota int64
	// PageBudget bounds the time one page task works (the function's
	// timeout is 15 minutes). Default 10 minutes.
	PageBudget time.Duration
	// DeadlineMargin stops a page this long before its context's
	// deadline. Default 30 seconds.
	DeadlineMargin time.Duration
	// MaxShardFailures gives up a shard after this many failed page tasks
	// in a row (after the machine's own retries). Default 3.
	MaxShardFailures int
}

// Defaults.
const (
	DefaultRate               = 100
	DefaultSegments           = 16
	DefaultPageSeconds        = 60
	DefaultHistoryEvents      = 20_000
	DefaultWorkers            = 4
	DefaultOpenExecutionQuota = 1_000_000
	minPageSize, maxPageSize  = 20, 500
)

func (c Config) withDefaults() Config {
	if c.Rate <= 0 {
		c.Rate = DefaultRate
	}
	if c.Segments <= 0 {
		c.Segments = DefaultSegments
	}
	c.Segments = min(c.Segments, store.Shards)
	if c.PageSeconds <= 0 {
		c.PageSeconds = DefaultPageSeconds
	}
	if c.HistoryEvents <= 0 {
		c.HistoryEvents = DefaultHistoryEvents
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.OpenExecutionQuota <= 0 {
		c.OpenExecutionQuota = DefaultOpenExecutionQuota
	}
	if c.PageBudget <= 0 {
		c.PageBudget = 10 * time.Minute
	}
	if c.DeadlineMargin <= 0 {
		c.DeadlineMargin = 30 * time.Second
	}
	if c.MaxShardFailures <= 0 {
		c.MaxShardFailures = 3
	}
	return c
}

// A Launcher serves the segment-launch tasks. It is safe for concurrent use.
type Launcher struct {
	store    Store
	catalog  Catalog
	enroller Enroller
	cfg      Config
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	log      *slog.Logger
}

// Options are a Launcher's clock and logger.
type Options struct {
	// Now is the clock; Sleep waits (both virtual in tests). Defaults:
	// time.Now and a context-aware timer.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// New returns a launcher.
func New(st Store, cat Catalog, en Enroller, cfg Config, o Options) *Launcher {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Launcher{store: st, catalog: cat, enroller: en, cfg: cfg.withDefaults(), now: o.Now, sleep: o.Sleep, log: o.Logger}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Config returns the launcher's configuration, defaults filled in.
func (l *Launcher) Config() Config { return l.cfg }

// Handle serves one segment-launch task.
func (l *Launcher) Handle(ctx context.Context, r Request) (any, error) {
	switch {
	case r.Op == OpPlan && r.Launch != nil:
		return l.Plan(ctx, *r.Launch)
	case r.Op == OpPage && r.Page != nil:
		return l.Page(ctx, *r.Page)
	case r.Op == OpReport && r.Launch != nil:
		return l.Report(ctx, *r.Launch)
	}
	return nil, wire.Errorf(wire.ErrInvalidPayload, "segment-launch: op %q without its payload", r.Op)
}

var launchID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$`)

// Plan checks that the journey can be launched and fills in the launch's
// version, rate, page size, page budget and shards. A journey that is not
// active plans nothing (Note says why).
func (l *Launcher) Plan(ctx context.Context, s State) (State, error) {
	if s.V != 1 || s.BU == "" || s.Journey == "" || !launchID.MatchString(s.Launch) {
		return s, wire.Errorf(wire.ErrInvalidPayload, "segment launch v%d: bu, journey and a launch id of letters, digits, '.', '_', ':' and '-' are required", s.V)
	}
	j, err := l.store.GetJourney(ctx, s.BU, s.Journey)
	if err != nil {
		return s, fmt.Errorf("plan launch %s of %s: %w", s.Launch, s.Journey, err)
	}
	if j.Current == 0 {
		return s, wire.Errorf(wire.ErrInvalidPayload, "launch %s: journey %s is not published", s.Launch, s.Journey)
	}
	if j.Status != store.JourneyActive {
		s.Shards, s.Note = nil, "journey "+s.Journey+" is "+string(j.Status)+": nothing launched"
		return s, nil
	}
	if s.Version == 0 {
		s.Version = j.Current
	}
	v, err := l.catalog.Version(ctx, s.BU, s.Journey, s.Version)
	if err != nil {
		return s, fmt.Errorf("plan launch %s of %s: %w", s.Launch, s.Journey, err)
	}
	if v.Journey().Trigger.Segment == nil {
		return s, wire.Errorf(wire.ErrInvalidPayload, "launch %s: journey %s v%d is not triggered by a segment", s.Launch, s.Journey, s.Version)
	}
	if s.Rate <= 0 {
		s.Rate = l.cfg.Rate
	}
	if s.Segments <= 0 || s.Segments > store.Shards {
		s.Segments = l.cfg.Segments
	}
	s.ShardRate = s.Rate / float64(s.Segments)
	s.PageSize = max(minPageSize, min(maxPageSize, int(s.ShardRate*l.cfg.PageSeconds)))
	s.MaxPages = MaxPages(l.cfg.HistoryEvents, s.Segments)
	if s.Generation == 0 && len(s.Shards) == 0 {
		for i := range s.Segments {
			s.Shards = append(s.Shards, Shard{Segment: i})
		}
	}
	s.Done, s.Next, s.NextName, s.Note, s.Budget = false, nil, "", "", nil
	return s, nil
}

// History events the machine writes (see statemachines/segment-launch.asl.json).
const (
	eventsPerExecution = 40 // start, plan, map, report, continue, end
	eventsPerIteration = 6  // map iteration started/succeeded, the final choice and succeed
	eventsPerPage      = 9  // task entered/scheduled/started/succeeded/exited and the choice (7), and room for a retry
)

// MaxPages is how many pages each of segments shards may read in one
// execution whose history must stay under events.
func MaxPages(events, segments int) int {
	n := (events - eventsPerExecution - eventsPerIteration*segments) / (eventsPerPage * segments)
	return max(n, 1)
}

// ExecutionName is the name of a launch's execution of a generation: the
// same launch never runs twice, and a continuation started twice is one.
func ExecutionName(bu, journeyID, launch string, generation int) string {
	sum := sha256.Sum256([]byte(bu + "\x00" + journeyID + "\x00" + launch))
	prefix := journeyID
	if len(prefix) > 30 {
		prefix = prefix[:30]
	}
	return prefix + "-" + hex.EncodeToString(sum[:12]) + "-g" + strconv.Itoa(generation)
}
