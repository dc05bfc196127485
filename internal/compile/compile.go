package compile

import (
	"fmt"
	"path"
	"sort"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/segment"
)

// Function ARN placeholders, substituted when a machine is published or run
// locally.
const (
	EvaluateFunction        = "${EvaluateFunctionArn}"
	SendFunction            = "${SendFunctionArn}"
	WaitRegisterFunction    = "${WaitRegisterFunctionArn}"
	ApprovalRequestFunction = "${ApprovalRequestFunctionArn}"
	SalesTaskFunction       = "${SalesTaskFunctionArn}"
	WebhookActionFunction   = "${WebhookActionFunctionArn}"
	UpdateContactFunction   = "${UpdateContactFunctionArn}"
	FinishFunction          = "${FinishFunctionArn}"
)

// Placeholders lists every placeholder a compiled machine may contain, with
// the function folder it names.
var Placeholders = map[string]string{
	"EvaluateFunctionArn":        "evaluate",
	"SendFunctionArn":            "send",
	"WaitRegisterFunctionArn":    "wait-register",
	"ApprovalRequestFunctionArn": "approval-request",
	"SalesTaskFunctionArn":       "sales-task",
	"WebhookActionFunctionArn":   "webhook-action",
	"UpdateContactFunctionArn":   "update-contact",
	"FinishFunctionArn":          "finish",
}

// Resources of Task states.
const (
	lambdaInvoke      = "arn:aws:states:::lambda:invoke"
	lambdaInvokeToken = "arn:aws:states:::lambda:invoke.waitForTaskToken"
)

// Retry settings for every Lambda task.
const (
	retryInterval = 2
	retryBackoff  = 2.0
	retryMaxDelay = 60
)

// Options control compilation.
type Options struct {
	// Source names the journey file in the machine's top-level Comment, as
	// the user wrote it (journeys/welcome.journey.yaml).
	Source string
}

// A Result is a compiled journey.
type Result struct {
	// Journey is the journey id; the machine is published under it.
	Journey string
	// Definition is the ASL JSON, two-space indented, ending in a newline.
	Definition []byte
	// States maps every state name to the journey position it came from.
	States map[string]journey.Pos
	// Stats are the machine's size and per-contact cost.
	Stats Stats
	// WaitChecks names the task of each timed wait that answers how much
	// of its timeout is left once paused time is left out: its answer is
	// not the step's outcome (observers of executions skip it).
	WaitChecks map[string]bool
}

// Compile compiles a checked journey. Errors mean a bug in the compiler or
// a journey that did not come from journey.Check.
func Compile(c *journey.Checked, opts Options) (*Result, error) {
	if c == nil || c.Journey == nil || len(c.Journey.Steps) == 0 {
		return nil, fmt.Errorf("compile: no checked journey")
	}
	m := newCompiler(c)
	m.plan()
	for i := range c.Journey.Steps {
		m.step(i)
	}
	m.emitShared()
	def := o(
		"Comment", comment(c.Journey, opts.Source),
		"StartAt", m.entry[0],
		"TimeoutSeconds", int64(c.MaxDuration.Seconds()),
		"States", &m.states,
	)
	b, err := indent(def)
	if err != nil {
		return nil, fmt.Errorf("compile journey %s: %w", c.Journey.ID, err)
	}
	return &Result{Journey: c.Journey.ID, Definition: b, States: m.pos, Stats: m.stats(), WaitChecks: m.waitChecks}, nil
}

func comment(j *journey.Journey, source string) string {
	if source == "" {
		source = path.Base(j.Source)
	}
	return fmt.Sprintf("Journey %s (%s), generated from %s by `make statemachines` (journeys compile). Do not edit: change the journey and regenerate.", j.ID, j.Name, source)
}

