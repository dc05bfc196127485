// Package devserver is `journeys dev`: the journeys system in one process
// on a developer's machine. It serves the HTTP routes of the deployed API
// (tracking, approval callbacks, custom events, the LinkedIn webhook) on
// loopback, keeps its data in the embedded store under a project-local
// folder (.journeys/), publishes the journeys of the journeys folder, runs
// them on the local Step Functions engine on a real clock (optionally sped
// up) or a virtual one (tests), runs the workers of the LinkedIn lead
// queue and of the tracking retry queue, and delivers messages to the
// outbox it lists (GET /outbox) or to the providers the settings name.
// Stopping it and starting it again on the same folder loses nothing:
// executions waiting on timers and task tokens carry on, and journey time
// on a sped-up clock resumes where it stood (local.ClockKeeper). At start
// it makes sure each business unit has a local all-scopes API key, whose
// secret it writes to DataDir/api-keys.json (0600) for the command line.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

// Delivery modes.
const (
	DeliverOutbox   = "outbox"   // every channel into DataDir/outbox/<bu> (default)
	DeliverSettings = "settings" // the providers and actions the settings name
)

// Config configures a dev server.
type Config struct {
	// Root is the journeys folder.
	Root string
	// DataDir holds store.db, secrets.yaml and outbox/ (default .journeys).
	DataDir string
	// Addr is where to listen (default 127.0.0.1:8080; :0 picks a port).
	Addr string
	// Clock is the engine's and handlers' clock: an *asl.VirtualClock for
	// tests (the server then runs only when Advance is called), or nil for
	// the wall clock sped up ClockSpeed times, whose journey time the
	// server keeps in the store (local.ClockKeeper): a restart resumes it
	// where it stood rather than moving it back to the wall clock.
	Clock asl.Clock
	// ClockSpeed is how much faster than the wall clock journey time runs
	// when Clock is nil (default 1; 3600 is an hour a second).
	ClockSpeed float64
	// Wall is the wall clock a nil Clock follows (default time.Now; tests
	// move their own).
	Wall func() time.Time
	// Journeys lists the journey files to publish (default: all of Root).
	Journeys []string
	// Contacts lists contacts files whose contacts are added at start
	// (those already in the store are left as they are).
	Contacts []string
	// Deliver is DeliverOutbox (default) or DeliverSettings.
	Deliver string
	// FlowURL is the approval flow of business units whose settings have
	// none: default the built-in flow (GET /local/approvals lists its
	// requests; approve or reject there).
	FlowURL string
	// LinkedIn configures the lead API the LinkedIn worker fetches from.
	LinkedIn LinkedInConfig
	// Getenv reads the environment for secrets (JOURNEYS_SECRET_<NAME>);
	// nil reads none.
	Getenv func(string) string
	// RIE, when set, runs the task functions as their built bootstraps
	// under the Lambda Runtime Interface Emulator, with the data in
	// DynamoDB (a moto server) where both they and the server reach it.
	RIE *RIEConfig
	// Trace hears every event of every execution (sim.Observer.Trace).
	Trace func(asl.TraceEvent)
	// NoSync skips fsync on store commits (tests, benchmarks).
	NoSync bool
	Logger *slog.Logger
}

// LinkedInConfig says where leads are fetched from.
type LinkedInConfig struct {
	APIURL  string // default https://api.linkedin.com
	Version string // LinkedIn-Version, YYYYMM (default 202501)
	Token   string // the bearer token; no worker runs without one
	// Units are the lead settings of business units whose settings file
	// has no linkedin section (the demo's, say).
	Units map[string]leads.Config
}

// Server is a running dev server. Its methods are safe for concurrent use.
type Server struct {
	cfg      Config
	sys      *local.System
	store    *embedded.Store
	http     *http.Server
	listener net.Listener
	url      string
	flow     *Flow
	leads    *leadPipeline
	// trackRetry finishes opens and clicks whose recording or resume
	// failed.
	trackRetry *trackRetry
	virtual    *asl.VirtualClock
	keeper     *local.ClockKeeper // saves a real clock's journey time; nil on a virtual one
	log        *slog.Logger

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	mu        sync.Mutex // serialises Advance
	restored  int
	published []publish.Result
	closers   []func() error
	closed    bool
}

