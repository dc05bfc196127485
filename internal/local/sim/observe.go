package sim

import (
	"context"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
)

// An Observer follows one journey in a running system (the dev server)
// through the engine's trace hook, and reports its funnel as a simulation
// does, from the paths it saw, the enrolments and the step logs in the
// store. It is safe for concurrent use.
type Observer struct {
	checked  *journey.Checked
	recorder *Recorder
	marker   string // ":execution:<machine>:" of the journey's executions
}

// NewObserver observes the executions of a journey whose state machine is
// named machine.
func NewObserver(c *journey.Checked, machine string) (*Observer, error) {
	res, err := compile.Compile(c, compile.Options{})
	if err != nil {
		return nil, err
	}
	return &Observer{checked: c, recorder: NewRecorder(NewStepMap(c, res)), marker: ":execution:" + machine + ":"}, nil
}

// Trace is the engine's trace hook; it keeps the events of the observed
// journey's executions.
func (o *Observer) Trace(ev asl.TraceEvent) {
	if strings.Contains(ev.ExecutionArn, o.marker) {
		o.recorder.Trace(ev)
	}
}

// ObservedStore is what Report reads.
type ObservedStore interface {
	ListEnrolments(ctx context.Context, bu, journey string, status store.EnrolmentStatus, cursor string, limit int) (store.Page[store.Enrolment], error)
	ListStepLogs(ctx context.Context, bu, contact, execution string) ([]store.StepLog, error)
}

// Report builds the funnel of every enrolment of the journey so far.
func (o *Observer) Report(ctx context.Context, st ObservedStore) (*Report, error) {
	j := o.checked.Journey
	book := newLogBook(func(string) bool { return false })
	var runs []contactRun
	for _, status := range []store.EnrolmentStatus{store.EnrolmentActive, store.EnrolmentCompleted, store.EnrolmentGoal,
		store.EnrolmentExited, store.EnrolmentFailed, store.EnrolmentStopped} {
		cursor := ""
		for {
			page, err := st.ListEnrolments(ctx, j.BusinessUnit, j.ID, status, cursor, store.MaxLimit)
			if err != nil {
				return nil, err
			}
			for _, e := range page.Items {
				logs, err := st.ListStepLogs(ctx, j.BusinessUnit, e.Contact, e.Execution)
				if err != nil {
					return nil, err
				}
				for _, l := range logs {
					book.add(l)
				}
				runs = append(runs, contactRun{id: e.Contact, exec: e.Execution, entry: e.Entry, entered: e.EnteredAt,
					status: e.Status, reason: e.Reason, path: o.recorder.path(e.Execution)})
			}
			if cursor = page.Next; cursor == "" {
				break
			}
		}
	}
	rep := funnel(o.checked, runs, book)
	for _, r := range runs {
		if rep.Start.IsZero() || r.entered.Before(rep.Start) {
			rep.Start = r.entered
		}
	}
	return &rep, nil
}
