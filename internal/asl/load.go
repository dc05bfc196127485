package asl

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// maxStateNameLen is the longest state name Step Functions accepts.
const maxStateNameLen = 80

// Load parses and checks a state machine definition (the ASL JSON text) and
// returns the loaded Machine. A definition with problems returns a
// *ValidationError listing all of them.
func Load(definition []byte) (*Machine, error) {
	m, problems := load(definition)
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return m, nil
}

// Validate checks a state machine definition as Step Functions does when a
// state machine is created and returns every problem found, each at the JSON
// path of the offending field, sorted by path. No problems means Load
// succeeds.
func Validate(definition []byte) []Problem {
	_, problems := load(definition)
	return problems
}

func load(definition []byte) (m *Machine, problems []Problem) {
	doc, err := jsonv.Parse(definition)
	if err != nil {
		return nil, []Problem{{Path: "$", Message: err.Error()}}
	}
	obj, ok := doc.(*jsonv.Object)
	if !ok {
		return nil, []Problem{{Path: "$", Message: "a state machine definition must be a JSON object"}}
	}
	l := &loader{names: map[string]string{}}
	m = &Machine{definition: append([]byte(nil), definition...)}
	l.fields(obj, "$", topFields)
	m.comment, _ = l.optString(obj, "Comment", "$")
	if v, ok := obj.Get("Version"); ok {
		if s, ok := v.(string); !ok || s != "1.0" {
			l.problem("$.Version", `Version must be "1.0"`)
		}
	}
	m.timeoutSeconds = l.optPositiveInt(obj, "TimeoutSeconds", "$", math.MaxInt32)
	jsonata := l.queryLanguage(obj, "$", false)
	m.root = l.graph(obj, "$", jsonata)
	m.stateCount = l.stateCount
	if len(l.problems) > 0 {
		sort.SliceStable(l.problems, func(i, j int) bool { return l.problems[i].Path < l.problems[j].Path })
		return nil, l.problems
	}
	return m, nil
}

type loader struct {
	problems   []Problem
	names      map[string]string // state name → path where it is defined
	stateCount int
}

func (l *loader) problem(path, format string, a ...any) {
	msg := format
	if len(a) > 0 {
		msg = fmt.Sprintf(format, a...)
	}
	l.problems = append(l.problems, Problem{Path: path, Message: msg})
}

