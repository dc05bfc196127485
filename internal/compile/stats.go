package compile

import (
	"fmt"
	"io"
	"slices"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/wire"
)

// Stats describe a compiled machine: its size and what one contact costs.
// Transitions count states entered (as Step Functions bills them, retries
// included). Typical is the main path: first branch of every choice, the
// awaited event arriving, no retries or deferrals. Worst is the longest
// path, every task retried to the limit and deferred once, every state of
// a loop run as many rounds as journey.Checked.Rounds allows (the estimate
// the history limit check uses).
type Stats struct {
	States             int `json:"states"`
	TypicalTransitions int `json:"typicalTransitions"`
	WorstTransitions   int `json:"worstTransitions"`
	TypicalLambda      int `json:"typicalLambdaInvocations"`
	WorstLambda        int `json:"worstLambdaInvocations"`
}

// Write prints the stats for people.
func (s Stats) Write(w io.Writer, journeyID string) error {
	_, err := fmt.Fprintf(w, "%s: %d states; per contact: %d transitions typical, %d worst; %d Lambda invocations typical, %d worst\n",
		journeyID, s.States, s.TypicalTransitions, s.WorstTransitions, s.TypicalLambda, s.WorstLambda)
	return err
}

// node is a state as the stats see it.
type node struct {
	lambda  bool
	edges   []string // Next, Choices, Default, and catches other than deferral
	primary string   // the main-path successor
}

func graphNode(st obj) *node {
	n := &node{}
	if r, _ := st.get("Resource"); r == lambdaInvoke || r == lambdaInvokeToken {
		n.lambda = true
	}
	if ch, ok := st.get("Choices"); ok {
		for _, r := range ch.([]any) {
			next, _ := r.(*obj).get("Next")
			n.edges = append(n.edges, next.(string))
		}
	}
	if next, ok := st.get("Next"); ok {
		n.edges = append(n.edges, next.(string))
	}
	if d, ok := st.get("Default"); ok {
		n.edges = append(n.edges, d.(string))
	}
	if len(n.edges) > 0 {
		n.primary = n.edges[0]
	}
	if cs, ok := st.get("Catch"); ok {
		for _, c := range cs.([]any) {
			errs, _ := c.(*obj).get("ErrorEquals")
			if slices.Contains(errs.([]string), wire.ErrDeferred) {
				continue
			}
			next, _ := c.(*obj).get("Next")
			n.edges = append(n.edges, next.(string))
		}
	}
	return n
}

func (m *compiler) stats() Stats {
	start := m.entry[0]
	st := Stats{States: len(m.states)}
	seen := map[string]bool{}
	for cur := start; cur != "" && !seen[cur]; cur = m.graph[cur].primary {
		seen[cur] = true
		st.TypicalTransitions++
		if m.graph[cur].lambda {
			st.TypicalLambda++
		}
	}
	w := m.worst(start)
	st.WorstTransitions, st.WorstLambda = w.transitions, w.lambda
	return st
}

// cost is what entering states costs one contact.
type cost struct{ transitions, lambda int }

func (c cost) add(d cost) cost { return cost{c.transitions + d.transitions, c.lambda + d.lambda} }

// selfCost is one state's worst: a task retried to the limit, then
// deferred once (Pass, Wait and the task again).
func (n *node) selfCost() cost {
	if n.lambda {
		return cost{transitions: 1 + journey.TaskMaxAttempts + 3, lambda: 1 + journey.TaskMaxAttempts + 1}
	}
	return cost{transitions: 1}
}

// worst is the costliest path from start: the state graph's strongly
// connected components, each loop weighted by its rounds, then the longest
// path through them.
func (m *compiler) worst(start string) cost {
	comps := m.components(start)
	comp := map[string]int{}
	for k, c := range comps {
		for _, name := range c {
			comp[name] = k
		}
	}
	best := make([]cost, len(comps))
	memo := make([]bool, len(comps))
	var walk func(k int) cost
	walk = func(k int) cost {
		if memo[k] {
			return best[k]
		}
		var self, next cost
		for _, name := range comps[k] {
			self = self.add(m.graph[name].selfCost())
		}
		if rounds := m.rounds(comps[k]); rounds > 1 {
			self = cost{self.transitions * rounds, self.lambda * rounds}
		}
		for _, name := range comps[k] {
			for _, e := range m.graph[name].edges {
				if to := comp[e]; to != k {
					if c := walk(to); c.transitions > next.transitions {
						next = c
					}
				}
			}
		}
		best[k], memo[k] = self.add(next), true
		return best[k]
	}
	return walk(comp[start])
}

// rounds is how many times a contact may run a component's states: 1
// unless it is a loop, then the rounds of its steps' loop.
func (m *compiler) rounds(states []string) int {
	if len(states) == 1 && !slices.Contains(m.graph[states[0]].edges, states[0]) {
		return 1
	}
	step := map[journey.Pos]int{}
	for i, s := range m.j.Steps {
		step[s.Pos] = i
	}
	rounds := 1
	for _, name := range states {
		if i, ok := step[m.pos[name]]; ok {
			rounds = max(rounds, m.c.Rounds(i))
		}
	}
	return rounds
}

// components returns the strongly connected components (Tarjan) of the
// states reachable from start.
func (m *compiler) components(start string) [][]string {
	index, low, on := map[string]int{}, map[string]int{}, map[string]bool{}
	var stack []string
	var out [][]string
	var strong func(v string)
	strong = func(v string) {
		index[v], low[v] = len(index), len(index)
		stack = append(stack, v)
		on[v] = true
		for _, w := range m.graph[v].edges {
			if _, seen := index[w]; !seen {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var c []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				c = append(c, w)
				if w == v {
					break
				}
			}
			out = append(out, c)
		}
	}
	strong(start)
	return out
}
