package sim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

// Options configure a simulation.
type Options struct {
	// Root is the journeys folder (schema, segments, content, settings).
	Root string
	// Journey is the journey file to run.
	Journey string
	// Contacts enter the journey at Start.
	Contacts []local.Seed
	// Events are the scripted interactions.
	Events []Event
	// Start is when the contacts enter; Until how long the run lasts.
	Start time.Time
	Until time.Duration
	// Seed makes task tokens, shares and secrets repeatable.
	Seed uint64
	// Trace names a contact whose path the report explains.
	Trace string
	// Watch says which contacts' messages and step logs are kept for
	// Result.Contacts (every contact when nil and there are at most
	// 1,000; the traced one otherwise).
	Watch func(contact string) bool
	// Progress is called as virtual time passes (at most once per loop).
	Progress func(now, end time.Time)
	// Logger receives the handlers' logs; discarded when nil.
	Logger *slog.Logger
}

// A Result is a simulation's report and what it kept of the watched
// contacts.
type Result struct {
	Report   *Report
	Contacts map[string]*ContactResult
}

// A ContactResult is one watched contact's run.
type ContactResult struct {
	ID        string
	Execution string
	Entered   time.Time
	Path      []string // the steps it went through
	Messages  []Delivered
	Logs      []store.StepLog
	// Status is the enrolment's final status, or "not-enrolled".
	Status string
	Reason string
}

// The simulation's fixed identity.
const (
	simBaseURL = "http://journeys.sim"
	simEntry   = "sim"
)

// run is one simulation in progress.
type run struct {
	opts     Options
	sys      *local.System
	checked  *journey.Checked
	clock    *asl.VirtualClock
	world    *world
	book     *logBook
	recorder *Recorder
	queue    eventQueue
	bu       string
	contacts []contactRun
	byID     map[string]int
	byExec   map[string]int
	after    map[afterKey][]int // "after" events waiting for a step, by kind
	applied  int
	missed   int
	seq      int
	logger   *slog.Logger
}

type afterKey struct{ step, kind string }

// Run simulates the journey: it publishes it on a fresh in-process system
// (a scratch store, the local engine on a virtual clock, the real
// handlers, channels that count instead of sending), enrols the contacts
// at Start, plays the events at their times and runs until Start+Until.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Until <= 0 {
		return nil, errors.New("simulate: Until must be positive")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Watch == nil {
		small := len(opts.Contacts) <= 1000
		trace := opts.Trace
		opts.Watch = func(c string) bool { return small || c == trace }
	}
	r := &run{opts: opts, clock: asl.NewVirtualClock(opts.Start), byID: map[string]int{}, byExec: map[string]int{},
		after: map[afterKey][]int{}, logger: opts.Logger}
	dir, err := os.MkdirTemp("", "journeys-sim-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := embedded.Open(filepath.Join(dir, "store.db"), store.Config{Now: r.clock.Now}, embedded.Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := r.setup(ctx, st); err != nil {
		return nil, err
	}
	if err := r.enter(ctx); err != nil {
		return nil, err
	}
	if err := r.loop(ctx); err != nil {
		return nil, err
	}
	return r.result(ctx)
}

// setup compiles the journey (for the state → step map), builds the
// system and publishes the journey.
func (r *run) setup(ctx context.Context, st *embedded.Store) error {
	lib, probs := journey.LoadDir(r.opts.Root)
	if len(probs) > 0 {
		return probs
	}
	checked, probs := journey.ReadJourney(r.opts.Journey, lib)
	if len(probs) > 0 {
		return probs
	}
	compiled, err := compile.Compile(checked, compile.Options{})
	if err != nil {
		return err
	}
	r.checked, r.bu = checked, checked.Journey.BusinessUnit
	r.recorder = NewRecorder(NewStepMap(checked, compiled.States))
	r.recorder.onHop = r.hop
	r.world = newWorld(r.clock.Now, r.opts.Watch)
	r.book = newLogBook(r.opts.Watch)
	r.sys, err = local.NewSystem(local.SystemConfig{
		Root: r.opts.Root, Store: logStore{Store: st, book: r.book}, Clock: r.clock,
		Secrets: &local.DerivedSecrets{Seed: fmt.Sprint(r.opts.Seed)}, BaseURL: simBaseURL,
		Channels: r.world, Actions: r.world, Poster: r.world, Seed: r.opts.Seed | 1,
		Trace: r.recorder.Trace, Logger: r.logger,
	})
	if err != nil {
		return err
	}
	if _, err := r.sys.Publish(ctx, "simulator", r.opts.Journey); err != nil {
		return err
	}
	return nil
}

// logStore tells the log book of every step log entry the handlers write.
type logStore struct {
	local.Store
	book *logBook
}

func (s logStore) AppendStepLog(ctx context.Context, bu string, l store.StepLog) (store.StepLog, error) {
	out, err := s.Store.AppendStepLog(ctx, bu, l)
	if err == nil {
		s.book.add(out)
	}
	return out, err
}

// hop is the recorder's note of a step entered; "after" events of kind
// step wait for it. It runs on the engine's goroutine.
func (r *run) hop(exec string, step int, at time.Time) {
	i, ok := r.byExec[exec]
	if !ok {
		return
	}
	id := r.checked.Journey.Steps[step].ID
	if len(r.after[afterKey{id, "step"}]) > 0 {
		r.world.note(reach{contact: r.contacts[i].id, step: id, at: at, kind: "step"})
	}
}

// loop runs the engine, applying the events at their times, until the
// end. While events wait for contacts to reach steps it steps from timer
// to timer, so an event "after" a step never comes late.
func (r *run) loop(ctx context.Context) error {
	e := r.sys.Workflow.Engine()
	end := r.opts.Start.Add(r.opts.Until)
	for {
		if err := e.RunUntil(ctx, r.clock.Now()); err != nil {
			return err
		}
		r.scheduleReached()
		next := end
		if top, ok := r.queue.peek(); ok && top.Before(next) {
			next = top
		}
		if len(r.after) > 0 {
			if t, ok := e.NextTimer(); ok && t.Before(next) {
				next = t
			}
		}
		if next.After(r.clock.Now()) {
			if err := e.RunUntil(ctx, next); err != nil {
				return err
			}
			r.scheduleReached()
		}
		applied := 0
		for {
			top, ok := r.queue.peek()
			if !ok || top.After(r.clock.Now()) {
				break
			}
			ev := heap.Pop(&r.queue).(scheduled)
			if err := r.apply(ctx, ev); err != nil {
				return fmt.Errorf("%s: event %s for %s: %w", ev.ev.Pos, ev.ev.Type, ev.contact, err)
			}
			applied++
		}
		if r.opts.Progress != nil {
			r.opts.Progress(r.clock.Now(), end)
		}
		if applied == 0 && !r.clock.Now().Before(end) {
			return nil
		}
	}
}