var (
	topFields    = set("Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage")
	branchFields = set("Comment", "StartAt", "States", "ProcessorConfig", "QueryLanguage")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// fields reports every field of obj not in allowed.
func (l *loader) fields(obj *jsonv.Object, at string, allowed map[string]bool) {
	for _, k := range obj.Keys() {
		if !allowed[k] {
			l.problem(at+"."+k, "the field %q is not supported here", k)
		}
	}
}

func (l *loader) optString(obj *jsonv.Object, key, at string) (string, bool) {
	v, ok := obj.Get(key)
	if !ok {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		l.problem(at+"."+key, "%s must be a string", key)
		return "", false
	}
	return s, true
}

func (l *loader) reqString(obj *jsonv.Object, key, at string) (string, bool) {
	if !obj.Has(key) {
		l.problem(at, "the field %q is required", key)
		return "", false
	}
	return l.optString(obj, key, at)
}

// optInt reads an integer field within [min, max].
func (l *loader) optInt(obj *jsonv.Object, key, at string, min, max int64) (int64, bool) {
	v, ok := obj.Get(key)
	if !ok {
		return 0, false
	}
	n, isNum := v.(jsonv.Number)
	i, isInt := n.Int64()
	if !isNum || !isInt || !n.IsIntegerText() {
		l.problem(at+"."+key, "%s must be an integer", key)
		return 0, false
	}
	if i < min || i > max {
		l.problem(at+"."+key, "%s must be between %d and %d", key, min, max)
		return 0, false
	}
	return i, true
}

func (l *loader) optPositiveInt(obj *jsonv.Object, key, at string, max int64) int64 {
	i, _ := l.optInt(obj, key, at, 1, max)
	return i
}

func (l *loader) optBool(obj *jsonv.Object, key, at string) (bool, bool) {
	v, ok := obj.Get(key)
	if !ok {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		l.problem(at+"."+key, "%s must be a boolean", key)
		return false, false
	}
	return b, true
}

// queryLanguage reads a QueryLanguage field and reports whether it selects
// JSONata; without the field the inherited language applies.
func (l *loader) queryLanguage(obj *jsonv.Object, at string, inherited bool) bool {
	s, ok := l.optString(obj, "QueryLanguage", at)
	if !ok {
		return inherited
	}
	switch s {
	case "JSONata":
		return true
	case "JSONPath":
		if inherited {
			l.problem(at+".QueryLanguage", "a state cannot use JSONPath when the state machine uses JSONata")
		}
		return false
	}
	l.problem(at+".QueryLanguage", `QueryLanguage must be "JSONPath" or "JSONata"`)
	return inherited
}

// path parses a path field. ref requires a reference path; input requires
// the path to start at "$" (not "$$" or a variable).
func (l *loader) path(v any, at string, ref, inputOnly bool) *jsonpath.Path {
	s, ok := v.(string)
	if !ok {
		l.problem(at, "must be a string holding a JSONPath")
		return nil
	}
	p, err := jsonpath.Parse(s)
	if err != nil {
		l.problem(at, "%s", err.Error())
		return nil
	}
	if ref && !p.IsReference() {
		l.problem(at, "%q must be a reference path (only names and indexes)", s)
		return nil
	}
	if inputOnly && p.Root() != jsonpath.RootInput {
		l.problem(at, "%q must start with $", s)
		return nil
	}
	return p
}

func (l *loader) optPath(obj *jsonv.Object, key, at string, ref bool) *jsonpath.Path {
	v, ok := obj.Get(key)
	if !ok {
		return nil
	}
	return l.path(v, at+"."+key, ref, false)
}

// inOutPath reads InputPath or OutputPath.
func (l *loader) inOutPath(obj *jsonv.Object, key, at string) *pathField {
	v, ok := obj.Get(key)
	if !ok {
		return nil
	}
	if v == nil {
		return &pathField{null: true}
	}
	p := l.path(v, at+"."+key, false, false)
	if p == nil {
		return nil
	}
	if p.Root() == jsonpath.RootInput && p.IsRoot() {
		return nil
	}
	return &pathField{path: p}
}

func (l *loader) resultPathField(obj *jsonv.Object, at string) *resultPath {
	v, ok := obj.Get("ResultPath")
	if !ok {
		return nil
	}
	if v == nil {
		return &resultPath{discard: true}
	}
	p := l.path(v, at+".ResultPath", true, true)
	if p == nil || p.IsRoot() {
		return nil
	}
	return &resultPath{path: p}
}

// graph compiles a StartAt/States pair: the machine or a branch.
func (l *loader) graph(obj *jsonv.Object, at string, jsonata bool) *graph {
	g := &graph{byName: map[string]int{}, path: at, jsonata: jsonata}
	start, hasStart := l.reqString(obj, "StartAt", at)
	statesV, ok := obj.Get("States")
	if !ok {
		l.problem(at, `the field "States" is required`)
		return g
	}
	states, ok := statesV.(*jsonv.Object)
	if !ok || states.Len() == 0 {
		l.problem(at+".States", "States must be an object with at least one state")
		return g
	}
	for i, name := range states.Keys() {
		g.byName[name] = i
		sat := at + ".States." + name
		if prev, dup := l.names[name]; dup {
			l.problem(sat, "the state name %q is already used at %s (state names must be unique in the whole state machine)", name, prev)
		}
		l.names[name] = sat
		if len(name) == 0 || len([]rune(name)) > maxStateNameLen {
			l.problem(sat, "a state name must have 1 to %d characters", maxStateNameLen)
		}
	}
	g.startAt = -1
	if hasStart {
		if i, ok := g.byName[start]; ok {
			g.startAt = i
		} else {
			l.problem(at+".StartAt", "StartAt names the state %q, which does not exist", start)
		}
	}
	g.states = make([]*state, states.Len())
	for i, name := range states.Keys() {
		sat := at + ".States." + name
		so, ok := states.Value(i).(*jsonv.Object)
		if !ok {
			l.problem(sat, "a state must be an object")
			g.states[i] = &state{name: name, typ: typePass, next: -1, end: true}
			continue
		}
		g.states[i] = l.state(g, name, so, sat, jsonata)
		l.stateCount++
	}
	l.checkReachable(g, at)
	return g
}

// checkReachable reports states no path from StartAt reaches and graphs
// without a terminal state.
func (l *loader) checkReachable(g *graph, at string) {
	if g.startAt < 0 || len(g.states) == 0 {
		return
	}
	seen := make([]bool, len(g.states))
	stack := []int{g.startAt}
	terminal := false
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if i < 0 || seen[i] || g.states[i] == nil {
			continue
		}
		seen[i] = true
		s := g.states[i]
		if s.end || s.typ == typeSucceed || s.typ == typeFail {
			terminal = true
		}
		stack = append(stack, s.targets()...)
	}
	for i, s := range g.states {
		if !seen[i] && s != nil {
			l.problem(at+".States."+s.name, "the state %q is not reachable from StartAt", s.name)
		}
	}
	if !terminal {
		l.problem(at+".States", "no terminal state: at least one state must end the execution (End, Succeed or Fail)")
	}
}

