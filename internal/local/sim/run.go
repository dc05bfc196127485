package sim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
)

// Options configure a simulation.
type Options struct {
	// Root is the journeys folder (schema, segments, content, settings).
	Root string
	// Journey is the journey file to run.
	Journey string
	// Contacts enter the journey at Start.
	Contacts []local.Seed
	// Generate, when set, runs this many contacts cloned round-robin from
	// Contacts (local.Clone), made one at a time as they enter.
	Generate int
	// Batch is how many contacts one system simulates at a time
	// (DefaultBatch); Parallel how many batches run at once (GOMAXPROCS).
	// The report does not depend on either.
	Batch, Parallel int
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
	// Progress is called as the run goes with the share done (0 to 1) and
	// the virtual time of the batch that reports.
	Progress func(done float64, now time.Time)
	// Logger receives the handlers' logs; discarded when nil.
	Logger *slog.Logger
	// Failures make the outbound calls of steps fail (deliveries, webhook
	// actions).
	Failures []Failure
	// Event is what the event that enrols the contacts of an
	// event-triggered journey carries besides the trigger's filter
	// attributes (which it always carries, with the filter's values): the
	// journey's templates read it as event.<name>, its conditions as event.
	// Other triggers ignore it.
	Event map[string]any
	// Machine, when set, is the state machine the contacts run instead of
	// the one compiled from Journey today: a definition as `journeys
	// compile` writes it, compiled from Journey by an earlier release
	// (local.System.PublishMachine). Paths name the steps of today's
	// compile by state name.
	Machine []byte
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
	// Trace explains the contact's way through the journey, as the
	// report's trace does for Options.Trace.
	Trace *ContactTrace
	// Edges are the edges of the journey's step graph the contact went
	// along, in order.
	Edges []EdgeTaken
}

// The simulation's fixed identity.
const (
	simBaseURL = "http://journeys.sim"
	simEntry   = "sim"
)

// run is one simulation in progress.
type run struct {
	opts       Options
	sys        *local.System
	checked    *journey.Checked
	clock      *asl.VirtualClock
	world      *world
	book       *logBook
	recorder   *Recorder
	queue      eventQueue
	bu         string
	batch      int
	first      int // the batch's contacts: indexes first..last-1
	last       int
	progress   *progress
	deliveries []Count // kept after release
	contacts   []contactRun
	byID       map[string]int
	byExec     map[string]int
	after      map[afterKey][]int // "after" events waiting for a step, by kind
	applied    int
	missed     int
	seq        int
	logger     *slog.Logger
}

type afterKey struct{ step, kind string }

// Run simulates the journey: it publishes it on a fresh in-process system
// (a memory store, the local engine on a virtual clock, the real
// handlers, channels that count instead of sending), enrols the contacts
// at Start, plays the events at their times and runs until Start+Until.
//
// Contacts of one journey do not affect each other, so a big run goes in
// batches (Options.Batch contacts each, on a system of their own, which
// bounds the memory) on Options.Parallel goroutines; the report is the
// same whatever the batch size and parallelism.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Until <= 0 {
		return nil, errors.New("simulate: Until must be positive")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	total := len(opts.Contacts)
	if opts.Generate > 0 {
		total = opts.Generate
	}
	if total == 0 {
		return nil, errors.New("simulate: no contacts")
	}
	if opts.Watch == nil {
		small := total <= 1000
		trace := opts.Trace
		opts.Watch = func(c string) bool { return small || c == trace }
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	batches := (total + opts.Batch - 1) / opts.Batch
	workers := opts.Parallel
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, batches))
	if err := checkEventContacts(opts, total); err != nil {
		return nil, err
	}
	progress := newProgress(batches, opts.Progress)
	runs := make([]*run, batches)
	errs := make([]error, batches)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				r := &run{opts: opts, batch: b, first: b * opts.Batch, last: min(total, (b+1)*opts.Batch),
					clock: asl.NewVirtualClock(opts.Start), byID: map[string]int{}, byExec: map[string]int{},
					after: map[afterKey][]int{}, logger: opts.Logger, progress: progress}
				errs[b] = r.run(ctx)
				r.release()
				runs[b] = r
				progress.done(b)
			}
		}()
	}
	for b := range batches {
		next <- b
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return merge(runs)
}

// DefaultBatch is how many contacts one system simulates at a time.
const DefaultBatch = 5000

// run simulates one batch of the contacts.
func (r *run) run(ctx context.Context) error {
	st := memory.New(store.Config{Now: r.clock.Now, SuppressionKey: []byte(fmt.Sprint("sim-", r.opts.Seed))})
	if err := r.setup(ctx, st); err != nil {
		return err
	}
	if err := r.enter(ctx); err != nil {
		return err
	}
	if err := r.loop(ctx); err != nil {
		return err
	}
	return r.collect(ctx)
}

