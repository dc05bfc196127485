package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/tracking"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// Store is what the local runtime keeps its data in: the whole store
// contract and the KV the engine's state goes into (the embedded store,
// or an in-memory one for simulations).
type Store interface {
	store.Store
	store.KV
}

// Routes of the HTTP API the system's links point at, under BaseURL.
const (
	TrackingPath         = "/t"
	ApprovalCallbackPath = "/approvals/callback"
	LocalFlowPath        = "/local/flow"
)

// SystemConfig says how to assemble the journeys system in one process.
type SystemConfig struct {
	// Root is the journeys folder: journey files, schema/, segments/,
	// content/ and settings/.
	Root  string
	Store Store
	// Clock drives the engine and every handler (virtual in simulations).
	Clock asl.Clock
	// Secrets resolves the secret names of settings files.
	Secrets settings.SecretSource
	// BaseURL is where the HTTP API is reachable: tracking links
	// (BaseURL/t) and approval callbacks (BaseURL/approvals/callback)
	// point there.
	BaseURL string
	// Channels and Actions deliver messages and call webhook actions.
	// Default: settings' providers, or the outbox with Outbox set.
	Channels handler.Channels
	Actions  handler.Actions
	// Outbox, when set and Channels is not, delivers every channel into
	// Outbox/<bu> and writes webhook action calls there too.
	Outbox string
	// Poster posts approval requests to flows. Default: a webhook client
	// under the business unit's outbound allow-list and loopback.
	Poster approval.Poster
	// FlowURL is the approval flow of business units whose settings have
	// no approvals section (default BaseURL/local/flow: the dev server's
	// built-in flow).
	FlowURL string
	// Invoker runs task functions; default: the handlers in-process
	// (Functions). UseInvoker changes it later.
	Invoker asl.TaskInvoker
	// Workflow options.
	Seed            uint64
	Trace           func(asl.TraceEvent)
	History         bool
	TaskConcurrency int
	// Persist keeps the engine's state in Store's KV (the dev server);
	// simulations keep it in memory.
	Persist bool
	// Launches runs segment launches in-process: one-off segment journeys
	// are launched when published, and Ticker launches the scheduled ones
	// (the dev server). Simulations enrol their contacts themselves.
	Launches bool
	// TrackRetry takes the opens and clicks whose recording or resume
	// failed (tracking.Config.Retry); nil: none are retried.
	TrackRetry queue.Sender
	Logger     *slog.Logger
}

// A System is the journeys project in one process: the store, the local
// Step Functions, the handlers of every task function, and the HTTP-facing
// services (tracking, approvals, custom events), wired as the deployed
// functions are.
type System struct {
	Store     Store
	Workflow  *Workflow
	Catalog   *catalog.Catalog
	Enroller  *enrol.Enroller
	Handlers  *handler.Handlers
	Approvals *approval.Service
	Intake    *intake.Handler
	Tracking  *tracking.Handler
	Publisher *publish.Publisher
	Manage    *manage.Service
	Settings  *settings.Dir
	Renderers *handler.ContentRenderers
	Library   *journey.Library
	Content   content.Source
	Secrets   settings.SecretSource
	Now       func() time.Time
	cfg       SystemConfig
	log       *slog.Logger
	invoker   *delegate
	launcher  *launch.Launcher
}

// Ticker returns the segment launch scheduler over the business units of
// the settings folder (nil without Launches): call Tick every minute of
// journey time.
func (s *System) Ticker() *launch.Ticker {
	if s.launcher == nil {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(s.Settings.Path(), "*.settings.yaml"))
	var bus []string
	for _, f := range files {
		bus = append(bus, strings.TrimSuffix(filepath.Base(f), ".settings.yaml"))
	}
	return &launch.Ticker{Store: s.cfg.Store, Catalog: s.Catalog, Starter: launch.InProcess{Launcher: s.launcher},
		BusinessUnits: bus, Now: s.Now, Logger: s.log}
}

// A delegate is the engine's invoker: the in-process functions unless
// UseInvoker installed another (the built bootstraps under the emulator).
type delegate struct {
	mu  sync.RWMutex
	inv asl.TaskInvoker
}

func (d *delegate) Invoke(ctx context.Context, req *asl.TaskRequest) ([]byte, error) {
	d.mu.RLock()
	inv := d.inv
	d.mu.RUnlock()
	return inv.Invoke(ctx, req)
}

// Logger returns the system's logger.
func (s *System) Logger() *slog.Logger { return s.log }

// UseInvoker makes the engine run tasks with inv; call it before the
// engine runs anything.
func (s *System) UseInvoker(inv asl.TaskInvoker) {
	s.invoker.mu.Lock()
	s.invoker.inv = inv
	s.invoker.mu.Unlock()
}