// targets lists the states a state may transition to.
func (s *state) targets() []int {
	var out []int
	if s.next >= 0 {
		out = append(out, s.next)
	}
	for _, c := range s.catch {
		out = append(out, c.next)
	}
	if s.choice != nil {
		for _, r := range s.choice.rules {
			out = append(out, r.next)
		}
		if s.choice.defaultNext >= 0 {
			out = append(out, s.choice.defaultNext)
		}
	}
	return out
}

// target resolves the state name held in obj[key].
func (l *loader) target(g *graph, obj *jsonv.Object, key, at string) int {
	name, ok := l.optString(obj, key, at)
	if !ok {
		return -1
	}
	i, found := g.byName[name]
	if !found {
		l.problem(at+"."+key, "%s names the state %q, which does not exist", key, name)
		return -1
	}
	return i
}

var customErrorName = regexp.MustCompile(`^.{1,256}$`)

// errorEquals reads an ErrorEquals list. States.ALL must stand alone.
func (l *loader) errorEquals(obj *jsonv.Object, at string) []string {
	v, ok := obj.Get("ErrorEquals")
	if !ok {
		l.problem(at, `the field "ErrorEquals" is required`)
		return nil
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		l.problem(at+".ErrorEquals", "ErrorEquals must be a non-empty array of error names")
		return nil
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok || !customErrorName.MatchString(s) {
			l.problem(fmt.Sprintf("%s.ErrorEquals[%d]", at, i), "an error name must be a string of 1 to 256 characters")
			continue
		}
		if strings.HasPrefix(s, statesPrefix) && !knownStatesErrors[s] {
			l.problem(fmt.Sprintf("%s.ErrorEquals[%d]", at, i), "%q is not a States error name (custom error names may not start with \"States.\")", s)
		}
		out = append(out, s)
	}
	for _, s := range out {
		if s == ErrorAll && len(out) > 1 {
			l.problem(at+".ErrorEquals", "States.ALL must be the only error name in its ErrorEquals")
		}
	}
	return out
}

var knownStatesErrors = map[string]bool{
	ErrorAll: true, ErrorTaskFailed: true, ErrorTimeout: true, ErrorHeartbeatTimeout: true,
	ErrorRuntime: true, ErrorDataLimitExceeded: true, ErrorParameterPathFailure: true,
	ErrorResultPathMatchFailure: true, ErrorIntrinsicFailure: true, ErrorBranchFailed: true,
	ErrorNoChoiceMatched: true, ErrorQueryEvaluationError: true, ErrorPermissions: true,
	ErrorExceedToleratedFailure: true, ErrorItemReaderFailed: true, ErrorResultWriterFailed: true,
	"States.Http.Socket": true,
}