// compiler holds the state of one compilation.
type compiler struct {
	c          *journey.Checked
	j          *journey.Journey
	names      namer
	title      []string // each step's state name
	entry      []string // each step's first state
	states     obj
	waitChecks map[string]bool // pause-check tasks of timed waits
	pos        map[string]journey.Pos
	graph      map[string]*node

	native       map[int]segment.Rule // if steps compiled to native Choice rules
	nativeSwitch map[int]bool         // switch steps compiled to native Choice rules
	attrs        []string             // attributes native rules read
	refresh      []bool               // step needs an attrs task first
	returnsAttrs []bool               // step's task returns attrs
	freshBody    []bool               // a native Choice or split step holds fresh attrs

	shared map[string]string // shared state names by role
	used   map[string]bool   // shared states referenced
}

func newCompiler(c *journey.Checked) *compiler {
	n := len(c.Journey.Steps)
	return &compiler{
		c: c, j: c.Journey,
		title: make([]string, n), entry: make([]string, n),
		pos: map[string]journey.Pos{}, graph: map[string]*node{}, waitChecks: map[string]bool{},
		native: map[int]segment.Rule{}, nativeSwitch: map[int]bool{},
		refresh: make([]bool, n), returnsAttrs: make([]bool, n), freshBody: make([]bool, n),
		shared: map[string]string{}, used: map[string]bool{},
	}
}

// Shared state roles.
const (
	roleCompleted    = "completed"
	roleExited       = "exited"
	roleGoal         = "goal"
	roleFailed       = "failed"
	roleDone         = "done"
	roleExitDone     = "exit-done"
	roleGoalDone     = "goal-done"
	roleFailDone     = "fail-done"
	roleFinishFailed = "finish-failed"
)

// plan decides native rules, attribute refreshes and every step's names
// before any state is written, so targets are known.
func (m *compiler) plan() {
	for _, r := range []struct{ role, name string }{
		{roleCompleted, "Record completion"}, {roleDone, "Completed"},
		{roleExited, "Record exit"}, {roleExitDone, "Exited"},
		{roleGoal, "Record goal reached"}, {roleGoalDone, "Goal reached"},
		{roleFailed, "Record failure"}, {roleFailDone, "Failed"},
		{roleFinishFailed, "Finish failed"},
	} {
		m.shared[r.role] = m.names.name(r.name)
	}
	m.planNative()
	m.planAttrs()
	for i, s := range m.j.Steps {
		m.title[i] = m.names.name(title(s))
	}
	for i, s := range m.j.Steps {
		m.entry[i] = m.title[i]
		switch {
		case m.refresh[i]:
			m.entry[i] = m.names.sub(m.title[i], "load attributes")
		case s.WaitFor != nil, s.Approval != nil:
			m.entry[i] = m.names.sub(m.title[i], "note start")
		case s.Wait != nil && s.Wait.TimeOfDay.IsSet():
			m.entry[i] = m.names.sub(m.title[i], "compute time")
		case s.If != nil && !m.isNative(i), s.Switch != nil && !m.nativeSwitch[i]:
			m.entry[i] = m.names.sub(m.title[i], "evaluate")
		}
	}
}

func (m *compiler) isNative(i int) bool {
	_, ok := m.native[i]
	return ok
}

// planNative finds the if and switch steps that compile to native Choice
// rules and the attributes they read.
func (m *compiler) planNative() {
	need := map[string]bool{}
	for i, s := range m.j.Steps {
		switch {
		case s.If != nil && s.If.Condition != nil:
			cond := m.c.Conditions[s.If.Condition]
			if cond == nil {
				continue
			}
			if r, ok := cond.Native(); ok {
				m.native[i] = r
				for _, a := range cond.Attributes() {
					need[a] = true
				}
			}
		case s.Switch != nil:
			if a, ok := m.c.Schema.Attributes[s.Switch.Attribute]; ok && !a.Personal && shortCases(s.Switch) {
				m.nativeSwitch[i] = true
				need[s.Switch.Attribute] = true
			}
		}
	}
	for a := range need {
		m.attrs = append(m.attrs, a)
	}
	sort.Strings(m.attrs)
}

