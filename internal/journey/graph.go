package journey

import (
	"fmt"
	"strings"
	"time"
)

func (c *checker) checkGraph() {
	steps := c.j.Steps
	c.out.Edges = make([][]Edge, len(steps))
	for i, s := range steps {
		c.out.Edges[i] = c.edges(i, s)
	}
	if len(c.probs) > 0 {
		return
	}
	c.checkReachable()
	sccs := c.loops()
	if len(c.probs) > 0 {
		return
	}
	c.checkLongestWait(sccs)
	c.checkHistory(sccs)
}

// edges resolves the step's targets; unknown targets are problems.
func (c *checker) edges(i int, s *Step) []Edge {
	follow := End
	if i+1 < len(c.j.Steps) {
		follow = i + 1
	}
	dflt := follow
	if s.Next != "" {
		dflt = c.target(s, s.Next, s.At("next"), follow)
	}
	var out []Edge
	edge := func(role, label, name string, pos Pos, fallback int) {
		to := fallback
		if name != "" {
			to = c.target(s, name, pos, fallback)
		}
		if !pos.IsValid() {
			pos = s.Pos
		}
		out = append(out, Edge{To: to, Role: role, Label: label, Pos: pos})
	}
	next := func() { edge("next", "", "", s.At("next"), dflt) }
	switch {
	case s.End:
	case s.Send != nil:
		next()
		if s.Send.OnFailure != "" {
			edge("failure", "", s.Send.OnFailure, s.Send.At("onFailure"), dflt)
		}
	case s.Webhook != nil:
		next()
		if s.Webhook.OnFailure != "" {
			edge("failure", "", s.Webhook.OnFailure, s.Webhook.At("onFailure"), dflt)
		}
	case s.WaitFor != nil:
		for _, e := range s.WaitFor.Events {
			if e != nil {
				edge("event", e.Event, e.Next, e.At("next"), dflt)
			}
		}
		edge("timeout", "", s.WaitFor.OnTimeout, s.WaitFor.At("onTimeout"), dflt)
	case s.If != nil:
		edge("then", "", s.If.Then, s.If.At("then"), dflt)
		edge("else", "", s.If.Else, s.If.At("else"), dflt)
	case s.Switch != nil:
		for _, k := range s.Switch.Cases {
			if k != nil {
				edge("case", CaseID(k.Equals), k.Next, k.At("next"), dflt)
			}
		}
		edge("default", "", s.Switch.Default, s.Switch.At("default"), dflt)
	case s.Split != nil:
		for _, v := range s.Split.Variants {
			if v != nil {
				edge("variant", v.Name, v.Next, v.At("next"), dflt)
			}
		}
		if h := s.Split.Holdout; h != nil {
			edge("holdout", "holdout", h.Next, h.At("next"), End)
		}
	case s.Approval != nil:
		a := s.Approval
		edge("approve", "", a.OnApprove, a.At("onApprove"), dflt)
		reject := c.target(s, a.OnReject, a.At("onReject"), dflt)
		out = append(out, Edge{To: reject, Role: "reject", Pos: a.At("onReject")})
		edge("timeout", "", a.OnTimeout, a.At("onTimeout"), reject)
	default:
		next()
	}
	return out
}

// target resolves a step name; "end" ends the journey.
func (c *checker) target(s *Step, name string, pos Pos, fallback int) int {
	if name == "" {
		return fallback
	}
	if name == EndTarget {
		return End
	}
	if i, ok := c.out.Index[name]; ok {
		return i
	}
	c.stepErr(s, pos, didYouMean(name, append(keys(c.out.Index), EndTarget)), "unknown target step %q", name)
	return End
}

func (c *checker) checkReachable() {
	seen := make([]bool, len(c.j.Steps))
	stack := []int{0}
	seen[0] = true
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range c.out.Edges[i] {
			if e.To >= 0 && !seen[e.To] {
				seen[e.To] = true
				stack = append(stack, e.To)
			}
		}
	}
	for i, ok := range seen {
		if !ok {
			s := c.j.Steps[i]
			c.add(s.Pos, "name it as a target of another step, or remove it", "step %q is unreachable", s.ID)
		}
	}
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
// loops with no wait in them. Components come in reverse topological
// order.
func (c *checker) loops() []scc {
	n := len(c.j.Steps)
	index, low := make([]int, n), make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var out []scc
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
		if comp.loop {
			c.checkLoop(comp)
		}
	}
	return out
}

func (c *checker) selfLoop(v int) bool {
	for _, e := range c.out.Edges[v] {
		if e.To == v {
			return true
		}
	}
	return false
}

func (c *checker) checkLoop(comp scc) {
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
			return
		}
	}
	s := c.j.Steps[first]
	c.add(s.Pos, "add a wait step to the loop; without one Step Functions runs it as fast as it can", "steps %s form a loop with no wait in it", c.cyclePath(first, in))
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
// journey's maximum duration. Loops are bounded by the execution timeout
// and left out.
func (c *checker) checkLongestWait(sccs []scc) {
	comp := componentOf(sccs, len(c.j.Steps))
	arrive := make([]time.Duration, len(c.j.Steps))
	reported := false
	for k := len(sccs) - 1; k >= 0; k-- { // topological order
		for _, i := range sccs[k].steps {
			s := c.j.Steps[i]
			total := arrive[i]
			if !sccs[k].loop {
				total += maxWait(s)
			}
			if total > c.out.MaxDuration && !reported {
				reported = true
				c.add(s.Pos, fmt.Sprintf("an execution lives at most %s; shorten the waits or raise policies.maxDuration", FormatDuration(c.out.MaxDuration)),
					"step %q: the longest path to here waits %s, more than the journey's maximum of %s", s.ID, FormatDuration(total), FormatDuration(c.out.MaxDuration))
			}
			for _, e := range c.out.Edges[i] {
				if e.To >= 0 && comp[e.To] != k && total > arrive[e.To] {
					arrive[e.To] = total
				}
			}
		}
	}
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
