package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
)

// A ContactTrace is one contact's way through the journey, with the
// reason for every decision: why a message went or did not ("no email
// consent", "quiet hours until 08:00", "frequency cap"), which way each
// branch went and why, and how the contact left.
type ContactTrace struct {
	Contact     string      `json:"contact"`
	Execution   string      `json:"execution,omitempty"`
	Entered     time.Time   `json:"entered,omitzero"`
	NotEnrolled string      `json:"notEnrolled,omitempty"`
	Lines       []TraceLine `json:"lines,omitempty"`
	Status      string      `json:"status,omitempty"`
	Reason      string      `json:"reason,omitempty"`
}

// A TraceLine is one thing that happened at a step.
type TraceLine struct {
	At   time.Time `json:"at"`
	Step string    `json:"step"`
	What string    `json:"what"`
}

// trace builds a contact's trace from its path and step logs: every
// step entered, what each step log entry said (at the visit of the step
// it belongs to), which way each branch went, and how the contact left.
func trace(c *journey.Checked, r contactRun) *ContactTrace {
	t := &ContactTrace{Contact: r.id, Execution: r.exec, Entered: r.entered, NotEnrolled: r.notEnrolled,
		Status: string(r.status), Reason: r.reason}
	if r.notEnrolled != "" {
		return t
	}
	hops := r.path.hops
	byHop, orphans := assignLogs(c, hops, r.logs)
	for k, h := range hops {
		s := c.Journey.Steps[h.step]
		at := time.Unix(h.at, 0).UTC()
		var until time.Time
		if k+1 < len(hops) {
			until = time.Unix(hops[k+1].at, 0).UTC()
		}
		t.Lines = append(t.Lines, TraceLine{At: at, Step: s.ID, What: "entered " + s.Kind()})
		for _, l := range byHop[k] {
			t.Lines = append(t.Lines, logLine(l))
		}
		if d := decision(c, int(h.step), hops, k, r); d != "" {
			when := at
			if !until.IsZero() {
				when = until
			}
			t.Lines = append(t.Lines, TraceLine{At: when, Step: s.ID, What: d})
		}
	}
	for _, l := range orphans {
		t.Lines = insertByTime(t.Lines, logLine(l))
	}
	if r.status != store.EnrolmentActive && !r.path.endAt.IsZero() {
		what := "ended: " + string(r.status)
		if r.reason != "" && r.reason != string(r.status) {
			what += " (" + r.reason + ")"
		}
		step := ""
		if n := len(hops); n > 0 {
			step = c.Journey.Steps[hops[n-1].step].ID
		}
		t.Lines = append(t.Lines, TraceLine{At: r.path.endAt, Step: step, What: what})
	}
	return t
}

// assignLogs gives each step log entry to the visit of its step it
// belongs to, by step id and order: the latest visit of that step entered
// at or before the entry, never one before the visit the step's previous
// entry went to. Logs of several steps written at one instant each find
// their own step. Entries of steps the path never entered come back as
// orphans; "entered" and "finished" entries are left out (the trace says
// both itself).
func assignLogs(c *journey.Checked, hops []hop, logs []store.StepLog) (byHop [][]store.StepLog, orphans []store.StepLog) {
	visits := map[string][]int{} // step id → indexes into hops, in order
	for k, h := range hops {
		id := c.Journey.Steps[h.step].ID
		visits[id] = append(visits[id], k)
	}
	byHop = make([][]store.StepLog, len(hops))
	cur := map[string]int{} // step id → index into visits[id] of its last entry's visit
	for _, l := range logs {
		if l.Outcome == store.StepFinished || l.Outcome == store.StepEntered {
			continue
		}
		vs := visits[l.Step]
		if len(vs) == 0 {
			orphans = append(orphans, l)
			continue
		}
		v := cur[l.Step]
		for v+1 < len(vs) && hops[vs[v+1]].at <= l.At.Unix() {
			v++
		}
		cur[l.Step] = v
		byHop[vs[v]] = append(byHop[vs[v]], l)
	}
	return byHop, orphans
}

// logLine is the trace line of a step log entry: its outcome and why.
func logLine(l store.StepLog) TraceLine {
	what := string(l.Outcome)
	if l.Reason != "" {
		what += ": " + l.Reason
	}
	return TraceLine{At: l.At, Step: l.Step, What: what}
}

// insertByTime puts a line after every line that is not later than it.
func insertByTime(lines []TraceLine, l TraceLine) []TraceLine {
	i := len(lines)
	for i > 0 && lines[i-1].At.After(l.At) {
		i--
	}
	return slices.Insert(lines, i, l)
}

// decision explains which way a branching step went.
func decision(c *journey.Checked, i int, hops []hop, k int, r contactRun) string {
	s := c.Journey.Steps[i]
	to := journey.End
	target := "end"
	switch {
	case k+1 < len(hops):
		to = int(hops[k+1].step)
		target = c.Journey.Steps[to].ID
	case hops[k].holdout:
		return "holdout: receives nothing"
	case r.status == store.EnrolmentActive:
		return ""
	}
	label := narrowLabel(edgeLabel(c, i, to), hops[k].exit)
	switch {
	case s.If != nil:
		cond := "segment " + s.If.Segment
		if s.If.Condition.IsSet() {
			cond = strings.Join(strings.Fields(s.If.Condition.Src), " ")
		}
		verdict := map[string]string{"then": "holds", "else": "does not hold"}[label]
		if verdict == "" {
			return "→ " + target
		}
		return fmt.Sprintf("%s %s → %s", cond, verdict, target)
	case s.Switch != nil:
		if label == "default" {
			return fmt.Sprintf("%s matches no case → %s", s.Switch.Attribute, target)
		}
		return fmt.Sprintf("%s == %s → %s", s.Switch.Attribute, label, target)
	case s.Split != nil:
		return fmt.Sprintf("variant %s → %s", label, target)
	case s.WaitFor != nil:
		if label == "timeout" {
			return fmt.Sprintf("no %s within %s → %s", events(s.WaitFor), s.WaitFor.Timeout.Text, target)
		}
		if ev := r.resumed[k]; ev != "" && slices.Contains(strings.Split(label, "|"), ev) {
			label = ev
		}
		return fmt.Sprintf("%s → %s", label, target)
	case s.Approval != nil:
		what := map[string]string{"approve": "approved", "reject": "rejected", "timeout": "no answer within " + s.Approval.Timeout.Text}[label]
		if what == "" {
			what = label
		}
		return fmt.Sprintf("%s → %s", what, target)
	case label == "failure":
		return "delivery failed → " + target
	}
	return ""
}

func events(w *journey.WaitFor) string {
	var names []string
	for _, e := range w.Events {
		names = append(names, e.Event)
	}
	return strings.Join(names, " or ")
}
