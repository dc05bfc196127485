package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// snapshotVersion is the version of the encoded execution state.
const snapshotVersion = 1

// execState is the persisted form of an execution.
type execState struct {
	V           int               `json:"v"`
	SMName      string            `json:"smName"`
	RoleArn     string            `json:"roleArn"`
	Express     bool              `json:"express,omitempty"`
	Input       string            `json:"input"`
	Start       time.Time         `json:"start"`
	Stop        time.Time         `json:"stop,omitzero"`
	Status      Status            `json:"status"`
	Output      *string           `json:"output,omitempty"`
	Error       *Error            `json:"error,omitempty"`
	History     bool              `json:"history,omitempty"`
	Events      []*HistoryEvent   `json:"events,omitempty"`
	EventCount  int64             `json:"eventCount"`
	Transitions int64             `json:"transitions"`
	RNG         []byte            `json:"rng"`
	Timeout     *time.Time        `json:"timeout,omitempty"`
	Expired     []string          `json:"expired,omitempty"`
	Root        *threadState      `json:"root,omitempty"`
	Context     *ContextOverrides `json:"context,omitempty"`
}

type threadState struct {
	State      string            `json:"state"`
	Index      int               `json:"index,omitempty"`
	Phase      phase             `json:"phase"`
	Input      string            `json:"input"`
	Eff        *string           `json:"eff,omitempty"`
	Vars       map[string]string `json:"vars,omitempty"`
	Prev       int64             `json:"prev"`
	Entered    time.Time         `json:"entered,omitzero"`
	EnterID    int64             `json:"enterId,omitempty"`
	Retries    []int64           `json:"retries,omitempty"`
	RetryCount int64             `json:"retryCount,omitempty"`
	Timer      *time.Time        `json:"timer,omitempty"`
	Assigned   *string           `json:"assigned,omitempty"`
	Task       *taskState        `json:"task,omitempty"`
	Kids       *kidsState        `json:"kids,omitempty"`
}

type taskState struct {
	Token        string        `json:"token,omitempty"`
	Timeout      int64         `json:"timeout,omitempty"`
	Heartbeat    int64         `json:"heartbeat,omitempty"`
	TimeoutDue   *time.Time    `json:"timeoutDue,omitempty"`
	HeartbeatDue *time.Time    `json:"heartbeatDue,omitempty"`
	Submitted    bool          `json:"submitted,omitempty"`
	Pending      *outcomeState `json:"pending,omitempty"`
	Outcome      *outcomeState `json:"outcome,omitempty"`
}

type outcomeState struct {
	Output *string `json:"output,omitempty"`
	Error  *Error  `json:"error,omitempty"`
}

type kidsState struct {
	Results  []*string      `json:"results"`
	Running  []*threadState `json:"running,omitempty"`
	Items    *string        `json:"items,omitempty"`
	Next     int            `json:"next,omitempty"`
	Done     int            `json:"done"`
	Failures int            `json:"failures,omitempty"`
	MaxConc  int            `json:"maxConc,omitempty"`
	TolCount int64          `json:"tolCount,omitempty"`
	TolPct   float64        `json:"tolPct,omitempty"`
	HasTol   bool           `json:"hasTol,omitempty"`
}

func jsonText(v any) string { return jsonv.String(v) }

func optText(v any, present bool) *string {
	if !present {
		return nil
	}
	s := jsonv.String(v)
	return &s
}

// snapshot encodes an execution. The lock is held.
func (e *Engine) snapshot(x *execution) (*Snapshot, error) {
	st := &execState{
		V: snapshotVersion, SMName: x.smName, RoleArn: x.roleArn, Express: x.express,
		Input: jsonv.String(x.input), Start: x.start, Stop: x.stop, Status: x.status, Error: x.err,
		History: x.keepHistory, Events: x.events, EventCount: x.eventCount, Transitions: x.transitions,
		Context: x.ctx,
	}
	if x.status == StatusSucceeded {
		st.Output = optText(x.output, true)
	}
	rng, err := x.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	st.RNG = rng
	if x.timeout != nil {
		st.Timeout = &x.timeout.due
	}
	for tok := range x.expired {
		st.Expired = append(st.Expired, tok)
	}
	if x.root != nil {
		st.Root = encodeThread(x.root)
	}
	data, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return &Snapshot{ExecutionArn: x.arn, StateMachineArn: x.smArn, Name: x.name, Status: x.status,
		StartDate: x.start, StopDate: x.stop, Data: data}, nil
}

