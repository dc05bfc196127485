package manage

import (
	"context"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
)

// A Position is where a contact in a journey is, and since when.
//
// The task functions record the step a contact reaches in its enrolment
// (Step, StepSince) once per step. A plain wait (a duration or a date)
// runs no task: a contact in one still shows the step before it in the
// enrolment. The position then comes from the journey version and the
// step log: the step before the wait finished at the step log entry's
// time, so the contact has waited since then, until the wait ends
// (Derived). This costs no write and no read of the execution's history.
type Position struct {
	Journey   string `json:"journey"`
	Entry     string `json:"entry"`
	Version   int    `json:"version"`
	Execution string `json:"execution,omitempty"`
	// Step is the journey step the contact is at; empty before its first
	// task ran.
	Step  string    `json:"step,omitempty"`
	Since time.Time `json:"since,omitzero"`
	// Until is when the plain wait the contact is in ends (Derived only).
	Until time.Time `json:"until,omitzero"`
	// Derived is set for a plain wait worked out from the step log.
	Derived bool `json:"derived,omitempty"`
}

// finished is what a step log entry says when a step's task is done with
// the contact (a deferral or a wait keeps it at the step).
var finished = map[store.StepOutcome]bool{
	store.StepSent: true, store.StepSkipped: true, store.StepFailed: true,
	store.StepCreated: true, store.StepUpdated: true, store.StepCalled: true,
}

// positions returns where the contact is in each of its active
// enrolments, in the enrolments' order. A version that cannot be loaded
// leaves the recorded position as it is.
func (s *Service) positions(ctx context.Context, bu string, es []store.Enrolment, logs []store.StepLog) []Position {
	out := []Position{}
	versions := map[string]*catalog.Version{}
	for _, en := range es {
		if en.Status != store.EnrolmentActive {
			continue
		}
		key := en.Journey + "\x00" + itoa(en.Version)
		v, seen := versions[key]
		if !seen {
			rec, err := s.store.GetVersion(ctx, bu, en.Journey, en.Version)
			if err == nil {
				v, err = catalog.Load(rec, nil)
			}
			if err != nil {
				s.log.WarnContext(ctx, "position: journey version unreadable", "bu", bu, "journey", en.Journey,
					"version", en.Version, "error", err.Error())
			}
			versions[key] = v
		}
		out = append(out, PositionOf(v, en, logs, s.now()))
	}
	return out
}

// PositionOf is where the contact of an enrolment is at now: the recorded
// step, or the plain wait after it when the step log says the step is
// done (see Position). v may be nil (the recorded step is returned);
// logs are the contact's step log entries.
func PositionOf(v *catalog.Version, en store.Enrolment, logs []store.StepLog, now time.Time) Position {
	p := Position{Journey: en.Journey, Entry: en.Entry, Version: en.Version, Execution: en.Execution, Step: en.Step, Since: en.StepSince}
	if v == nil || en.Step == "" {
		return p
	}
	steps := v.Journey().Steps
	i := stepIndex(steps, en.Step)
	if i < 0 || !isAction(steps[i]) {
		return p
	}
	done, ok := lastFinished(logs, en, now)
	if !ok {
		return p
	}
	edge := edgeOf(v.Checked.Edges[i], "next")
	if e := edgeOf(v.Checked.Edges[i], "failure"); done.Outcome == store.StepFailed && e >= 0 {
		edge = e
	}
	t := done.At
	for range steps { // plain waits in a row, each at most once
		if edge < 0 {
			return p
		}
		w := steps[edge].Wait
		if w == nil || w.TimeOfDay.IsSet() {
			return p // a task step: its task records the position
		}
		end := t.Add(w.Duration.D)
		if w.Until.IsSet() {
			end = w.Until.T
		}
		if now.Before(end) {
			return Position{Journey: p.Journey, Entry: p.Entry, Version: p.Version, Execution: p.Execution,
				Step: steps[edge].ID, Since: t, Until: end.UTC(), Derived: true}
		}
		if end.After(t) {
			t = end
		}
		edge = edgeOf(v.Checked.Edges[edge], "next")
	}
	return p
}

func stepIndex(steps []*journey.Step, id string) int {
	for i, s := range steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// isAction reports a step whose task logs when it is done and that goes on
// by its next (or failure) edge.
func isAction(s *journey.Step) bool {
	return s.Send != nil || s.SalesTask != nil || s.Webhook != nil || s.Update != nil
}

// edgeOf returns the target step of the first edge in role, or -1.
func edgeOf(edges []journey.Edge, role string) int {
	for _, e := range edges {
		if e.Role == role {
			return e.To
		}
	}
	return -1
}

// lastFinished returns the latest step log entry of the enrolment's
// execution and step that says the step is done, since the contact
// reached it.
func lastFinished(logs []store.StepLog, en store.Enrolment, now time.Time) (store.StepLog, bool) {
	var last store.StepLog
	found := false
	for _, l := range logs {
		if l.Step != en.Step || l.Journey != en.Journey || l.At.Before(en.StepSince) || l.At.After(now) || !finished[l.Outcome] {
			continue
		}
		if en.Execution != "" && l.Execution != en.Execution {
			continue
		}
		if !found || !l.At.Before(last.At) {
			last, found = l, true
		}
	}
	return last, found
}
