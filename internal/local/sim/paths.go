package sim

import (
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
)

// A StepMap says which journey step each state of a compiled journey
// belongs to. The compiler places every state of a step at the step's
// position, a split's holdout end at the holdout's, and the shared end
// states at the journey's; the map is built from those positions.
type StepMap struct {
	steps  map[string]int  // state name → step index
	holdup map[string]bool // holdout end states
	ends   map[string]string
	checks map[string]bool // pause checks of timed waits (compile.Result.WaitChecks)
}

// Shared end states of compiled journeys (internal/compile's names) and
// the outcome each records.
var sharedEnds = map[string]string{
	"Record completion": "completed", "Completed": "completed",
	"Record exit": "exited", "Exited": "exited",
	"Record goal reached": "goal", "Goal reached": "goal",
	"Record failure": "failed", "Failed": "failed", "Finish failed": "failed",
}

// NewStepMap maps a compiled journey's states (compile.Result.States) to
// its steps.
func NewStepMap(c *journey.Checked, res *compile.Result) *StepMap {
	states := res.States
	byPos := map[journey.Pos]int{}
	holdouts := map[journey.Pos]int{}
	for i, s := range c.Journey.Steps {
		byPos[s.Pos] = i
		if s.Split != nil && s.Split.Holdout != nil {
			holdouts[s.Split.Holdout.Pos] = i
		}
	}
	m := &StepMap{steps: map[string]int{}, holdup: map[string]bool{}, ends: map[string]string{}, checks: res.WaitChecks}
	for name, pos := range states {
		if i, ok := byPos[pos]; ok {
			m.steps[name] = i
		} else if i, ok := holdouts[pos]; ok {
			m.steps[name] = i
			m.holdup[name] = true
		} else if out, ok := sharedEnds[name]; ok && pos == c.Journey.Pos {
			m.ends[name] = out
		}
	}
	return m
}

// A hop is one step a contact's execution entered.
type hop struct {
	step    int32
	holdout bool
	exit    exit  // how the step's last task ended
	at      int64 // unix seconds
}

// An exit is how a step's task last ended, as far as it picks one of the
// step's edges: a permanent delivery failure, a rejected approval, a
// timeout (of an approval or a wait for events), or anything else.
type exit uint8

const (
	exitOK exit = iota
	exitFailed
	exitRejected
	exitTimeout
)

// exits maps the error names the compiled machines catch to a step's
// failure, reject and timeout edges.
var exits = map[string]exit{
	"Journey.DeliveryFailed": exitFailed,
	"Approval.Rejected":      exitRejected,
	"States.Timeout":         exitTimeout,
}

// A path is the steps one execution went through, and how it ended.
type path struct {
	hops   []hop
	end    string    // completed, exited, goal, failed ("" while running)
	endAt  time.Time // when the execution ended
	status asl.Status
}

// A Recorder follows executions through the engine's trace hook and keeps
// each one's path through the journey's steps. It is safe for concurrent
// use.
type Recorder struct {
	steps *StepMap
	mu    sync.Mutex
	paths map[string]*path
	// onHop, when set, hears of every step entered (on the engine's
	// goroutine; it must not call the engine).
	onHop func(exec string, step int, at time.Time)
	ended []string
}

// takeEnded returns the executions that ended since the last call.
func (r *Recorder) takeEnded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.ended
	r.ended = nil
	return out
}

// NewRecorder returns a recorder for one compiled journey.
func NewRecorder(steps *StepMap) *Recorder {
	return &Recorder{steps: steps, paths: map[string]*path{}}
}

// Trace is the engine's trace hook (asl.WithTrace).
func (r *Recorder) Trace(ev asl.TraceEvent) {
	entered := strings.HasSuffix(string(ev.Type), "StateEntered")
	ended := ev.Type == asl.EventExecutionSucceeded || ev.Type == asl.EventExecutionFailed ||
		ev.Type == asl.EventExecutionTimedOut || ev.Type == asl.EventExecutionAborted
	if !entered && !ended {
		if ev.Error != "" || ev.Type == asl.EventTaskSucceeded || ev.Type == asl.EventLambdaSucceeded {
			r.taskEnded(ev)
		}
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.paths[ev.ExecutionArn]
	if p == nil {
		p = &path{}
		r.paths[ev.ExecutionArn] = p
	}
	if ended {
		r.ended = append(r.ended, ev.ExecutionArn)
		p.endAt = ev.Time
		p.status = map[asl.EventType]asl.Status{
			asl.EventExecutionSucceeded: asl.StatusSucceeded, asl.EventExecutionFailed: asl.StatusFailed,
			asl.EventExecutionTimedOut: asl.StatusTimedOut, asl.EventExecutionAborted: asl.StatusAborted,
		}[ev.Type]
		return
	}
	if out, ok := r.steps.ends[ev.State]; ok {
		if p.end == "" || out == "failed" {
			p.end = out
		}
		return
	}
	i, ok := r.steps.steps[ev.State]
	if !ok {
		return
	}
	h := hop{step: int32(i), holdout: r.steps.holdup[ev.State], at: ev.Time.Unix()}
	if n := len(p.hops); n > 0 && p.hops[n-1].step == h.step {
		if h.holdout {
			p.hops[n-1].holdout = true
		}
		return
	}
	p.hops = append(p.hops, h)
	if r.onHop != nil {
		r.onHop(ev.ExecutionArn, i, ev.Time)
	}
}

// taskEnded notes how the task of the step the execution is in ended:
// the error that picks one of its edges, or none.
func (r *Recorder) taskEnded(ev asl.TraceEvent) {
	i, ok := r.steps.steps[ev.State]
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.paths[ev.ExecutionArn]
	if p == nil {
		return
	}
	// A timed wait's pause check answers after the timeout without
	// deciding the step's outcome: the timeout stands unless the wait
	// goes on and ends otherwise.
	if n := len(p.hops); n > 0 && p.hops[n-1].step == int32(i) && !r.steps.checks[ev.State] {
		p.hops[n-1].exit = exits[ev.Error]
	}
}

// path returns a copy of an execution's path.
func (r *Recorder) path(arn string) path {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.paths[arn]
	if !ok {
		return path{}
	}
	c := *p
	c.hops = append([]hop(nil), p.hops...)
	return c
}

// Forget drops an execution's path.
func (r *Recorder) Forget(arn string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.paths, arn)
}