func encodeThread(t *thread) *threadState {
	ts := &threadState{
		State: t.state().name, Index: t.index, Phase: t.phase, Input: jsonText(t.input),
		Prev: t.prev, Entered: t.entered, EnterID: t.enterID, Retries: t.retries, RetryCount: t.retryCount,
	}
	if t.eff != nil || t.phase == phWaiting || t.phase == phRetryWait || t.phase == phAttempt || t.phase == phCallback || t.phase == phChildren {
		ts.Eff = optText(t.eff, true)
	}
	if len(t.scope.vars) > 0 {
		ts.Vars = make(map[string]string, len(t.scope.vars))
		for k, v := range t.scope.vars {
			ts.Vars[k] = jsonText(v)
		}
	}
	if t.timer != nil {
		ts.Timer = &t.timer.due
	}
	if t.assigned != nil {
		ts.Assigned = optText(t.assigned, true)
	}
	switch t.phase {
	case phInvoking, phTaskResult:
		// An invocation in flight is not durable: after a restart the
		// attempt runs again (tasks run at least once, as on AWS).
		ts.Phase = phAttempt
	}
	if run := t.task; run != nil && ts.Phase != phAttempt {
		ts.Task = &taskState{Token: run.token, Timeout: int64(run.timeout / time.Second),
			Heartbeat: int64(run.heartbeat / time.Second), Submitted: run.submitted,
			Pending: encodeOutcome(run.pending), Outcome: encodeOutcome(run.outcome)}
		if run.tTimer != nil {
			ts.Task.TimeoutDue = &run.tTimer.due
		}
		if run.hTimer != nil {
			ts.Task.HeartbeatDue = &run.hTimer.due
		}
	}
	if k := t.kids; k != nil {
		ks := &kidsState{Next: k.next, Done: k.done, Failures: k.failures, MaxConc: k.maxConc,
			TolCount: k.tolCount, TolPct: k.tolPct, HasTol: k.hasTol}
		ks.Results = make([]*string, len(k.results))
		for i, r := range k.results {
			if k.running[i] == nil && (t.state().typ == typeParallel || i < k.next) {
				ks.Results[i] = optText(r, true)
			}
		}
		for _, c := range k.running {
			if c != nil {
				ks.Running = append(ks.Running, encodeThread(c))
			}
		}
		if k.items != nil {
			ks.Items = optText(k.items, true)
		}
		ts.Kids = ks
	}
	return ts
}

func encodeOutcome(o *outcome) *outcomeState {
	if o == nil {
		return nil
	}
	if o.err != nil {
		return &outcomeState{Error: o.err}
	}
	return &outcomeState{Output: optText(o.output, true)}
}

// Restore loads every snapshot from the engine's Persistence and carries on
// the executions it holds: waiting ones wait again (timers re-armed, task
// tokens valid), runnable ones run on the next RunUntil or Run. resolve
// returns the Machine of a state machine ARN. It returns how many running
// executions it restored. Restore an engine before it runs anything.
func (e *Engine) Restore(ctx context.Context, resolve func(stateMachineArn string) (*Machine, error)) (int, error) {
	p := e.opts.persistence
	if p == nil {
		return 0, errors.New("restore: the engine has no persistence")
	}
	arns, err := p.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("restore: list snapshots: %w", err)
	}
	running := 0
	for _, arn := range arns {
		snap, err := p.Load(ctx, arn)
		if err != nil {
			return running, fmt.Errorf("restore: %w", err)
		}
		m, err := resolve(snap.StateMachineArn)
		if err != nil {
			return running, fmt.Errorf("restore execution %s: state machine %s: %w", arn, snap.StateMachineArn, err)
		}
		e.mu.Lock()
		err = e.restore(snap, m)
		if err == nil && e.execs[arn].running() {
			running++
		}
		e.mu.Unlock()
		if err != nil {
			return running, fmt.Errorf("restore execution %s: %w", arn, err)
		}
	}
	return running, nil
}

