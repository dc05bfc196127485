package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/segment"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// Store is what the handlers read and write (store.Store has it all).
type Store interface {
	GetJourney(ctx context.Context, bu, id string) (store.Journey, error)
	GetContact(ctx context.Context, bu, id string) (store.Contact, error)
	UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error)
	GetOwner(ctx context.Context, bu, id string) (store.Owner, error)
	GetSuppression(ctx context.Context, bu string, kind store.AddressKind, address string) (store.Suppression, error)
	AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error)
	ListInteractions(ctx context.Context, bu, contact string, q store.InteractionQuery) (store.Page[store.Interaction], error)
	AppendStepLog(ctx context.Context, bu string, l store.StepLog) (store.StepLog, error)
	ListStepLogs(ctx context.Context, bu, contact, execution string) ([]store.StepLog, error)
	IncrementFunnel(ctx context.Context, bu, journey string, version int, step, outcome string, n int64) error
	GetEnrolment(ctx context.Context, bu, journey, contact, entry string) (store.Enrolment, error)
	UpdateEnrolment(ctx context.Context, bu, journey, contact, entry string, u store.EnrolmentUpdate) (store.Enrolment, error)
	CreateCallback(ctx context.Context, bu string, c store.Callback) (store.Callback, error)
	ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error)
	ReleaseCallback(ctx context.Context, bu string, claim store.Callback) error
	WaitingCallbacks(ctx context.Context, bu, contact, event string) ([]store.Callback, error)
	BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error)
	CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error
	ReleaseIdempotency(ctx context.Context, bu, key, token string) error
	CreateSalesTask(ctx context.Context, bu string, t store.SalesTask) (store.SalesTask, bool, error)
}

// Catalog gives checked journey versions (*catalog.Catalog has it).
type Catalog interface {
	Version(ctx context.Context, bu, id string, version int) (*catalog.Version, error)
}

// Settings gives a business unit's settings (*settings.Dir has it).
type Settings interface {
	For(bu string) (*settings.Settings, error)
}

// TaskAnswerer answers task tokens (workflow.Executions has it).
type TaskAnswerer interface {
	SendTaskSuccess(ctx context.Context, token, output string) error
}

// Config is what New needs. Store, Catalog and Settings are required; the
// others are needed only by the tasks that use them (Channels and Content
// by send, Actions by webhook, Tasks by wait-register).
type Config struct {
	Store    Store
	Catalog  Catalog
	Settings Settings
	Channels Channels
	Content  Renderers
	Actions  Actions
	Tasks    TaskAnswerer
	// Now is the clock (virtual in simulations and tests).
	Now func() time.Time
	// Logger gets one line per task; slog.Default when nil.
	Logger *slog.Logger
	// PauseRecheck is how long a paused journey holds a contact before
	// the step is tried again. Default 1h.
	PauseRecheck time.Duration
	// Lease bounds how long one invocation may hold a step's work before
	// another may take it over. Default 2m (more than a task's timeout).
	Lease time.Duration
	// Keep is how long a step's completed result is kept to answer
	// duplicate invocations. Default 7 days.
	Keep time.Duration
}

// Handlers serves every task op. Create it with New.
type Handlers struct {
	cfg   Config
	log   *slog.Logger
	zones zones
}

