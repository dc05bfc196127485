package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Store is what a Publisher reads and writes.
type Store interface {
	GetJourney(ctx context.Context, bu, id string) (store.Journey, error)
	PutJourney(ctx context.Context, bu string, j store.Journey) (store.Journey, error)
	CreateVersion(ctx context.Context, bu string, v store.JourneyVersion) error
	GetVersion(ctx context.Context, bu, journey string, version int) (store.JourneyVersion, error)
	ListVersions(ctx context.Context, bu, journey string) ([]store.JourneyVersion, error)
	ListContent(ctx context.Context, bu string) ([]store.Content, error)
	ListEnrolments(ctx context.Context, bu, journey string, status store.EnrolmentStatus, cursor string, limit int) (store.Page[store.Enrolment], error)
	AppendAudit(ctx context.Context, bu string, e store.AuditEntry) (store.AuditEntry, error)
	ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error)
	ReleaseCallback(ctx context.Context, bu string, claim store.Callback) error
}

// Approvals asks people to approve a publication. token, when set, is the
// waiting journey-publish execution's task token: it must be stored as a
// callback under the approval's id, for OnDecision (or DecisionRelay) to
// answer. FlowApprovals asks through the approval package's flow;
// StoreApprovals only records the request.
type Approvals interface {
	RequestApproval(ctx context.Context, bu string, a store.Approval, token string) (store.Approval, error)
}

// StoreApprovals records approval requests in the store without notifying
// anyone (decisions come through the approval callback or a test).
type StoreApprovals struct {
	Store interface {
		CreateApproval(ctx context.Context, bu string, a store.Approval) (store.Approval, error)
		CreateCallback(ctx context.Context, bu string, c store.Callback) (store.Callback, error)
	}
}

// RequestApproval implements Approvals.
func (s StoreApprovals) RequestApproval(ctx context.Context, bu string, a store.Approval, token string) (store.Approval, error) {
	if token != "" {
		_, err := s.Store.CreateCallback(ctx, bu, store.Callback{ID: a.ID, Kind: store.CallbackApproval, Token: token,
			Contact: "publication", Journey: a.Journey, Step: "v" + strconv.Itoa(a.Version), ExpiresAt: a.ExpiresAt})
		if err != nil {
			return a, err
		}
	}
	return s.Store.CreateApproval(ctx, bu, a)
}

// FlowApprovals asks for publication approvals through the approval
// package: the request goes to the business unit's approval flow, the
// token (if any) waits under the approval's id, and the flow's callback
// runs the publish hook (DecisionRelay, Publisher.OnDecision).
type FlowApprovals struct {
	Service *approval.Service
}

// RequestApproval implements Approvals.
func (f FlowApprovals) RequestApproval(ctx context.Context, bu string, a store.Approval, token string) (store.Approval, error) {
	v := strconv.Itoa(a.Version)
	return f.Service.Request(ctx, approval.Subject{
		BU: bu, Kind: store.ApprovalPublish, Key: a.Journey + "|" + v,
		Title:   "Publish journey " + a.Journey + " v" + v,
		Details: "A new version of the journey " + a.Journey + " waits for approval before it goes live.",
		Journey: a.Journey, Version: a.Version, Token: token, Expires: a.ExpiresAt,
	})
}

// Launcher starts a segment launch of a journey (internal/launch has one).
// It is called when a journey with a one-off segment trigger is activated.
type Launcher interface {
	StartLaunch(ctx context.Context, bu, journeyID, launchID, by string) (string, error)
}

// A Publisher publishes journeys. It is safe for concurrent use.
type Publisher struct {
	store     Store
	api       workflow.API
	cfg       Config
	approvals Approvals
	launcher  Launcher
	content   journey.Content
	contentFn func() journey.Content
	now       func() time.Time
	log       *slog.Logger
}

// Options are a Publisher's optional parts.
type Options struct {
	Approvals Approvals       // nil: publications that need an approval fail with ErrConfig
	Launcher  Launcher        // nil: one-off segment launches are reported, not started
	Content   journey.Content // checks templates and blocks when set
	// ContentFor, when Content is nil, gives a fresh content checker for
	// each publication (a deployment's checker over the store's content
	// library: what it lists is read once per publication, so a
	// long-lived function sees content uploaded since).
	ContentFor func() journey.Content
	Logger     *slog.Logger // default slog.Default()
}