// release drops the batch's system and store once its results are
// collected: only the contacts' runs, the log counts and the deliveries
// stay.
func (r *run) release() {
	if r.world != nil {
		r.deliveries = r.world.deliveries()
	}
	r.sys, r.recorder, r.byID, r.byExec, r.queue, r.world = nil, nil, nil, nil, nil, nil
	if r.book != nil {
		r.book.release(r.opts.Watch)
	}
}

// seed returns the i-th contact of the run (of all batches).
func (r *run) seed(i int) local.Seed {
	if r.opts.Generate > 0 {
		return local.Clone(r.opts.Contacts, i)
	}
	return r.opts.Contacts[i]
}

// progress tells Options.Progress the share of the work done.
type progress struct {
	mu   sync.Mutex
	frac []float64 // of each batch
	fn   func(done float64, now time.Time)
}

func newProgress(batches int, fn func(float64, time.Time)) *progress {
	return &progress{frac: make([]float64, batches), fn: fn}
}

func (p *progress) report(batch int, now, start, end time.Time) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frac[batch] = min(1, float64(now.Sub(start))/float64(end.Sub(start)))
	p.fn(p.total(), now)
}

func (p *progress) done(batch int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frac[batch] = 1
}

func (p *progress) total() float64 {
	sum := 0.0
	for _, f := range p.frac {
		sum += f
	}
	return sum / float64(len(p.frac))
}

// setup compiles the journey (for the state → step map), builds the
// system and publishes the journey.
func (r *run) setup(ctx context.Context, st local.Store) error {
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
	r.recorder = NewRecorder(NewStepMap(checked, compiled))
	r.recorder.onHop = r.hop
	r.world = newWorld(r.clock.Now, r.opts.Watch, r.needsMessages())
	for _, f := range r.opts.Failures {
		if problem := f.Check(checked); problem != "" {
			return fmt.Errorf("%s: %s", f.Pos, problem)
		}
	}
	r.world.failures = newFailures(r.opts.Failures)
	r.book = newLogBook(r.opts.Watch)
	r.sys, err = local.NewSystem(local.SystemConfig{
		Root: r.opts.Root, Store: logStore{Store: st, book: r.book}, Clock: r.clock,
		Secrets: &local.DerivedSecrets{Seed: fmt.Sprint(r.opts.Seed)}, BaseURL: simBaseURL,
		Channels: r.world, Actions: r.world, Poster: r.world, Seed: (r.opts.Seed | 1) + uint64(r.batch)<<32,
		Trace: r.recorder.Trace, Logger: r.logger,
	})
	if err != nil {
		return err
	}
	if r.opts.Machine != nil {
		_, err = r.sys.PublishMachine(ctx, "simulator", r.opts.Journey, r.opts.Machine)
	} else {
		_, err = r.sys.Publish(ctx, "simulator", r.opts.Journey)
	}
	return err
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

// ViewContact passes the store's contact view on (handler.ContactViewer):
// the wrapper must not hide it.
func (s logStore) ViewContact(ctx context.Context, bu, id string) (store.Contact, error) {
	if v, ok := s.Store.(handler.ContactViewer); ok {
		return v.ViewContact(ctx, bu, id)
	}
	return s.Store.GetContact(ctx, bu, id)
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
		r.progress.report(r.batch, r.clock.Now(), r.opts.Start, end)
		if err := r.forgetEnded(ctx); err != nil {
			return err
		}
		if applied == 0 && !r.clock.Now().Before(end) {
			return nil
		}
	}
}

// needsMessages reports whether scripted events open or click messages,
// the only use of the message ids the world keeps.
func (r *run) needsMessages() bool {
	for _, ev := range r.opts.Events {
		if ev.Type == TypeOpened || ev.Type == TypeClicked {
			return true
		}
	}
	return false
}

// forgetEnded drops the engine's finished executions: their paths are
// recorded and their outcome is in the store, and a hundred thousand of
// them would fill the memory.
func (r *run) forgetEnded(ctx context.Context) error {
	e := r.sys.Workflow.Engine()
	for _, arn := range r.recorder.takeEnded() {
		if err := e.Forget(ctx, arn); err != nil {
			return err
		}
	}
	return nil
}

// checkEventContacts refuses events for contacts the run does not have.
func checkEventContacts(opts Options, total int) error {
	ids := map[string]bool{}
	for _, ev := range opts.Events {
		if ev.Contact != AllContacts {
			ids[ev.Contact] = false
		}
	}
	if len(ids) == 0 {
		return nil
	}
	for i := range total {
		id := ""
		if opts.Generate > 0 && len(opts.Contacts) > 0 {
			id = local.CloneID(opts.Contacts, i)
		} else {
			id = opts.Contacts[i].ID
		}
		if _, ok := ids[id]; ok {
			ids[id] = true
		}
	}
	for _, ev := range opts.Events {
		if ev.Contact != AllContacts && !ids[ev.Contact] {
			return fmt.Errorf("%s: event for %q, who is not among the contacts", ev.Pos, ev.Contact)
		}
	}
	return nil
}