// New checks cfg and returns the handlers.
func New(cfg Config) (*Handlers, error) {
	if cfg.Store == nil || cfg.Catalog == nil || cfg.Settings == nil {
		return nil, errors.New("handler: Store, Catalog and Settings are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PauseRecheck <= 0 {
		cfg.PauseRecheck = time.Hour
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 7 * 24 * time.Hour
	}
	return &Handlers{cfg: cfg, log: cfg.Logger}, nil
}

// Handle serves any op: the local runtime's in-process invoker calls it.
func (h *Handlers) Handle(ctx context.Context, req wire.StepRequest) (wire.StepResult, error) {
	switch req.Op {
	case wire.OpCondition, wire.OpAttrs, wire.OpWaitUntil, wire.OpWaitTimeout:
		return h.Evaluate(ctx, req)
	case wire.OpSend:
		return h.Send(ctx, req)
	case wire.OpSalesTask:
		return h.SalesTask(ctx, req)
	case wire.OpWebhook:
		return h.Webhook(ctx, req)
	case wire.OpUpdate:
		return h.Update(ctx, req)
	case wire.OpWaitEvent:
		return h.WaitRegister(ctx, req)
	case wire.OpFinish:
		return h.Finish(ctx, req)
	}
	return wire.StepResult{}, wire.Errorf(wire.ErrInvalidPayload, "unknown op %q", req.Op)
}

// A call is one task invocation: the request and what it has loaded.
type call struct {
	h       *Handlers
	req     wire.StepRequest
	now     time.Time
	log     *slog.Logger
	version *catalog.Version
	step    *journey.Step
	unit    *settings.Settings

	journey      *store.Journey // the journey's record, once loaded
	enrolment    *store.Enrolment
	loadedEnrol  bool // enrolment was read (nil: there is none)
	contact      *store.Contact
	attrMap      map[string]any // profile.Attributes of contact, made once
	interactions []store.Interaction
	loadedIntr   bool
	segEvents    []segment.Interaction // interactions as conditions read them
}

// begin checks the payload and loads the journey version and step.
func (h *Handlers) begin(ctx context.Context, req wire.StepRequest, ops ...string) (*call, error) {
	c := &call{h: h, req: req, now: h.cfg.Now(), log: h.log}
	if logs(ctx, h.log) {
		c.log = h.log.With("op", req.Op, "bu", req.BU, "journey", req.Journey, "version", req.Version,
			"execution", req.Execution, "step", req.Step)
	}
	if req.V != wire.Version {
		return c, wire.Errorf(wire.ErrInvalidPayload, "payload version %d (this handler serves %d)", req.V, wire.Version)
	}
	ok := false
	for _, op := range ops {
		ok = ok || op == req.Op
	}
	if !ok {
		return c, wire.Errorf(wire.ErrInvalidPayload, "op %q is not served here (want %v)", req.Op, ops)
	}
	if err := store.CheckIDs("bu", req.BU, "journey", req.Journey, "contact", req.Contact, "entry", req.Entry); err != nil || req.Version < 1 || req.Execution == "" {
		return c, wire.Errorf(wire.ErrInvalidPayload, "payload ids: bu, journey, version, contact, entry and execution are required")
	}
	v, err := h.cfg.Catalog.Version(ctx, req.BU, req.Journey, req.Version)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return c, wire.Errorf(wire.ErrInvalidPayload, "journey %s v%d is not published", req.Journey, req.Version)
		}
		return c, c.transient("load journey version", err)
	}
	c.version = v
	if req.Step != "" {
		if c.step, err = v.Step(req.Step); err != nil {
			return c, wire.Errorf(wire.ErrInvalidPayload, "%v", err)
		}
	}
	if c.unit, err = h.cfg.Settings.For(req.BU); err != nil && !errors.Is(err, settings.ErrNotFound) {
		return c, fmt.Errorf("settings of %s: %w", req.BU, err)
	}
	if c.unit == nil {
		c.unit = &settings.Settings{BusinessUnit: req.BU}
	}
	return c, nil
}

// transient wraps a store or network failure as Journey.Transient: Step
// Functions retries the task with backoff.
func (c *call) transient(what string, err error) error {
	if errors.Is(err, store.ErrInvalid) {
		return fmt.Errorf("%s: %w", what, err) // a bug, not a blip: do not retry
	}
	return &wire.Error{Name: wire.ErrTransient, Message: what + ": " + err.Error()}
}

// ContactViewer is what a store may add to Store: GetContact without
// copying the contact's maps (memory.Store has it), for callers that only
// read them. The handlers never change a contact they loaded, so they use
// it when the store has it.
type ContactViewer interface {
	ViewContact(ctx context.Context, bu, id string) (store.Contact, error)
}

// loadContact reads the contact once per call.
func (c *call) loadContact(ctx context.Context) (*store.Contact, error) {
	if c.contact != nil {
		return c.contact, nil
	}
	get := c.h.cfg.Store.GetContact
	if v, ok := c.h.cfg.Store.(ContactViewer); ok {
		get = v.ViewContact
	}
	ct, err := get(ctx, c.req.BU, c.req.Contact)
	if err != nil {
		return nil, err
	}
	c.contact = &ct
	return c.contact, nil
}