// restore rebuilds one execution. The lock is held.
func (e *Engine) restore(snap *Snapshot, m *Machine) error {
	var st execState
	if err := json.Unmarshal(snap.Data, &st); err != nil {
		return err
	}
	if st.V != snapshotVersion {
		return fmt.Errorf("snapshot version %d, want %d", st.V, snapshotVersion)
	}
	texts := parsedTexts{}
	input, err := texts.parse(st.Input)
	if err != nil {
		return err
	}
	pcg := &rand.PCG{}
	if err := pcg.UnmarshalBinary(st.RNG); err != nil {
		return err
	}
	x := &execution{
		m: m, arn: snap.ExecutionArn, name: nameIn(snap.ExecutionArn, snap.Name),
		smArn: e.intern(snap.StateMachineArn), smName: e.intern(st.SMName),
		roleArn: e.intern(st.RoleArn), express: st.Express, input: input, start: st.Start,
		stop: st.Stop, status: st.Status, err: st.Error, keepHistory: st.History, events: st.Events,
		eventCount: st.EventCount, transitions: st.Transitions, pcg: pcg, rng: rand.New(pcg),
		seq: 1, savedSeq: 1, ctx: st.Context,
	}
	if st.Output != nil {
		if x.output, err = texts.parse(*st.Output); err != nil {
			return err
		}
	}
	if len(st.Expired) > 0 {
		x.expired = make(map[string]bool, len(st.Expired))
		for _, tok := range st.Expired {
			x.expired[tok] = true
		}
	}
	if st.Root != nil && x.running() {
		root, err := e.decodeThread(x, texts, st.Root, m.root, nil, &scope{})
		if err != nil {
			return err
		}
		x.root = root
	}
	if st.Timeout != nil && x.running() {
		x.timeout = e.addTimer(&timer{due: *st.Timeout, kind: timerExecutionTimeout, x: x})
	}
	e.execs[x.arn] = x
	e.names[nameKey{x.smArn, x.name}] = x
	return nil
}

func parseOpt(s *string) (any, error) {
	if s == nil {
		return nil, nil
	}
	return jsonv.ParseString(*s)
}

// parsedTexts parses the JSON texts of one snapshot, once per distinct
// text: an execution's input, a waiting state's input and its effective
// input are most often the same value, which the running execution shared
// and the snapshot wrote out once each. Values are immutable, so the
// restored execution shares them again.
type parsedTexts map[string]any

func (pt parsedTexts) parse(s string) (any, error) {
	if v, ok := pt[s]; ok {
		return v, nil
	}
	v, err := jsonv.ParseString(s)
	if err == nil {
		pt[s] = v
	}
	return v, err
}

func (pt parsedTexts) parseOpt(s *string) (any, error) {
	if s == nil {
		return nil, nil
	}
	return pt.parse(*s)
}

// intern returns the engine's copy of a string that many executions
// repeat (state machine ARN and name, role ARN), so that restored
// executions share it as started ones do. The lock is held.
func (e *Engine) intern(s string) string {
	if c, ok := e.strs[s]; ok {
		return c
	}
	if e.strs == nil {
		e.strs = map[string]string{}
	}
	e.strs[s] = s
	return s
}

// nameIn returns name as the tail of the execution ARN when it is one
// (arn:...:execution:<machine>:<name>), so that the two share memory.
func nameIn(arn, name string) string {
	if n := len(arn) - len(name); n > 0 && arn[n-1] == ':' && arn[n:] == name {
		return arn[n:]
	}
	return name
}