// shortCases reports whether a switch's string cases are short enough for
// a native Choice on cut attributes (segment.MaxNativeString).
func shortCases(sw *journey.Switch) bool {
	for _, k := range sw.Cases {
		if v, ok := k.Equals.(string); ok && !segment.NativeLiteral(v) {
			return false
		}
	}
	return true
}

// providesAttrs reports whether a step's task can return fresh attributes.
func providesAttrs(s *journey.Step) bool {
	return s.Send != nil || s.SalesTask != nil || s.Webhook != nil || s.Update != nil
}

// planAttrs decides where attributes are refreshed. A native Choice step
// needs fresh attributes on entry: every way in must come from a task that
// returns them (not through its failure catch, nor through the delivery
// failure that continues with the next step), or from another native
// Choice or split step that had them fresh. Otherwise an evaluate task
// (op attrs) is put in front of it.
func (m *compiler) planAttrs() {
	n := len(m.j.Steps)
	// transparent steps pass attributes through unchanged.
	transparent := func(i int) bool {
		s := m.j.Steps[i]
		return m.isNative(i) || m.nativeSwitch[i] || s.Split != nil
	}
	type pred struct {
		from int
		role string
	}
	preds := make([][]pred, n)
	for i, es := range m.c.Edges {
		for _, e := range es {
			if e.To >= 0 {
				preds[e.To] = append(preds[e.To], pred{i, e.Role})
			}
		}
	}
	returns := func(from int, role string) bool {
		return providesAttrs(m.j.Steps[from]) && role != "failure" && !(role == "next" && m.failsOnNext(from))
	}
	fresh := make([]bool, n)
	for i := 1; i < n; i++ {
		fresh[i] = true
	}
	for changed := true; changed; {
		changed = false
		for i := 1; i < n; i++ {
			if !fresh[i] {
				continue
			}
			for _, p := range preds[i] {
				s := m.j.Steps[p.from]
				ok := returns(p.from, p.role) ||
					m.isNative(p.from) || m.nativeSwitch[p.from] || // fresh, or refreshed on entry
					s.Split != nil && fresh[p.from]
				if !ok {
					fresh[i] = false
					changed = true
					break
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		native := m.isNative(i) || m.nativeSwitch[i]
		if native && !fresh[i] {
			m.refresh[i] = true
		}
		m.freshBody[i] = native || m.j.Steps[i].Split != nil && fresh[i]
	}
	for i, es := range m.c.Edges {
		if !providesAttrs(m.j.Steps[i]) {
			continue
		}
		for _, e := range es {
			if e.To >= 0 && e.Role != "failure" && transparent(e.To) { // on success
				m.returnsAttrs[i] = true
			}
		}
	}
}

// next returns the first state of edge e out of step from. A step with an
// attrs task in front is entered past it on an edge that brings fresh
// attributes (a task's success that returned them, a branch of a step
// that holds them), so only the ways in without them pay for the task.
func (m *compiler) next(from int, e journey.Edge) string {
	if e.To < 0 || !m.refresh[e.To] {
		return m.target(e.To)
	}
	fresh := m.freshBody[from]
	if providesAttrs(m.j.Steps[from]) {
		// the success path; a delivery failure's catch uses m.target
		fresh = m.returnsAttrs[from] && e.Role == "next"
	}
	if fresh {
		return m.title[e.To]
	}
	return m.entry[e.To]
}

// failsOnNext reports whether step i goes on along its next edge when its
// delivery fails too: a send or webhook without onFailure, through a
// catch that returns no attributes.
func (m *compiler) failsOnNext(i int) bool {
	if s := m.j.Steps[i]; s.Send == nil && s.Webhook == nil {
		return false
	}
	for _, e := range m.c.Edges[i] {
		if e.Role == "failure" {
			return false
		}
	}
	return true
}