// journeyRecord returns the journey's record, loaded once per call (the
// guard loads it first). A journey without a record has never been
// paused.
func (c *call) journeyRecord(ctx context.Context) (store.Journey, error) {
	if c.journey != nil {
		return *c.journey, nil
	}
	j, err := c.h.cfg.Store.GetJourney(ctx, c.req.BU, c.req.Journey)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return j, c.transient("load journey", err)
	}
	c.journey = &j
	return j, nil
}

// loadEnrolment reads the call's enrolment (journey, contact, entry) once;
// nil when there is none (an execution started without one).
func (c *call) loadEnrolment(ctx context.Context) (*store.Enrolment, error) {
	if c.loadedEnrol {
		return c.enrolment, nil
	}
	en, err := c.h.cfg.Store.GetEnrolment(ctx, c.req.BU, c.req.Journey, c.req.Contact, c.req.Entry)
	switch {
	case err == nil:
		c.enrolment = &en
	case !errors.Is(err, store.ErrNotFound):
		return nil, c.transient("load enrolment", err)
	}
	c.loadedEnrol = true
	return c.enrolment, nil
}

// event returns the attributes of the event that enrolled the contact,
// kept on the enrolment (nil when no event started the entry): templates
// read them as event.<name>, conditions as event.
func (c *call) event(ctx context.Context) (map[string]any, error) {
	en, err := c.loadEnrolment(ctx)
	if err != nil || en == nil {
		return nil, err
	}
	return en.Event, nil
}

// attributes returns the loaded contact's attributes (profile.Attributes),
// made once per call: the checks, the condition and the template read
// the same map, and none of them changes it.
func (c *call) attributes() map[string]any {
	if c.attrMap == nil {
		c.attrMap = profile.Attributes(*c.contact)
	}
	return c.attrMap
}

// logs reports whether the logger writes anything at all: when it does
// not (a simulation's discarded logs), a call skips making its own
// logger with the request's ids.
func logs(ctx context.Context, l *slog.Logger) bool {
	for _, lv := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
		if l.Enabled(ctx, lv) {
			return true
		}
	}
	return false
}

// loadInteractions reads the contact's latest interactions (up to 1,000),
// in time order, once per call.
func (c *call) loadInteractions(ctx context.Context) ([]store.Interaction, error) {
	if c.loadedIntr {
		return c.interactions, nil
	}
	page, err := c.h.cfg.Store.ListInteractions(ctx, c.req.BU, c.req.Contact, store.InteractionQuery{NewestFirst: true, Limit: store.MaxLimit})
	if err != nil {
		return nil, c.transient("load interactions", err)
	}
	in := page.Items
	for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
		in[i], in[j] = in[j], in[i]
	}
	c.interactions, c.loadedIntr = in, true
	return in, nil
}

// location is the contact's time zone, else the business unit's.
func (c *call) location(ct *store.Contact) *time.Location {
	if ct != nil && ct.Timezone != "" {
		if loc, err := c.h.zones.load(ct.Timezone); err == nil {
			return loc
		}
	}
	if c.unit.Timezone != "" {
		if loc, err := c.h.zones.load(c.unit.Timezone); err == nil {
			return loc
		}
	}
	return time.UTC // as settings.Settings.Location
}

// finishLog logs the outcome of a call: one line per task.
func (c *call) finishLog(ctx context.Context, res wire.StepResult, err error) {
	if err == nil {
		c.log.InfoContext(ctx, "task done", "status", res.Status)
		return
	}
	var named *wire.Error
	if errors.As(err, &named) {
		level := slog.LevelInfo
		if named.Name == wire.ErrTransient || named.Name == wire.ErrInvalidPayload {
			level = slog.LevelWarn
		}
		c.log.Log(ctx, level, "task ended", "error", named.Name, "detail", named.Message)
		return
	}
	c.log.ErrorContext(ctx, "task failed", "error", err.Error())
}