// New returns a publisher. now is the clock.
func New(st Store, api workflow.API, cfg Config, now func() time.Time, o Options) (*Publisher, error) {
	cfg = cfg.withDefaults()
	if cfg.RoleArn == "" {
		return nil, fmt.Errorf("the role journey machines run under is not set: %w", ErrConfig)
	}
	if err := ValidMachinePrefix(cfg.MachinePrefix); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Publisher{store: st, api: api, cfg: cfg, approvals: o.Approvals, launcher: o.Launcher,
		content: o.Content, contentFn: o.ContentFor, now: now, log: o.Logger}, nil
}

// Config returns the publisher's configuration, defaults filled in.
func (p *Publisher) Config() Config { return p.cfg }

// A Request asks to publish a bundle.
type Request struct {
	// BU is the caller's business unit; the journey must belong to it.
	// Empty accepts the journey's own (trusted callers: the CLI in-process).
	BU     string
	Bundle journey.Bundle
	// By says who publishes, for the version record and the audit log.
	By string
	// RequireApproval holds the activation until a publish approval is
	// approved.
	RequireApproval bool
	// Machine, when set, is published instead of the machine compiled from
	// the bundle today: a definition as `journeys compile` writes it
	// (placeholders unresolved) that an earlier release compiled from this
	// bundle. Contract tests run released machines on today's functions
	// this way; the bundle is still checked and compiled.
	Machine []byte
}

// Publication statuses.
const (
	StatusPublished  = "published"        // the alias moved to the version
	StatusPending    = "pending-approval" // waiting for the approval
	StatusRolledBack = "rolled-back"      // the alias moved back
)

// A Result says what a publication or rollback did.
type Result struct {
	BU         string         `json:"bu"`
	Journey    string         `json:"journey"`
	Version    int            `json:"version"`
	Status     string         `json:"status"`
	MachineArn string         `json:"machineArn"`
	VersionArn string         `json:"versionArn"`
	AliasArn   string         `json:"aliasArn,omitempty"`
	Approval   string         `json:"approval,omitempty"`
	Execution  string         `json:"execution,omitempty"` // the journey-publish execution holding an approval wait
	Content    map[string]int `json:"content,omitempty"`
	Stats      compile.Stats  `json:"stats"`
	Pruned     []int          `json:"pruned,omitempty"` // state machine version numbers deleted
	Launch     string         `json:"launch,omitempty"` // the segment launch started, if one was due
}

// Publish checks, compiles and publishes a bundle, records the version and,
// unless an approval is required, activates it.
func (p *Publisher) Publish(ctx context.Context, r Request) (Result, error) {
	checker := p.content
	if checker == nil && p.contentFn != nil {
		checker = p.contentFn()
	}
	checked, _, probs := r.Bundle.Load(checker)
	if len(probs) > 0 {
		id := strings.TrimSuffix(r.Bundle.Journey.Name, ".journey.yaml")
		return Result{}, &InvalidError{Journey: id, Problems: probs}
	}
	j := checked.Journey
	if r.BU != "" && r.BU != j.BusinessUnit {
		return Result{}, fmt.Errorf("publish %s of %s as %s: %w", j.ID, j.BusinessUnit, r.BU, ErrForbidden)
	}
	bu := j.BusinessUnit
	name, err := p.cfg.MachineName(bu, j.ID)
	if err != nil {
		return Result{}, err
	}
	compiled, err := compile.Compile(checked, compile.Options{Source: r.Bundle.Journey.Name})
	if err != nil {
		return Result{}, fmt.Errorf("publish %s: %w", j.ID, err)
	}
	def := compiled.Definition
	if len(r.Machine) > 0 {
		def = r.Machine
	}
	asl, err := p.cfg.substitute(def)
	if err != nil {
		return Result{}, fmt.Errorf("publish %s: %w", j.ID, err)
	}
	source, err := r.Bundle.Marshal()
	if err != nil {
		return Result{}, fmt.Errorf("publish %s: %w", j.ID, err)
	}
	if n := len(source) + len(asl); n > store.MaxVersionBytes {
		return Result{}, fmt.Errorf("publish %s: bundle and machine are %d bytes, more than %d: %w", j.ID, n, store.MaxVersionBytes, ErrTooLarge)
	}
	pins, err := p.pins(ctx, bu, j)
	if err != nil {
		return Result{}, fmt.Errorf("publish %s: %w", j.ID, err)
	}
	rec := store.JourneyVersion{Journey: j.ID, Source: source, ASL: []byte(asl), Content: pins, PublishedBy: r.By}
	rec, pub, err := p.record(ctx, bu, name, rec)
	if err != nil {
		return Result{}, fmt.Errorf("publish %s: %w", j.ID, err)
	}
	res := Result{BU: bu, Journey: j.ID, Version: rec.Version, MachineArn: pub.MachineArn, VersionArn: pub.VersionArn,
		Content: pins, Stats: compiled.Stats}
	p.log.InfoContext(ctx, "journey version published", "bu", bu, "journey", j.ID, "version", rec.Version,
		"stateMachineVersion", pub.VersionArn, "by", r.By)
	if r.RequireApproval {
		return p.requestApproval(ctx, res, r.By)
	}
	return p.activate(ctx, bu, j.ID, rec.Version, r.By, ActionPublish, res)
}

