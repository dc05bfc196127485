package journey

import (
	"fmt"
	"strings"
	"time"
)

// edgeRef names one edge: its step and its index among the step's edges.
type edgeRef struct{ step, edge int }

// checkGraph resolves the steps' targets and checks the graph they make.
// It runs whatever else is wrong, so that one run reports everything: an
// edge whose target is no step is reported, leads to End in Checked.Edges
// and is left out of the loop and path checks (reachability follows it to
// the step its hint suggests, so a typo does not also make its intended
// target unreachable).
func (c *checker) checkGraph() {
	steps := c.j.Steps
	c.out.Edges = make([][]Edge, len(steps))
	c.unresolved = map[edgeRef]int{}
	for _, s := range steps {
		if s == nil { // reported as empty; the graph has a hole
			return
		}
	}
	for i, s := range steps {
		c.out.Edges[i] = c.edges(i, s)
	}
	if len(steps) == 0 {
		return
	}
	reach := c.checkReachable()
	sccs, waitless := c.loops()
	c.checkLongestWait(sccs, reach)
	if !waitless { // a loop with no wait at all was reported: no bound
		c.checkHistory(sccs, reach)
	}
}

// edges resolves the step's targets; unknown targets are problems.
func (c *checker) edges(i int, s *Step) []Edge {
	follow := End
	if i+1 < len(c.j.Steps) {
		follow = i + 1
	}
	dflt, dfltGuess := follow, resolved
	if s.Next != "" {
		dflt, dfltGuess = c.target(s, s.Next, s.At("next"), follow)
	}
	var out []Edge
	add := func(e Edge, guess int) {
		if !e.Pos.IsValid() {
			e.Pos = s.Pos
		}
		if guess != resolved {
			c.unresolved[edgeRef{i, len(out)}] = guess
		}
		out = append(out, e)
	}
	edge := func(role, label, name string, pos Pos, fallback, fallbackGuess int) {
		to, guess := fallback, fallbackGuess
		if name != "" {
			to, guess = c.target(s, name, pos, fallback)
		}
		add(Edge{To: to, Role: role, Label: label, Pos: pos}, guess)
	}
	next := func() { edge("next", "", "", s.At("next"), dflt, dfltGuess) }
	switch {
	case s.End:
	case s.Send != nil:
		next()
		if s.Send.OnFailure != "" {
			edge("failure", "", s.Send.OnFailure, s.Send.At("onFailure"), dflt, dfltGuess)
		}
	case s.Webhook != nil:
		next()
		if s.Webhook.OnFailure != "" {
			edge("failure", "", s.Webhook.OnFailure, s.Webhook.At("onFailure"), dflt, dfltGuess)
		}
	case s.WaitFor != nil:
		for _, e := range s.WaitFor.Events {
			if e != nil {
				edge("event", e.Event, e.Next, e.At("next"), dflt, dfltGuess)
			}
		}
		edge("timeout", "", s.WaitFor.OnTimeout, s.WaitFor.At("onTimeout"), dflt, dfltGuess)
	case s.If != nil:
		edge("then", "", s.If.Then, s.If.At("then"), dflt, dfltGuess)
		edge("else", "", s.If.Else, s.If.At("else"), dflt, dfltGuess)
	case s.Switch != nil:
		for _, k := range s.Switch.Cases {
			if k != nil {
				edge("case", CaseID(k.Equals), k.Next, k.At("next"), dflt, dfltGuess)
			}
		}
		edge("default", "", s.Switch.Default, s.Switch.At("default"), dflt, dfltGuess)
	case s.Split != nil:
		for _, v := range s.Split.Variants {
			if v != nil {
				edge("variant", v.Name, v.Next, v.At("next"), dflt, dfltGuess)
			}
		}
		if h := s.Split.Holdout; h != nil {
			edge("holdout", "holdout", h.Next, h.At("next"), End, resolved)
		}
	case s.Approval != nil:
		a := s.Approval
		edge("approve", "", a.OnApprove, a.At("onApprove"), dflt, dfltGuess)
		reject, rejectGuess := c.target(s, a.OnReject, a.At("onReject"), dflt)
		if a.OnReject == "" {
			rejectGuess = dfltGuess
		}
		add(Edge{To: reject, Role: "reject", Pos: a.At("onReject")}, rejectGuess)
		edge("timeout", "", a.OnTimeout, a.At("onTimeout"), reject, rejectGuess)
	default:
		next()
	}
	return out
}

