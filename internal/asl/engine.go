package asl

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/journeys-oss/journeys/internal/asl/intrinsic"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// An Engine runs executions of loaded Machines the way AWS Step Functions
// does: durable Standard executions that wait on timers and task tokens for
// as long as their journeys take, with the history Step Functions records.
//
// Parked executions hold no goroutine: they are data in the engine (and in
// its Persistence). Work is driven either by RunUntil on a VirtualClock
// (deterministic; all runnable work and due timers in time order) or by Run
// on a real clock. All methods are safe for concurrent use.
type Engine struct {
	opts   options
	mu     sync.Mutex
	pmu    sync.Mutex // serialises persistence writes
	dmu    sync.Mutex // one driver (RunUntil or Run) at a time
	execs  map[string]*execution
	names  map[nameKey]*execution
	tokens map[string]*thread
	runq   []*thread
	timers timerHeap

	timerSeq uint64
	wake     chan struct{}
	rng      *rand.Rand
	sem      chan struct{}
	dirty    []*execution
	strs     map[string]string // see intern

	defaultRole string
}

// A nameKey identifies an execution by state machine and name, which Step
// Functions keeps unique.
type nameKey struct {
	stateMachineArn, name string
}

// NewEngine returns an engine configured by opts.
func NewEngine(opts ...Option) *Engine {
	o := defaultOptions()
	for _, fn := range opts {
		fn(&o)
	}
	if o.clock == nil {
		o.clock = NewRealClock(1)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if !o.seeded {
		var b [8]byte
		_, _ = crand.Read(b[:])
		o.seed = binary.LittleEndian.Uint64(b[:])
	}
	if o.taskConcurrency < 1 {
		o.taskConcurrency = 1
	}
	return &Engine{
		defaultRole: "arn:aws:iam::" + o.account + ":role/StepFunctionsRole",
		opts:        o,
		execs:       map[string]*execution{},
		names:       map[nameKey]*execution{},
		tokens:      map[string]*thread{},
		wake:        make(chan struct{}, 1),
		rng:         rand.New(rand.NewPCG(o.seed, o.seed^0x9e3779b97f4a7c15)),
		sem:         make(chan struct{}, o.taskConcurrency),
	}
}

// A StartRequest says what to start. Only Machine is required.
type StartRequest struct {
	Machine *Machine
	// StateMachineArn and StateMachineName identify the state machine in
	// ARNs, the context object and name uniqueness. Without them the name
	// is "StateMachine" and the ARN is built from region and account.
	StateMachineArn  string
	StateMachineName string
	// Name is the execution name (unique per state machine); "" draws a
	// UUID. ExecutionArn overrides the ARN built from it.
	Name         string
	ExecutionArn string
	// Input is the execution input, JSON text; nil means {}.
	Input   []byte
	RoleArn string
	// Express runs the execution as a synchronous Express execution does:
	// no RedriveCount in the context object and no history.
	Express bool
	// History overrides the engine's WithHistory for this execution.
	History HistoryMode
	// Context overrides what the context object ($$) shows, without
	// changing the execution's identity: for reproducing recordings whose
	// names are not valid execution names.
	Context *ContextOverrides
}

// ContextOverrides replace values of the context object; empty fields keep
// the execution's own values.
type ContextOverrides struct {
	StateMachineName string
	StateMachineArn  string
	ExecutionName    string
	ExecutionArn     string
	RoleArn          string
}

// HistoryMode says whether an execution keeps its history.
type HistoryMode uint8

// History modes: the engine default, always, never.
const (
	HistoryDefault HistoryMode = iota
	HistoryOn
	HistoryOff
)

// Start starts an execution and returns its ARN. Names are unique per state
// machine, as on AWS: starting a running execution's name again with the
// same input returns that execution; any other reuse is
// ErrExecutionAlreadyExists. Other errors: ErrInvalidName,
// ErrInvalidExecutionInput, and a persistence failure.
func (e *Engine) Start(ctx context.Context, req StartRequest) (string, error) {
	if req.Machine == nil {
		return "", fmt.Errorf("start execution: no machine")
	}
	inputText := req.Input
	if len(inputText) == 0 {
		inputText = []byte("{}")
	}
	if len(inputText) > payloadLimit {
		return "", fmt.Errorf("start execution: input of %d bytes exceeds %d: %w", len(inputText), payloadLimit, ErrInvalidExecutionInput)
	}
	input, err := jsonv.Parse(inputText)
	if err != nil {
		return "", fmt.Errorf("start execution: %v: %w", err, ErrInvalidExecutionInput)
	}
	e.mu.Lock()
	x, existing, err := e.newExecution(req, input)
	if err != nil || existing {
		e.mu.Unlock()
		if err != nil {
			return "", err
		}
		return x.arn, nil
	}
	e.beginExecution(x)
	e.mu.Unlock()
	if err := e.persist(ctx, x); err != nil {
		return x.arn, err
	}
	return x.arn, nil
}

// newExecution builds the execution of a start request; existing reports an
// idempotent repeat. The lock is held.
func (e *Engine) newExecution(req StartRequest, input any) (x *execution, existing bool, err error) {
	smName := req.StateMachineName
	if smName == "" {
		smName = "StateMachine"
	}
	smArn := req.StateMachineArn
	if smArn == "" {
		smArn = fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", e.opts.region, e.opts.account, smName)
	}
	name := req.Name
	if name == "" {
		name = intrinsic.NewUUID(e.rng)
	} else if err := checkName(name); err != nil {
		return nil, false, err
	}
	key := nameKey{smArn, name}
	if old, ok := e.names[key]; ok {
		if old.running() && jsonv.String(old.input) == jsonv.String(input) {
			return old, true, nil
		}
		return nil, false, fmt.Errorf("start execution %s: %w", name, ErrExecutionAlreadyExists)
	}
	arn := req.ExecutionArn
	kind, suffix := "execution", ""
	if req.Express {
		kind, suffix = "express", ":"+intrinsic.NewUUID(e.rng)
	}
	prefix := "arn:aws:states:" + e.opts.region + ":" + e.opts.account + ":"
	if arn == "" {
		arn = prefix + kind + ":" + smName + ":" + name + suffix
	}
	name = nameIn(arn, name)
	key.name = name // the map keeps the ARN's copy, not the request's
	keep := e.opts.history
	switch req.History {
	case HistoryOn:
		keep = true
	case HistoryOff:
		keep = false
	}
	if req.Express {
		keep = false
	}
	role := req.RoleArn
	if role == "" {
		role = e.defaultRole
	}
	pcg := rand.NewPCG(e.rng.Uint64(), e.rng.Uint64())
	x = &execution{
		m: req.Machine, arn: arn, name: name, smArn: smArn, smName: smName, roleArn: role,
		express: req.Express, input: input, start: e.opts.clock.Now(),
		status: StatusRunning, keepHistory: keep, pcg: pcg, rng: rand.New(pcg),
		ctx: completeContext(req.Context, prefix, kind, smName, name, suffix),
	}
	e.execs[arn] = x
	e.names[key] = x
	return x, false, nil
}

// beginExecution records ExecutionStarted and makes the first state
// runnable. The lock is held.
func (e *Engine) beginExecution(x *execution) {
	x.root = &thread{x: x, g: x.m.root, cur: x.m.root.startAt, phase: phEnter, input: x.input, scope: &scope{}}
	if ev := e.event(x, nil, EventExecutionStarted, "", nil); ev != nil {
		ev.ExecutionStartedEventDetails = &ExecutionStartedDetails{Input: jsonv.String(x.input), InputDetails: noTruncation, RoleArn: x.roleArn}
	}
	if x.m.timeoutSeconds > 0 {
		x.timeout = e.addTimer(&timer{due: x.start.Add(time.Duration(x.m.timeoutSeconds) * time.Second), kind: timerExecutionTimeout, x: x})
	}
	e.enqueue(x.root)
	e.markDirty(x)
}

// checkName applies Step Functions' execution naming rules.
func checkName(name string) error {
	if len([]rune(name)) > 80 {
		return fmt.Errorf("execution name %q is longer than 80 characters: %w", name, ErrInvalidName)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>{}[]?*"#%\^|~`+"`"+`$&,;:/`, r) {
			return fmt.Errorf("execution name %q contains %q: %w", name, r, ErrInvalidName)
		}
	}
	return nil
}

// enqueue makes a thread runnable. The lock is held.
func (e *Engine) enqueue(t *thread) {
	if t.queued || t.dead {
		return
	}
	t.queued = true
	e.runq = append(e.runq, t)
	e.signal()
}

func (e *Engine) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *Engine) markDirty(x *execution) {
	if e.opts.persistence == nil {
		return
	}
	x.seq++
	if !x.dirty {
		x.dirty = true
		e.dirty = append(e.dirty, x)
	}
}

// A Description describes an execution, as DescribeExecution does.
type Description struct {
	ExecutionArn    string
	StateMachineArn string
	Name            string
	Status          Status
	StartDate       time.Time
	StopDate        time.Time
	Input           []byte
	Output          []byte // when SUCCEEDED
	Error           string
	Cause           string
	HasCause        bool
	Transitions     int64
	Events          int64
}

// Describe returns the execution's description; ErrExecutionDoesNotExist
// if there is none with that ARN.
func (e *Engine) Describe(arn string) (Description, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.execs[arn]
	if !ok {
		return Description{}, fmt.Errorf("describe execution %s: %w", arn, ErrExecutionDoesNotExist)
	}
	return describe(x), nil
}

func describe(x *execution) Description {
	d := Description{
		ExecutionArn: x.arn, StateMachineArn: x.smArn, Name: x.name, Status: x.status,
		StartDate: x.start, StopDate: x.stop, Input: jsonv.Marshal(x.input),
		Transitions: x.transitions, Events: x.eventCount,
	}
	if x.status == StatusSucceeded {
		d.Output = jsonv.Marshal(x.output)
	}
	if x.err != nil {
		d.Error, d.Cause, d.HasCause = x.err.Name, x.err.Cause, x.err.HasCause
	}
	return d
}

// Executions returns the descriptions of all executions the engine knows,
// ordered by start time then ARN.
func (e *Engine) Executions() []Description {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Description, 0, len(e.execs))
	for _, x := range e.execs {
		out = append(out, describe(x))
	}
	sortDescriptions(out)
	return out
}

// History returns the execution's events in order. ErrHistoryDisabled if
// it keeps none, ErrExecutionDoesNotExist if there is no such execution.
func (e *Engine) History(arn string) ([]HistoryEvent, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.execs[arn]
	if !ok {
		return nil, fmt.Errorf("execution history %s: %w", arn, ErrExecutionDoesNotExist)
	}
	if !x.keepHistory {
		return nil, fmt.Errorf("execution history %s: %w", arn, ErrHistoryDisabled)
	}
	out := make([]HistoryEvent, len(x.events))
	for i, ev := range x.events {
		out[i] = *ev
	}
	return out, nil
}

// Forget drops a finished execution from the engine and from its
// Persistence, freeing its memory; its name may then be used again. AWS
// keeps closed executions for 90 days: forget them when they are that old
// (or, in a simulation, when their results are read). Forgetting a running
// execution is an error.
func (e *Engine) Forget(ctx context.Context, arn string) error {
	e.mu.Lock()
	x, ok := e.execs[arn]
	if !ok {
		e.mu.Unlock()
		return fmt.Errorf("forget execution %s: %w", arn, ErrExecutionDoesNotExist)
	}
	if x.running() {
		e.mu.Unlock()
		return fmt.Errorf("forget execution %s: it is still running", arn)
	}
	delete(e.execs, arn)
	delete(e.names, nameKey{x.smArn, x.name})
	e.mu.Unlock()
	if p := e.opts.persistence; p != nil {
		e.pmu.Lock()
		defer e.pmu.Unlock()
		if err := p.Delete(ctx, arn); err != nil {
			return fmt.Errorf("forget execution %s: %w", arn, err)
		}
	}
	return nil
}

// Stop aborts a running execution, recording error and cause, as
// StopExecution does. Stopping a finished execution does nothing.
func (e *Engine) Stop(ctx context.Context, arn, errName, cause string) error {
	e.mu.Lock()
	x, ok := e.execs[arn]
	if !ok {
		e.mu.Unlock()
		return fmt.Errorf("stop execution %s: %w", arn, ErrExecutionDoesNotExist)
	}
	if x.running() {
		ferr := &Error{Name: errName, Cause: cause, HasCause: cause != ""}
		e.endExecution(x, x.root, StatusAborted, nil, ferr)
	}
	e.mu.Unlock()
	return e.flush(ctx)
}

// RunUntil runs the engine on its VirtualClock up to time t: every
// runnable thread, then each due timer in time order (moving the clock to
// it), until nothing is runnable and the next timer is after t; then the
// clock shows t. It is deterministic. Calls from several goroutines take
// turns; a task handler must not call it. ErrNotVirtualClock if the
// engine's clock is not a *VirtualClock.
func (e *Engine) RunUntil(ctx context.Context, t time.Time) error {
	vc, ok := e.opts.clock.(*VirtualClock)
	if !ok {
		return ErrNotVirtualClock
	}
	e.dmu.Lock()
	defer e.dmu.Unlock()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.drain(ctx); err != nil {
			return err
		}
		e.mu.Lock()
		tm := e.nextTimer()
		if tm == nil || tm.due.After(t) {
			e.mu.Unlock()
			vc.Set(t)
			return nil
		}
		vc.Set(tm.due)
		e.fire(tm)
		e.mu.Unlock()
	}
}

// NextTimer returns the time of the engine's next timer, false if none.
func (e *Engine) NextTimer() (time.Time, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if tm := e.nextTimer(); tm != nil {
		return tm.due, true
	}
	return time.Time{}, false
}

// Run drives a real-time engine until ctx ends: it runs runnable threads,
// fires timers when the clock reaches them and runs task invocations on
// goroutines (at most WithTaskConcurrency at once). It returns ctx's error,
// or ErrNotVirtualClock if the engine runs on a VirtualClock.
func (e *Engine) Run(ctx context.Context) error {
	if _, virtual := e.opts.clock.(*VirtualClock); virtual {
		return ErrNotVirtualClock
	}
	e.dmu.Lock()
	defer e.dmu.Unlock()
	for {
		if err := e.drain(ctx); err != nil {
			return err
		}
		e.mu.Lock()
		wait := time.Duration(-1)
		if tm := e.nextTimer(); tm != nil {
			now := e.opts.clock.Now()
			if !tm.due.After(now) {
				e.fire(tm)
				e.mu.Unlock()
				continue
			}
			wait = tm.due.Sub(now)
			if rc, ok := e.opts.clock.(*RealClock); ok {
				wait = rc.RealDuration(wait)
			}
		}
		e.mu.Unlock()
		var timeout <-chan time.Time
		var tm *time.Timer
		if wait >= 0 {
			tm = time.NewTimer(wait + time.Millisecond)
			timeout = tm.C
		}
		select {
		case <-ctx.Done():
			if tm != nil {
				tm.Stop()
			}
			return ctx.Err()
		case <-e.wake:
		case <-timeout:
		}
		if tm != nil {
			tm.Stop()
		}
	}
}

func (e *Engine) virtual() bool {
	_, ok := e.opts.clock.(*VirtualClock)
	return ok
}

// drain runs every runnable thread, then saves what changed.
func (e *Engine) drain(ctx context.Context) error {
	e.mu.Lock()
	for i := 0; i < len(e.runq); i++ {
		t := e.runq[i]
		e.runq[i] = nil
		t.queued = false
		if t.dead || !t.x.running() {
			continue
		}
		e.step(ctx, t)
		e.markDirty(t.x)
	}
	e.runq = e.runq[:0]
	e.mu.Unlock()
	return e.flush(ctx)
}

// fire handles a due timer. The lock is held.
func (e *Engine) fire(tm *timer) {
	e.cancelTimer(tm)
	if tm.kind == timerExecutionTimeout {
		if tm.x.running() {
			e.endExecution(tm.x, tm.x.root, StatusTimedOut, nil, &Error{Name: ErrorTimeout, Cause: "", HasCause: false})
		}
		return
	}
	t := tm.t
	if t.dead || !t.x.running() {
		return
	}
	switch tm.kind {
	case timerWait:
		t.timer = nil
		e.waitDone(t)
	case timerRetry:
		t.timer = nil
		t.phase = phAttempt
		e.enqueue(t)
	case timerTaskTimeout, timerHeartbeat:
		e.taskTimedOut(t, tm)
	}
	e.markDirty(t.x)
}

// completeContext fills in the ARNs the given context names imply: a
// state machine name alone gives StateMachine.Id, and a state machine or
// execution name or state machine ARN without an execution ARN gives the
// Execution.Id built from them, as Step Functions would name that
// execution. prefix is "arn:aws:states:REGION:ACCOUNT:"; smName and name
// are the execution's own names for what is not given.
func completeContext(o *ContextOverrides, prefix, kind, smName, name, suffix string) *ContextOverrides {
	if o == nil {
		return nil
	}
	c := *o
	sm := smName
	if parts := strings.Split(c.StateMachineArn, ":"); len(parts) == 7 && parts[5] == "stateMachine" {
		prefix, sm = strings.Join(parts[:5], ":")+":", parts[6]
	}
	if c.StateMachineName != "" {
		sm = c.StateMachineName
		if c.StateMachineArn == "" {
			c.StateMachineArn = prefix + "stateMachine:" + sm
		}
	}
	if c.ExecutionArn == "" && (o.StateMachineName != "" || o.StateMachineArn != "" || c.ExecutionName != "") {
		en := name
		if c.ExecutionName != "" {
			en = c.ExecutionName
		}
		c.ExecutionArn = prefix + kind + ":" + sm + ":" + en + suffix
	}
	return &c
}
