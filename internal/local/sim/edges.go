package sim

import (
	"slices"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
)

// An EdgeTaken is an edge of the journey's step graph (a journey.Edge)
// that a contact went along: from a step, by its role and label, to a
// step or "end".
type EdgeTaken struct {
	From  string `json:"from"`
	Role  string `json:"role"`
	Label string `json:"label,omitempty"`
	To    string `json:"to"`
}

// String writes the edge as "crm --failure--> mark-sql".
func (e EdgeTaken) String() string {
	how := e.Role
	if e.Label != "" && e.Label != e.Role {
		how += " " + e.Label
	}
	return e.From + " --" + how + "--> " + e.To
}

// Edges lists the edges of a checked journey's graph.
func Edges(c *journey.Checked) []EdgeTaken {
	var out []EdgeTaken
	for i, es := range c.Edges {
		for _, e := range es {
			out = append(out, edgeOf(c, i, e))
		}
	}
	return out
}

func edgeOf(c *journey.Checked, from int, e journey.Edge) EdgeTaken {
	to := "end"
	if e.To != journey.End {
		to = c.Journey.Steps[e.To].ID
	}
	return EdgeTaken{From: c.Journey.Steps[from].ID, Role: e.Role, Label: e.Label, To: to}
}

// takenEdges lists the edges a contact's run went along, in order. Where
// several edges of a step lead to the same step, the run tells them apart
// by how the step's task ended (a failed delivery takes the failure edge;
// a rejected approval the reject edge; a timeout the timeout edge) and,
// for a wait for events, by the event that resumed it. A contact that
// left the journey (goal, exit) or is still in a step took no edge from
// it.
func takenEdges(c *journey.Checked, r contactRun) []EdgeTaken {
	if r.notEnrolled != "" {
		return nil
	}
	hops := r.path.hops
	byHop, _ := assignLogs(c, hops, r.logs)
	var out []EdgeTaken
	for k, h := range hops {
		i := int(h.step)
		var cands []journey.Edge
		switch {
		case h.holdout:
			cands = roles(c.Edges[i], "holdout")
		case k+1 < len(hops):
			cands = to(c.Edges[i], int(hops[k+1].step))
		case r.status == store.EnrolmentCompleted && !c.Journey.Steps[i].End:
			cands = to(c.Edges[i], journey.End)
		}
		if len(cands) > 1 {
			cands = pick(cands, h.exit, resumedBy(byHop[k], r.resumed[k]))
		}
		for _, e := range cands {
			out = append(out, edgeOf(c, i, e))
		}
	}
	return out
}

func to(es []journey.Edge, step int) []journey.Edge {
	return slices.DeleteFunc(slices.Clone(es), func(e journey.Edge) bool { return e.To != step })
}

func roles(es []journey.Edge, role ...string) []journey.Edge {
	return slices.DeleteFunc(slices.Clone(es), func(e journey.Edge) bool { return !slices.Contains(role, e.Role) })
}

// pick narrows edges that lead to the same step to those the step's exit
// and resuming event chose; when they still cannot be told apart, all of
// them are kept.
func pick(cands []journey.Edge, x exit, event string) []journey.Edge {
	var narrowed []journey.Edge
	switch x {
	case exitFailed:
		narrowed = roles(cands, "failure")
	case exitRejected:
		narrowed = roles(cands, "reject")
	case exitTimeout:
		narrowed = roles(cands, "timeout")
	default:
		narrowed = slices.DeleteFunc(slices.Clone(cands), func(e journey.Edge) bool {
			return e.Role == "failure" || e.Role == "reject" || e.Role == "timeout" ||
				(e.Role == "event" && event != "" && e.Label != event)
		})
	}
	if len(narrowed) == 0 {
		return cands
	}
	return narrowed
}

// resumedBy names the event that ended a wait for events: the one its
// step log says had already happened, else the scripted event applied
// while the contact waited there.
func resumedBy(logs []store.StepLog, scripted string) string {
	for _, l := range logs {
		if l.Outcome == store.StepResumed && l.Detail["event"] != "" {
			return l.Detail["event"]
		}
	}
	return scripted
}