// resolved is target's guess for a target that names a step (or end);
// noGuess for an unknown target with no step name near it.
const (
	resolved = -3
	noGuess  = -2
)

// target resolves a step name; "end" ends the journey. An unknown name is
// reported and leads to End; guess is then the step its hint suggests, or
// noGuess.
func (c *checker) target(s *Step, name string, pos Pos, fallback int) (to, guess int) {
	if name == "" {
		return fallback, resolved
	}
	if name == EndTarget {
		return End, resolved
	}
	if i, ok := c.out.Index[name]; ok {
		return i, resolved
	}
	names := append(keys(c.out.Index), EndTarget)
	c.stepErr(s, pos, didYouMean(name, names), "unknown target step %q", name)
	if i, ok := c.out.Index[nearest(name, names)]; ok {
		return End, i
	}
	return End, noGuess
}

// checkReachable reports the steps no path from the first step reaches,
// and returns which steps are reached. A reached step with an unknown
// target that names no step nearly may lead to any step, so then none is
// reported.
func (c *checker) checkReachable() []bool {
	seen := make([]bool, len(c.j.Steps))
	stack := []int{0}
	seen[0] = true
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for k, e := range c.out.Edges[i] {
			to := e.To
			if g, ok := c.unresolved[edgeRef{i, k}]; ok {
				to = g
			}
			if to >= 0 && !seen[to] {
				seen[to] = true
				stack = append(stack, to)
			}
		}
	}
	for ref, guess := range c.unresolved {
		if seen[ref.step] && guess == noGuess {
			return seen // it may lead anywhere: report no step unreachable
		}
	}
	for i, ok := range seen {
		if !ok {
			s := c.j.Steps[i]
			c.add(s.Pos, "name it as a target of another step, or remove it", "step %q is unreachable", s.ID)
		}
	}
	return seen
}

// waits reports whether a step makes the contact wait.
func waits(s *Step) bool { return s.Wait != nil || s.WaitFor != nil || s.Approval != nil }

// minWait is the least time a step surely waits; maxWait the most.
func minWait(s *Step) time.Duration {
	if s.Wait != nil && s.Wait.Duration.IsSet() {
		return s.Wait.Duration.D
	}
	return 0
}

func maxWait(s *Step) time.Duration {
	switch {
	case s.Wait != nil && s.Wait.Duration.IsSet():
		return s.Wait.Duration.D
	case s.Wait != nil && s.Wait.TimeOfDay.IsSet() && len(s.Wait.Weekdays) > 0:
		return 7 * 24 * time.Hour
	case s.Wait != nil && s.Wait.TimeOfDay.IsSet():
		return 24 * time.Hour
	case s.WaitFor != nil:
		return s.WaitFor.Timeout.D
	case s.Approval != nil:
		return s.Approval.Timeout.D
	}
	return 0
}

// scc is a strongly connected component of the step graph.
type scc struct {
	steps []int
	loop  bool
}

// loops finds the strongly connected components (Tarjan) and reports
// loops with no wait in them (waitless says whether there were any).
// Components come in reverse topological order.
func (c *checker) loops() (out []scc, waitless bool) {
	n := len(c.j.Steps)
	index, low := make([]int, n), make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	next := 0
	var strong func(v int)
	strong = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, e := range c.out.Edges[v] {
			w := e.To
			if w < 0 {
				continue
			}
			if index[w] < 0 {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp scc
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				comp.steps = append(comp.steps, w)
				if w == v {
					break
				}
			}
			comp.loop = len(comp.steps) > 1 || c.selfLoop(v)
			out = append(out, comp)
		}
	}
	for i := 0; i < n; i++ {
		if index[i] < 0 {
			strong(i)
		}
	}
	for _, comp := range out {
		if comp.loop && !c.checkLoop(comp) {
			waitless = true
		}
	}
	return out, waitless
}