// record publishes the definition as a new state machine version and
// stores the journey version under the next number. A concurrent publisher
// taking the number makes it try the next one.
func (p *Publisher) record(ctx context.Context, bu, machine string, rec store.JourneyVersion) (store.JourneyVersion, workflow.Published, error) {
	for attempt := 0; ; attempt++ {
		next, err := p.nextVersion(ctx, bu, rec.Journey)
		if err != nil {
			return rec, workflow.Published{}, err
		}
		pub, err := p.api.Publish(ctx, workflow.Definition{Name: machine, ASL: string(rec.ASL), RoleArn: p.cfg.RoleArn,
			Description: truncate(fmt.Sprintf("v%d by %s", next, rec.PublishedBy), 256)})
		if err != nil {
			return rec, pub, err
		}
		rec.Version, rec.StateMachineVersion, rec.PublishedAt = next, pub.VersionArn, p.now().UTC()
		err = p.store.CreateVersion(ctx, bu, rec)
		if errors.Is(err, store.ErrExists) && attempt < 3 {
			continue
		}
		if err != nil {
			return rec, pub, fmt.Errorf("record version %d: %w", next, err)
		}
		return rec, pub, nil
	}
}

func (p *Publisher) nextVersion(ctx context.Context, bu, id string) (int, error) {
	vs, err := p.store.ListVersions(ctx, bu, id)
	if err != nil {
		return 0, fmt.Errorf("list versions: %w", err)
	}
	next := 1
	for _, v := range vs {
		next = max(next, v.Version+1)
	}
	return next, nil
}

// pins records the latest version of every template and block the journey
// sends, in every locale the content library holds.
func (p *Publisher) pins(ctx context.Context, bu string, j *journey.Journey) (map[string]int, error) {
	want := map[string]bool{}
	for _, s := range j.Steps {
		if s.Send == nil {
			continue
		}
		want[string(store.ContentTemplate)+"/"+s.Send.Template] = true
		for _, b := range s.Send.Blocks {
			if !strings.Contains(b, "@") { // id@3 pins itself
				want[string(store.ContentBlock)+"/"+b] = true
			}
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	cs, err := p.store.ListContent(ctx, bu)
	if err != nil {
		return nil, fmt.Errorf("list content: %w", err)
	}
	pins := map[string]int{}
	for _, c := range cs {
		if want[string(c.Kind)+"/"+c.ID] {
			key := string(c.Kind) + "/" + c.ID + "/" + c.Locale
			if _, ok := pins[key]; !ok { // the business unit's own comes before shared
				pins[key] = c.Version
			}
		}
	}
	if len(pins) == 0 {
		return nil, nil
	}
	return pins, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// machineArnOf drops the version number from a version ARN.
func machineArnOf(versionArn string) string {
	if i := strings.LastIndexByte(versionArn, ':'); i > 0 {
		return versionArn[:i]
	}
	return versionArn
}
