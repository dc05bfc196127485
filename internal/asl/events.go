package asl

import (
	"sort"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// event counts a new event of execution x on thread t (nil for events of
// the execution itself), calls the trace hook, and returns the recorded
// event for the caller to fill in when x keeps its history, else nil.
// The event follows t's latest event and becomes it. The lock is held.
func (e *Engine) event(x *execution, t *thread, typ EventType, name string, ferr *Error) *HistoryEvent {
	var prev int64
	if t != nil {
		prev = t.prev
		if typ != EventExecutionStarted {
			t.prev = x.eventCount + 1
		}
	}
	return e.record(x, typ, name, ferr, prev)
}

// sideEvent records an event of a Map or Parallel state that follows the
// event prev without becoming the state's latest event: Step Functions
// points every MapIterationStarted of a batch at the MapStateStarted, and
// the event after a MapStateSucceeded at the event before it. The lock is
// held.
func (e *Engine) sideEvent(t *thread, typ EventType, name string, prev int64) *HistoryEvent {
	return e.record(t.x, typ, name, nil, prev)
}

// record counts and records an event with the given previous event id.
func (e *Engine) record(x *execution, typ EventType, name string, ferr *Error, prev int64) *HistoryEvent {
	x.eventCount++
	id := x.eventCount
	if e.opts.trace == nil && !x.keepHistory {
		return nil
	}
	now := e.opts.clock.Now()
	if e.opts.trace != nil {
		te := TraceEvent{Time: now, ExecutionArn: x.arn, ExecutionName: x.name, EventID: id, Type: typ, State: name}
		if ferr != nil {
			te.Error, te.Cause = ferr.Name, ferr.Cause
		}
		e.opts.trace(te)
	}
	if !x.keepHistory {
		return nil
	}
	ev := &HistoryEvent{Timestamp: now, Type: typ, ID: id, PreviousEventID: prev}
	x.events = append(x.events, ev)
	return ev
}

func failure(err *Error) *FailureDetails {
	if err == nil {
		return &FailureDetails{}
	}
	d := &FailureDetails{}
	if err.Name != "" {
		d.Error = strp(err.Name)
	}
	if err.HasCause {
		d.Cause = strp(err.Cause)
	}
	return d
}

var enteredTypes = map[stateType]EventType{
	typePass: EventPassStateEntered, typeTask: EventTaskStateEntered, typeChoice: EventChoiceStateEntered,
	typeWait: EventWaitStateEntered, typeSucceed: EventSucceedStateEntered, typeFail: EventFailStateEntered,
	typeParallel: EventParallelStateEntered, typeMap: EventMapStateEntered,
}

var exitedTypes = map[stateType]EventType{
	typePass: EventPassStateExited, typeTask: EventTaskStateExited, typeChoice: EventChoiceStateExited,
	typeWait: EventWaitStateExited, typeSucceed: EventSucceedStateExited,
	typeParallel: EventParallelStateExited, typeMap: EventMapStateExited,
}

var abortedTypes = map[stateType]EventType{
	typeTask: EventTaskStateAborted, typeWait: EventWaitStateAborted,
	typeParallel: EventParallelStateAborted, typeMap: EventMapStateAborted,
}

// stateEntered records a state's entered event.
func (e *Engine) stateEntered(t *thread, s *state) {
	ev := e.event(t.x, t, enteredTypes[s.typ], s.name, nil)
	t.enterID = t.x.eventCount
	if ev != nil {
		ev.StateEnteredEventDetails = &StateEnteredDetails{Name: s.name, Input: jsonv.String(t.input), InputDetails: noTruncation}
	}
}

// stateExited records a state's exited event with the variables it
// assigned.
func (e *Engine) stateExited(t *thread, s *state, output any) {
	ev := e.event(t.x, t, exitedTypes[s.typ], s.name, nil)
	if ev == nil {
		return
	}
	d := &StateExitedDetails{Name: s.name, Output: jsonv.String(output), OutputDetails: noTruncation}
	if t.assigned != nil && t.assigned.Len() > 0 {
		d.AssignedVariables = make(map[string]string, t.assigned.Len())
		for i := 0; i < t.assigned.Len(); i++ {
			d.AssignedVariables[t.assigned.Key(i)] = jsonv.String(t.assigned.Value(i))
		}
		d.AssignedVariablesDetails = noTruncation
	}
	ev.StateExitedEventDetails = d
}

func sortDescriptions(ds []Description) {
	sort.Slice(ds, func(i, j int) bool {
		if !ds[i].StartDate.Equal(ds[j].StartDate) {
			return ds[i].StartDate.Before(ds[j].StartDate)
		}
		return ds[i].ExecutionArn < ds[j].ExecutionArn
	})
}