// decodeThread rebuilds a thread and re-arms what it waits for.
func (e *Engine) decodeThread(x *execution, texts parsedTexts, ts *threadState, g *graph, parent *thread, sc *scope) (*thread, error) {
	idx, ok := g.byName[ts.State]
	if !ok {
		return nil, fmt.Errorf("state %q is not in the state machine", ts.State)
	}
	t := &thread{x: x, g: g, parent: parent, index: ts.Index, scope: sc, prev: ts.Prev, cur: idx,
		phase: ts.Phase, entered: ts.Entered, enterID: ts.EnterID, retries: ts.Retries, retryCount: ts.RetryCount}
	var err error
	if t.input, err = texts.parse(ts.Input); err != nil {
		return nil, err
	}
	if t.eff, err = texts.parseOpt(ts.Eff); err != nil {
		return nil, err
	}
	for k, v := range ts.Vars {
		val, err := texts.parse(v)
		if err != nil {
			return nil, err
		}
		sc.set(k, val)
	}
	if ts.Assigned != nil {
		a, err := parseOpt(ts.Assigned)
		if err != nil {
			return nil, err
		}
		t.assigned, _ = a.(*jsonv.Object)
	}
	if err := e.decodeTask(t, texts, ts); err != nil {
		return nil, err
	}
	if err := e.decodeKids(t, texts, ts); err != nil {
		return nil, err
	}
	switch t.phase {
	case phWaiting:
		t.timer = e.addTimer(&timer{due: *ts.Timer, kind: timerWait, t: t})
	case phRetryWait:
		t.timer = e.addTimer(&timer{due: *ts.Timer, kind: timerRetry, t: t})
	case phEnter, phAttempt, phCallbackDone:
		e.enqueue(t)
	}
	return t, nil
}

func (e *Engine) decodeTask(t *thread, texts parsedTexts, ts *threadState) error {
	tk := ts.Task
	if tk == nil {
		return nil
	}
	run := &taskRun{token: tk.Token, timeout: time.Duration(tk.Timeout) * time.Second,
		heartbeat: time.Duration(tk.Heartbeat) * time.Second, submitted: tk.Submitted}
	var err error
	if run.pending, err = decodeOutcome(texts, tk.Pending); err != nil {
		return err
	}
	if run.outcome, err = decodeOutcome(texts, tk.Outcome); err != nil {
		return err
	}
	t.task = run
	if run.token != "" && t.phase == phCallback {
		e.tokens[run.token] = t
	}
	if tk.TimeoutDue != nil {
		run.tTimer = e.addTimer(&timer{due: *tk.TimeoutDue, kind: timerTaskTimeout, t: t})
	}
	if tk.HeartbeatDue != nil {
		run.hTimer = e.addTimer(&timer{due: *tk.HeartbeatDue, kind: timerHeartbeat, t: t})
	}
	return nil
}

func decodeOutcome(texts parsedTexts, o *outcomeState) (*outcome, error) {
	if o == nil {
		return nil, nil
	}
	if o.Error != nil {
		return &outcome{err: o.Error}, nil
	}
	v, err := texts.parseOpt(o.Output)
	if err != nil {
		return nil, err
	}
	return &outcome{output: v}, nil
}

func (e *Engine) decodeKids(t *thread, texts parsedTexts, ts *threadState) error {
	ks := ts.Kids
	if ks == nil {
		return nil
	}
	s := t.state()
	k := &children{results: make([]any, len(ks.Results)), running: make([]*thread, len(ks.Results)),
		next: ks.Next, done: ks.Done, failures: ks.Failures, maxConc: ks.MaxConc,
		tolCount: ks.TolCount, tolPct: ks.TolPct, hasTol: ks.HasTol}
	for i, r := range ks.Results {
		v, err := texts.parseOpt(r)
		if err != nil {
			return err
		}
		k.results[i] = v
	}
	if ks.Items != nil {
		items, err := texts.parseOpt(ks.Items)
		if err != nil {
			return err
		}
		k.items, _ = items.([]any)
	}
	t.kids = k
	for _, cs := range ks.Running {
		var g *graph
		switch {
		case s.typ == typeParallel && cs.Index < len(s.parallel.branches):
			g = s.parallel.branches[cs.Index]
		case s.typ == typeMap:
			g = s.mapper.processor
		default:
			return fmt.Errorf("state %q has no branch %d", s.name, cs.Index)
		}
		c, err := e.decodeThread(t.x, texts, cs, g, t, &scope{parent: t.scope})
		if err != nil {
			return err
		}
		if cs.Index >= len(k.running) {
			return fmt.Errorf("state %q: child %d out of range", s.name, cs.Index)
		}
		k.running[cs.Index] = c
		k.active++
	}
	return nil
}