// Start opens the data folder, restores waiting executions, publishes the
// journeys, starts the engine, the lead worker and the HTTP server.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg = withDefaults(cfg)
	s := &Server{cfg: cfg, log: cfg.Logger}
	if vc, ok := cfg.Clock.(*asl.VirtualClock); ok {
		s.virtual = vc
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("dev server: %w", err)
	}
	s.listener, s.url = l, "http://"+l.Addr().String()
	if err := s.open(ctx); err != nil {
		l.Close()
		return nil, err
	}
	if err := s.begin(ctx); err != nil {
		s.shutdown(context.Background())
		return nil, err
	}
	return s, nil
}

func withDefaults(cfg Config) Config {
	if cfg.DataDir == "" {
		cfg.DataDir = ".journeys"
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.Wall == nil {
		cfg.Wall = time.Now
	}
	if cfg.Deliver == "" {
		cfg.Deliver = DeliverOutbox
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// open opens the store and assembles the system.
func (s *Server) open(ctx context.Context) error {
	cfg := s.cfg
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	// The store measures leases, expiries and queue visibility in process
	// time: on a sped-up clock a lease of two minutes would lapse during a
	// single HTTP call. Journey time (what handlers record) is the clock's.
	storeNow := cfg.Wall
	if s.virtual != nil {
		storeNow = s.virtual.Now
	}
	secrets := &settings.LocalSecrets{File: filepath.Join(cfg.DataDir, "secrets.yaml"), Getenv: cfg.Getenv}
	file := "store.db"
	if cfg.RIE != nil {
		file = "rie.db" // engine state and queue only; the data live in DynamoDB
		if err := os.Remove(filepath.Join(cfg.DataDir, file)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("dev server: %w", err)
		}
	}
	st, err := embedded.Open(filepath.Join(cfg.DataDir, file), store.Config{Now: storeNow}, embedded.Options{NoSync: cfg.NoSync})
	if err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	s.store = st
	if err := s.resumeClock(ctx); err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	cfg = s.cfg
	var data local.Store = st
	if cfg.RIE != nil {
		if data, err = s.openDynamo(ctx, st, secrets, storeNow); err != nil {
			return fmt.Errorf("dev server: %w", err)
		}
	}
	retries := newTrackRetryQueue(st)
	sc := local.SystemConfig{
		Root: cfg.Root, Store: data, Clock: cfg.Clock, Secrets: secrets, BaseURL: s.url,
		FlowURL: cfg.FlowURL, Persist: true, Launches: true, Logger: s.log, TaskConcurrency: 16, Trace: cfg.Trace,
		TrackRetry: retries,
	}
	if cfg.Deliver == DeliverOutbox {
		sc.Outbox = s.OutboxDir()
	}
	if s.sys, err = local.NewSystem(sc); err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	if cfg.RIE != nil {
		if err := s.startRIE(ctx, secrets); err != nil {
			return fmt.Errorf("dev server: %w", err)
		}
	}
	s.flow = NewFlow(FlowConfig{Secrets: secrets, Store: st, Now: cfg.Clock.Now, Logger: s.log})
	if s.leads, err = newLeadPipeline(s.sys, st, cfg, secrets); err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	if s.trackRetry, err = newTrackRetry(s.sys, retries); err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	return nil
}

// begin restores executions, publishes, and starts the loops.
func (s *Server) begin(ctx context.Context) error {
	n, err := s.sys.Workflow.Restore(ctx)
	if err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	s.restored = n
	if err := s.loadContacts(ctx); err != nil { // before publishing: one-off segment launches see them
		return fmt.Errorf("dev server: %w", err)
	}
	if _, err := s.publish(ctx); err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	if err := s.ensureLocalKeys(ctx); err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	run, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if s.virtual == nil {
		s.loop(run, "engine", s.sys.Workflow.Engine().Run)
		if s.leads != nil {
			s.loop(run, "lead worker", s.leads.worker.Run)
		}
		s.loop(run, "tracking retry worker", s.trackRetry.worker.Run)
		s.loop(run, "segment scheduler", s.schedule)
		if s.keeper != nil {
			s.loop(run, "clock keeper", s.keeper.Run)
		}
	}
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("dev server stopped serving", "error", err.Error())
		}
	}()
	return nil
}

func (s *Server) loop(ctx context.Context, what string, fn func(context.Context) error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error(what+" stopped", "error", err.Error())
		}
	}()
}