func (c *checker) selfLoop(v int) bool {
	for _, e := range c.out.Edges[v] {
		if e.To == v {
			return true
		}
	}
	return false
}

// checkLoop reports a loop in which no step waits; ok is false then.
func (c *checker) checkLoop(comp scc) (ok bool) {
	first := comp.steps[0]
	for _, i := range comp.steps {
		first = min(first, i)
	}
	in := map[int]bool{}
	for _, i := range comp.steps {
		in[i] = true
	}
	for _, i := range comp.steps {
		if waits(c.j.Steps[i]) {
			return true
		}
	}
	s := c.j.Steps[first]
	c.add(s.Pos, "add a wait step to the loop; without one Step Functions runs it as fast as it can", "steps %s form a loop with no wait in it", c.cyclePath(first, in))
	return false
}

// cyclePath writes a cycle through start within the component.
func (c *checker) cyclePath(start int, in map[int]bool) string {
	path := []int{start}
	seen := map[int]bool{start: true}
	var dfs func(v int) bool
	dfs = func(v int) bool {
		for _, e := range c.out.Edges[v] {
			if e.To == start {
				return true
			}
			if e.To >= 0 && in[e.To] && !seen[e.To] {
				seen[e.To] = true
				path = append(path, e.To)
				if dfs(e.To) {
					return true
				}
				path = path[:len(path)-1]
			}
		}
		return false
	}
	dfs(start)
	names := make([]string, 0, len(path)+1)
	for _, i := range append(path, start) {
		names = append(names, quote(c.j.Steps[i].ID))
	}
	return strings.Join(names, " → ")
}

// checkLongestWait reports a path whose waits add up to more than the
// journey's maximum duration, once. Loops are bounded by the execution
// timeout and left out; so are the steps no path reaches.
func (c *checker) checkLongestWait(sccs []scc, reach []bool) {
	comp := componentOf(sccs, len(c.j.Steps))
	arrive := make([]time.Duration, len(c.j.Steps))
	reported := false
	for k := len(sccs) - 1; k >= 0; k-- { // topological order
		if !reach[sccs[k].steps[0]] {
			continue
		}
		for _, i := range sccs[k].steps {
			s := c.j.Steps[i]
			total := arrive[i]
			if !sccs[k].loop {
				own := maxWait(s)
				total += own
				reported = reported || own > MaxWait // the wait itself was reported
				if u := c.untilWait(s); u > 0 {
					total = max(total, u) // the date, unless the path got there later
					reported = reported || u > c.out.MaxDuration
				}
			}
			if total > c.out.MaxDuration && !reported {
				reported = true
				c.add(s.Pos, c.longestWaitHint(), "step %q: the longest path to here waits %s, more than the journey's maximum of %s",
					s.ID, FormatDuration(total), FormatDuration(c.out.MaxDuration))
			}
			for _, e := range c.out.Edges[i] {
				if e.To >= 0 && comp[e.To] != k && total > arrive[e.To] {
					arrive[e.To] = total
				}
			}
		}
	}
}

// longestWaitHint says what to do about a path that waits too long:
// policies.maxDuration can be raised only up to the Step Functions limit.
func (c *checker) longestWaitHint() string {
	if c.out.MaxDuration < MaxWait {
		return fmt.Sprintf("shorten the waits, or raise policies.maxDuration to at most %s", FormatDuration(MaxWait))
	}
	return fmt.Sprintf("shorten the waits: a Step Functions execution lives at most %s, so a longer journey must be split into journeys", FormatDuration(MaxWait))
}

func componentOf(sccs []scc, n int) []int {
	comp := make([]int, n)
	for k, s := range sccs {
		for _, i := range s.steps {
			comp[i] = k
		}
	}
	return comp
}
