package asl

import (
	"math/rand/v2"
	"time"

	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// Status is the status of an execution.
type Status string

// Execution statuses, as DescribeExecution names them.
const (
	StatusRunning   Status = "RUNNING"
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
	StatusTimedOut  Status = "TIMED_OUT"
	StatusAborted   Status = "ABORTED"
)

// An execution is one run of a Machine. The engine lock guards it.
type execution struct {
	m           *Machine
	arn         string
	name        string
	smArn       string
	smName      string
	roleArn     string
	express     bool
	input       any
	start       time.Time
	stop        time.Time
	status      Status
	output      any
	err         *Error
	keepHistory bool
	events      []*HistoryEvent
	eventCount  int64
	transitions int64
	rng         *rand.Rand
	pcg         *rand.PCG
	root        *thread
	timeout     *timer
	expired     map[string]bool // task tokens that timed out
	pendingRuns int             // invokes in flight
	seq         uint64          // snapshot sequence
	savedSeq    uint64
	dirty       bool
	ctx         *ContextOverrides
}

// contextValue returns an override if one is set, else the real value.
func contextValue(override, real string) string {
	if override != "" {
		return override
	}
	return real
}

func (x *execution) running() bool { return x.status == StatusRunning }

type phase uint8

const (
	phEnter        phase = iota + 1 // runnable: enter state cur with input
	phAttempt                       // runnable: attempt the execution state again (retry)
	phWaiting                       // blocked: a Wait state's timer
	phRetryWait                     // blocked: a retry's back-off timer
	phInvoking                      // blocked: a task invocation is in flight
	phCallback                      // blocked: waiting for SendTask* on a token
	phTaskResult                    // runnable: an asynchronous invocation returned
	phCallbackDone                  // runnable: a callback outcome arrived
	phChildren                      // blocked: Parallel branches or Map iterations run
	phDone
)

// A thread is one path through a graph: the execution's top level, a
// Parallel branch or a Map iteration.
type thread struct {
	x       *execution
	g       *graph
	parent  *thread
	index   int // branch or iteration index in the parent
	scope   *scope
	prev    int64 // id of this thread's last event, for previousEventId
	cur     int
	phase   phase
	queued  bool
	dead    bool
	input   any // raw state input
	eff     any // effective input (after InputPath, and Parameters for Parallel)
	entered time.Time
	enterID int64

	retries    []int64 // attempts used per retrier in this state visit
	retryCount int64
	timer      *timer
	assigned   *jsonv.Object // assignments computed, applied at state exit
	task       *taskRun
	kids       *children
	output     any
	err        *Error
}

// A scope holds the workflow variables of a thread; inner scopes (Parallel
// branches, Map iterations) see the variables of outer ones.
type scope struct {
	parent *scope
	vars   map[string]any
}

func (s *scope) get(name string) (any, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

func (s *scope) set(name string, v any) {
	if s.vars == nil {
		s.vars = make(map[string]any, 4)
	}
	s.vars[name] = v
}

// state returns the thread's current state.
func (t *thread) state() *state { return t.g.states[t.cur] }

// An evalEnv is what paths, templates and intrinsic functions read while a
// state runs: "$" is input, "$$" the context object, "$name" a variable.
type evalEnv struct {
	input     any
	t         *thread
	item      *mapItem
	ctx       *jsonv.Object
	result    any // JSONata: $states.result
	hasResult bool
	errOut    any // JSONata: $states.errorOutput
}

type mapItem struct {
	index int
	value any
}

func (t *thread) env(input any) *evalEnv { return &evalEnv{input: input, t: t} }

// Lookup resolves a path against its root.
func (env *evalEnv) Lookup(p *jsonpath.Path) (any, bool) {
	if p.Root() == jsonpath.RootContext && env.ctx == nil {
		if v, ok, known := env.contextLeaf(p); known {
			return v, ok
		}
		if head, ok := p.Head(); ok && p.Definite() {
			sec, ok := env.contextSection(head)
			if !ok {
				return nil, false
			}
			return p.EvalTail(sec)
		}
	}
	root := env.rootOf(p)
	if _, missing := root.(missingVariable); missing {
		return nil, false
	}
	return p.Eval(root)
}

// rootOf returns the document a path starts from; a missing variable is an
// object nothing can be found in.
func (env *evalEnv) rootOf(p *jsonpath.Path) any {
	switch p.Root() {
	case jsonpath.RootContext:
		return env.context()
	case jsonpath.RootVariable:
		v, ok := env.t.scope.get(p.Variable())
		if !ok {
			return missingVariable{}
		}
		return v
	}
	return env.input
}

// missingVariable is the root of a path whose variable is not assigned: no
// path selects anything from it.
type missingVariable struct{}

// Rand returns the execution's random source.
func (env *evalEnv) Rand() *rand.Rand { return env.t.x.rng }

// context builds the whole context object on first use.
func (env *evalEnv) context() *jsonv.Object {
	if env.ctx != nil {
		return env.ctx
	}
	c := jsonv.NewObject(5)
	for _, name := range []string{"Execution", "StateMachine", "State", "Task", "Map"} {
		if v, ok := env.contextSection(name); ok {
			c.Set(name, v)
		}
	}
	env.ctx = c
	return c
}

// contextLeaf answers the context paths tasks use most without building
// anything; known is false for other paths.
func (env *evalEnv) contextLeaf(p *jsonpath.Path) (v any, ok, known bool) {
	names, all := p.Names()
	if !all || len(names) < 2 || len(names) > 3 {
		return nil, false, false
	}
	t, x := env.t, env.t.x
	o := x.ctx
	if o == nil {
		o = &ContextOverrides{}
	}
	switch names[0] + "." + names[1] {
	case "Execution.Id":
		v = contextValue(o.ExecutionArn, x.arn)
	case "Execution.Name":
		v = contextValue(o.ExecutionName, x.name)
	case "StateMachine.Id":
		v = contextValue(o.StateMachineArn, x.smArn)
	case "StateMachine.Name":
		v = contextValue(o.StateMachineName, x.smName)
	case "State.Name":
		v = t.state().name
	case "Task.Token":
		if t.task == nil || t.task.token == "" {
			return nil, false, true
		}
		v = t.task.token
	default:
		return nil, false, false
	}
	if len(names) == 3 {
		return nil, false, true // a field of a string
	}
	return v, true, true
}

// contextSection builds one top-level field of the context object, so that
// reading $$.Execution.Id does not build the rest.
func (env *evalEnv) contextSection(name string) (any, bool) {
	t, x := env.t, env.t.x
	o := x.ctx
	if o == nil {
		o = &ContextOverrides{}
	}
	switch name {
	case "Execution":
		ex := jsonv.NewObject(6)
		ex.Set("Id", contextValue(o.ExecutionArn, x.arn))
		ex.Set("Input", x.input)
		if x.express {
			ex.Set("Name", contextValue(o.ExecutionName, x.name))
			ex.Set("RoleArn", contextValue(o.RoleArn, x.roleArn))
			ex.Set("StartTime", formatTime(x.start))
		} else {
			ex.Set("StartTime", formatTime(x.start))
			ex.Set("Name", contextValue(o.ExecutionName, x.name))
			ex.Set("RoleArn", contextValue(o.RoleArn, x.roleArn))
			ex.Set("RedriveCount", jsonv.Number("0"))
		}
		return ex, true
	case "StateMachine":
		sm := jsonv.NewObject(2)
		sm.Set("Id", contextValue(o.StateMachineArn, x.smArn))
		sm.Set("Name", contextValue(o.StateMachineName, x.smName))
		return sm, true
	case "State":
		st := jsonv.NewObject(3)
		st.Set("Name", t.state().name)
		st.Set("EnteredTime", formatTime(t.entered))
		if s := t.state(); s.typ == typeTask || s.typ == typeParallel || s.typ == typeMap {
			st.Set("RetryCount", jsonv.Int(t.retryCount))
		}
		return st, true
	case "Task":
		if t.task == nil || t.task.token == "" {
			return nil, false
		}
		tk := jsonv.NewObject(1)
		tk.Set("Token", t.task.token)
		return tk, true
	case "Map":
		if env.item == nil {
			return nil, false
		}
		it := jsonv.NewObject(2)
		it.Set("Index", jsonv.Int(int64(env.item.index)))
		it.Set("Value", env.item.value)
		mp := jsonv.NewObject(1)
		mp.Set("Item", it)
		return mp, true
	}
	return nil, false
}
