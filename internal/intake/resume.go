package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/store"
)

// WaitStore is what ResumeWaits needs of the store.
type WaitStore = handler.WaitStore

// An Occurrence is one event that may end waits.
type Occurrence struct {
	BU, Contact, Event string
	// Form is the form submitted (form.submitted only): a wait narrowed
	// to another form is left waiting.
	Form string
	// Correlation, when set, names the one journey instance to resume:
	// an execution ARN or name (see Correlates).
	Correlation string
}

// ResumeWaits claims and resumes (SendTaskSuccess {"event": name}) every
// wait-for-event callback of the contact that the occurrence matches
// (handler.Match: the narrowing wait-register stored; a wait narrowed to
// an email's send step is the tracking endpoint's, never matched here),
// answering with the branch it matched, and returns them. Approval
// callbacks are never touched. A wait someone else claimed first, or that
// expired, is skipped, so a repeated event resumes a wait once; an
// execution that no longer waits is reported Gone. A wait whose answer
// could not be delivered is given back (handler.Resumer.Answer) and left
// out of the result: it waits again, the errors are returned joined, and
// the caller must have the event retried to resume it.
func ResumeWaits(ctx context.Context, st WaitStore, tasks Tasks, o Occurrence) ([]Resumed, error) {
	waiting, err := st.WaitingCallbacks(ctx, o.BU, o.Contact, o.Event)
	if err != nil {
		return nil, fmt.Errorf("waits of %s: %w", o.Contact, err)
	}
	res := handler.Resumer{Store: st, Tasks: tasks}
	out := []Resumed{}
	var errs []error
	for _, w := range waiting {
		if w.Kind != store.CallbackEvent || !Correlates(o.Correlation, w) {
			continue
		}
		branch, ok := handler.Match(w, o.Event, nil, o.Form)
		if !ok {
			continue
		}
		outcome, err := res.Answer(ctx, o.BU, w.ID, branch)
		if err != nil {
			errs = append(errs, err)
		}
		if outcome == handler.NotClaimed {
			continue // another event or the timeout got there first, or it waits again
		}
		out = append(out, Resumed{Callback: w.ID, Journey: w.Journey, Step: w.Step, Execution: w.Execution,
			Gone: outcome == handler.TaskGone})
	}
	return out, errors.Join(errs...)
}

// Correlates reports whether an event with correlation id corr may resume
// the wait w: any wait when corr is empty, else only the wait of the
// execution corr names, by ARN or by name (the ARN's last part,
// enrol.ExecutionName).
func Correlates(corr string, w store.Callback) bool {
	if corr == "" || w.Execution == corr {
		return true
	}
	i := strings.LastIndex(w.Execution, ":")
	return i >= 0 && w.Execution[i+1:] == corr
}