// resumeClock makes the real clock, when no clock was given, resuming
// the journey time saved in the store.
func (s *Server) resumeClock(ctx context.Context) error {
	if s.cfg.Clock != nil {
		return nil
	}
	k, saved, err := local.ResumeClock(ctx, s.store, s.cfg.ClockSpeed, s.cfg.Wall)
	if err != nil {
		return err
	}
	s.keeper, s.cfg.Clock = k, k.Clock()
	if !saved.Journey.IsZero() {
		s.log.Info("journey time resumed", "saved", saved.Journey, "savedSpeed", saved.Speed,
			"now", k.Clock().Now().UTC(), "speed", k.Clock().Scale())
	}
	return nil
}

// URL is where the server listens, e.g. http://127.0.0.1:8080.
func (s *Server) URL() string { return s.url }

// System returns the system the server runs.
func (s *Server) System() *local.System { return s.sys }

// Restored is how many running executions the start carried on.
func (s *Server) Restored() int { return s.restored }

// OutboxDir is where messages are delivered in outbox mode.
func (s *Server) OutboxDir() string { return filepath.Join(s.cfg.DataDir, "outbox") }

// Flow is the built-in approval flow.
func (s *Server) Flow() *Flow { return s.flow }

// Advance moves a virtual clock forward by d, handling queued leads and
// tracking retries and running the engine up to the new time (a
// real-clock server runs on its own; Advance then only handles the
// queues).
func (s *Server) Advance(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.leads != nil {
		if _, err := s.leads.worker.Drain(ctx); err != nil {
			return err
		}
	}
	if _, err := s.trackRetry.worker.Drain(ctx); err != nil {
		return err
	}
	if s.virtual == nil {
		return nil
	}
	return s.sys.Workflow.Engine().RunUntil(ctx, s.virtual.Now().Add(d))
}

// Close stops serving, stops the engine and the worker, and closes the
// store: everything waiting is saved and carries on at the next Start.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.shutdown(ctx)
}

func (s *Server) shutdown(ctx context.Context) error {
	var errs []error
	if s.http != nil {
		errs = append(errs, s.http.Shutdown(ctx))
	} else if s.listener != nil {
		s.listener.Close()
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	if s.keeper != nil && s.store != nil {
		errs = append(errs, s.keeper.Save(context.WithoutCancel(ctx)))
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	return errors.Join(errs...)
}

// publish publishes the configured journeys (all of the folder's by
// default); unchanged ones keep their current version.
func (s *Server) publish(ctx context.Context) ([]publish.Result, error) {
	res, err := s.sys.Publish(ctx, "journeys dev", s.cfg.Journeys...)
	for _, r := range res {
		s.log.Info("journey ready", "bu", r.BU, "journey", r.Journey, "version", r.Version, "status", r.Status)
	}
	s.published = res
	return res, err
}

// Published lists the journeys the start published (or found unchanged).
func (s *Server) Published() []publish.Result { return s.published }

// loadContacts adds the contacts of the configured files that the store
// does not hold yet.
func (s *Server) loadContacts(ctx context.Context) error {
	for _, f := range s.cfg.Contacts {
		bu, seeds, err := local.ReadSeeds(f, s.sys.Library, s.sys.Now())
		if err != nil {
			return err
		}
		var fresh []local.Seed
		for _, sd := range seeds {
			if _, err := s.sys.Store.GetContact(ctx, bu, sd.ID); errors.Is(err, store.ErrNotFound) {
				fresh = append(fresh, sd)
			} else if err != nil {
				return err
			}
		}
		if err := local.LoadSeeds(ctx, s.sys.Store, bu, fresh); err != nil {
			return err
		}
		s.log.Info("contacts loaded", "bu", bu, "file", f, "new", len(fresh), "kept", len(seeds)-len(fresh))
	}
	return nil
}

// LeadQueue reports the LinkedIn messages waiting in the lead queue (or
// being processed) and those given up on.
func (s *Server) LeadQueue(ctx context.Context) (waiting, dead int, err error) {
	return s.leads.queue.Depth(ctx)
}

// schedule ticks the segment launch scheduler every minute of journey
// time (at most ten times a second of real time).
func (s *Server) schedule(ctx context.Context) error {
	every := time.Minute
	if rc, ok := s.cfg.Clock.(*asl.RealClock); ok {
		every = max(rc.RealDuration(time.Minute), 100*time.Millisecond)
	}
	ticker := s.sys.Ticker()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if rep, err := ticker.Tick(ctx); err != nil {
			s.log.Warn("segment scheduler", "error", err.Error())
		} else if len(rep.Launches) > 0 {
			s.log.Info("segment launches", "launches", rep.Launches)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
