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
// path (every loop once), every task retried to the limit and deferred
// once.
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
	type cost struct{ transitions, lambda int }
	memo := map[string]cost{}
	onPath := map[string]bool{}
	var worst func(name string) cost
	worst = func(name string) cost {
		if c, ok := memo[name]; ok {
			return c
		}
		onPath[name] = true
		n := m.graph[name]
		self := cost{transitions: 1}
		if n.lambda {
			// retries, then a deferral: Pass, Wait and the task again
			self = cost{transitions: 1 + journey.TaskMaxAttempts + 3, lambda: 1 + journey.TaskMaxAttempts + 1}
		}
		best := cost{}
		for _, e := range n.edges {
			if onPath[e] {
				continue
			}
			if c := worst(e); c.transitions > best.transitions {
				best = c
			}
		}
		onPath[name] = false
		c := cost{self.transitions + best.transitions, self.lambda + best.lambda}
		memo[name] = c
		return c
	}
	w := worst(start)
	st.WorstTransitions, st.WorstLambda = w.transitions, w.lambda
	return st
}