// NewSystem assembles a system. The journeys folder's library (schema,
// segments, content) must check cleanly.
func NewSystem(cfg SystemConfig) (*System, error) {
	if cfg.Store == nil || cfg.Clock == nil || cfg.Secrets == nil || cfg.Root == "" || cfg.BaseURL == "" {
		return nil, errors.New("local system: Root, Store, Clock, Secrets and BaseURL are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.FlowURL == "" {
		cfg.FlowURL = cfg.BaseURL + LocalFlowPath
	}
	s := &System{Store: cfg.Store, Secrets: cfg.Secrets, Now: cfg.Clock.Now, cfg: cfg, log: cfg.Logger}
	if err := s.loadLibrary(); err != nil {
		return nil, err
	}
	s.Settings = settings.NewDir(filepath.Join(cfg.Root, "settings"))
	s.Renderers = handler.NewContentRenderers(s.Content, s.Settings, cfg.Secrets, cfg.BaseURL+TrackingPath)
	s.Catalog = catalog.New(cfg.Store, s.Library.Content)
	if err := s.buildWorkflow(); err != nil {
		return nil, err
	}
	s.Enroller = enrol.New(cfg.Store, s.Catalog, s.Workflow, s.Now)
	if err := s.buildHandlers(); err != nil {
		return nil, err
	}
	if err := s.buildServices(); err != nil {
		return nil, err
	}
	return s, nil
}

// loadLibrary reads the schema, segments and content of the journeys
// folder.
func (s *System) loadLibrary() error {
	lib, probs := journey.LoadDir(s.cfg.Root)
	dir := filepath.Join(s.cfg.Root, "content")
	src, cprobs := content.LoadFiles(os.DirFS(dir), dir)
	for _, p := range cprobs {
		probs = append(probs, journey.Problem{Pos: journey.Pos{File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col}, Message: p.Message, Hint: p.Hint})
	}
	if len(probs) > 0 {
		return fmt.Errorf("journeys folder %s: %w", s.cfg.Root, probs.Sort())
	}
	lib.Content = content.NewJourneyContent(src)
	s.Library, s.Content = lib, src
	return nil
}

func (s *System) buildWorkflow() error {
	s.invoker = &delegate{inv: s.cfg.Invoker}
	wc := WorkflowConfig{
		Clock: s.cfg.Clock, Invoker: s.invoker, Seed: s.cfg.Seed, Trace: s.cfg.Trace, History: s.cfg.History,
		TaskConcurrency: s.cfg.TaskConcurrency, Logger: s.log,
	}
	if s.cfg.Persist {
		wc.KV = s.cfg.Store
	}
	s.Workflow = NewWorkflow(wc)
	return nil
}

func (s *System) buildHandlers() error {
	channels, actions := s.cfg.Channels, s.cfg.Actions
	if channels == nil || actions == nil {
		out := handler.NewOutbound(s.Settings, s.cfg.Secrets, handler.OutboundOptions{
			Outbox: s.cfg.Outbox, Now: s.Now, Logger: s.log,
			StatusURL: func(string) string { return s.cfg.BaseURL + TrackingPath + tracking.StatusPath },
		})
		if channels == nil {
			channels = out
		}
		if actions == nil {
			actions = out
		}
	}
	h, err := handler.New(handler.Config{
		Store: s.cfg.Store, Catalog: s.Catalog, Settings: s.Settings, Channels: channels, Content: s.Renderers,
		Actions: actions, Tasks: s.Workflow, Now: s.Now, Logger: s.log,
	})
	if err != nil {
		return err
	}
	s.Handlers = h
	return nil
}

func (s *System) buildServices() error {
	config, posters, err := s.approvalSettings()
	if err != nil {
		return err
	}
	s.Approvals, err = approval.New(approval.Options{
		Store: s.cfg.Store, Tasks: s.Workflow, Catalog: s.Catalog, Posters: posters,
		Settings: config, CallbackURL: s.cfg.BaseURL + ApprovalCallbackPath,
		Now: s.Now, Logger: s.log,
	})
	if err != nil {
		return err
	}
	if s.cfg.Invoker == nil {
		s.UseInvoker(s.Functions())
	}
	s.Intake, err = intake.New(intake.Options{
		Store: s.cfg.Store, Enroller: s.Enroller, Catalog: s.Catalog, Tasks: s.Workflow,
		Settings: intake.FromSettings(s.Settings, s.cfg.Secrets), Now: s.Now, Logger: s.log,
	})
	if err != nil {
		return err
	}
	s.Tracking, err = tracking.New(tracking.Config{
		Store: s.cfg.Store, Links: s.Renderers, Settings: s.Settings, Secrets: s.cfg.Secrets,
		Tasks: s.Workflow, Now: s.Now, Logger: s.log, Retry: s.cfg.TrackRetry,
	})
	if err != nil {
		return err
	}
	popts := publish.Options{Approvals: publish.StoreApprovals{Store: s.cfg.Store}, Content: s.Library.Content, Logger: s.log}
	if s.cfg.Launches {
		s.launcher = launch.New(s.cfg.Store, s.Catalog, s.Enroller, launch.Config{}, launch.Options{Now: s.Now, Logger: s.log})
		popts.Launcher = launch.InProcess{Launcher: s.launcher}
	}
	s.Publisher, err = publish.New(s.cfg.Store, s.Workflow, publish.Config{
		RoleArn: "arn:aws:iam::" + DefaultAccount + ":role/journeys-local", Functions: FunctionArns(DefaultRegion, DefaultAccount),
	}, s.Now, popts)
	if err != nil {
		return err
	}
	s.Manage = manage.NewService(s.cfg.Store, s.Workflow, s.Publisher, manage.Config{},
		manage.Options{Launcher: popts.Launcher, Now: s.Now, Logger: s.log, FileContent: filepath.Join(s.cfg.Root, "content")})
	return nil
}

// Functions returns every task function compiled journeys call, by the
// function names their ARNs end in, as in-process Lambda handlers.
func (s *System) Functions() asl.Functions {
	h := s.Handlers
	return asl.Functions{
		"evaluate":         StepFunc(h.Evaluate),
		"send":             StepFunc(h.Send),
		"sales-task":       StepFunc(h.SalesTask),
		"webhook-action":   StepFunc(h.Webhook),
		"update-contact":   StepFunc(h.Update),
		"wait-register":    StepFunc(h.WaitRegister),
		"finish":           StepFunc(h.Finish),
		"approval-request": StepFunc(s.Approvals.Task),
	}
}

// approvalSettings returns the approval configuration and the flow
// posters: a business unit's approvals section when it names a flow (its
// flowUrl secret holds an http(s) URL; posts go under the unit's outbound
// allow-list); otherwise, with no section or no flow URL set on this
// machine, the local flow (FlowURL) with locally generated secrets.
func (s *System) approvalSettings() (func(context.Context, string) (approval.Config, error), func(context.Context, string) (approval.Poster, error), error) {
	fromFile, filePoster := approval.FromSettings(s.Settings, s.cfg.Secrets, webhook.ClientOptions{
		Timeout: 10 * time.Second, MaxAttempts: 3, Now: s.Now, Logger: s.log})
	local := newFlowPosters(s.Settings, s.cfg.FlowURL, webhook.ClientOptions{
		Timeout: 10 * time.Second, MaxAttempts: 3, Now: s.Now, Logger: s.log})
	// useLocal decides per call: the section and the secrets may change.
	useLocal := func(ctx context.Context, bu string) (approval.Config, bool, error) {
		c, err := fromFile(ctx, bu)
		switch {
		case errors.Is(err, approval.ErrUnknownBU) && !errors.Is(err, settings.ErrNotFound):
			return c, true, nil // no approvals section
		case err != nil:
			return c, false, err
		}
		u, perr := url.Parse(c.FlowURL)
		return c, perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "", nil
	}
	config := func(ctx context.Context, bu string) (approval.Config, error) {
		c, local, err := useLocal(ctx, bu)
		if err != nil || !local {
			return c, err
		}
		flow, err := s.cfg.Secrets.Secret(ctx, LocalFlowSecret)
		if err != nil {
			return c, err
		}
		key, err := s.cfg.Secrets.Secret(ctx, LocalCallbackKeySecret)
		if err != nil {
			return c, err
		}
		return approval.Config{FlowURL: s.cfg.FlowURL, Secrets: []string{flow}, CallbackKey: key}, nil
	}
	posters := func(ctx context.Context, bu string) (approval.Poster, error) {
		if s.cfg.Poster != nil {
			return s.cfg.Poster, nil
		}
		if _, isLocal, err := useLocal(ctx, bu); err != nil || isLocal {
			if err != nil {
				return nil, err
			}
			return local(ctx, bu)
		}
		return filePoster(ctx, bu)
	}
	return config, posters, nil
}

// Secrets the local flow uses when a business unit configures none.
const (
	LocalFlowSecret        = "local-approval-flow"
	LocalCallbackKeySecret = "local-approval-callback-key"
)
