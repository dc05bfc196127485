// Package wire defines the versioned JSON payloads that compiled journey
// state machines send to the task functions, what those functions return,
// and the error names that Retry and Catch rules match on.
//
// It is the contract between internal/compile (which writes the payloads
// into ASL Parameters) and internal/handler (which serves them). A running
// execution keeps the journey version it started with, possibly for a year,
// so handlers must keep serving every payload version any still-running
// machine sends: fields are only ever added, and V says which shape a
// payload has.
//
// # What compiled machines send and expect (internal/compile)
//
// Execution input: Execution. Machines read $.bu, $.journey, $.version,
// $.contact and $.entry; they never read $.event or need $.attrs in the
// input (they load attributes themselves). While running they write only
// these keys of the state: attrs, cond, wait, received, approval, split,
// deferred, error. A wait-for-event or approval step keeps in $.wait.since
// when the contact reached it ($$.State.EnteredTime) and in
// $.wait.remaining.seconds what OpWaitTimeout answered.
//
// Every Task sends a StepRequest with v, op, bu, journey, version,
// contact, entry, execution and step, plus the fields named below, to the
// function named in brackets:
//   - OpSend [send], OpSalesTask [sales-task], OpWebhook [webhook-action],
//     OpUpdate [update-contact]: do the step. Return a StepResult with
//     Status; when the request lists Attrs, Attrs must hold every listed
//     name (zero value when unset). A send skipped for consent, a
//     suppression or a "skip" frequency cap returns normally.
//     Send and webhook may raise ErrDeliveryFailed (the step's onFailure
//     target, else the next step).
//   - OpAttrs [evaluate]: return Attrs, every name in Attrs.
//   - OpCondition [evaluate]: an if step returns Result; a switch step
//     returns Case, the matching case's value as text (journey.CaseID), or
//     anything else (such as "default") for the default branch.
//   - OpWaitUntil [evaluate]: return Until, the next time of day of the
//     step in the contact's time zone (on its weekdays), RFC 3339.
//   - OpWaitEvent [wait-register] with Token: store the token under an
//     opaque single-use id and return. Since, when sent, is when the
//     contact reached the step: an awaited event that happened since then
//     resumes the wait at once (an event that came while the contact was
//     held between two waits of the step is not lost). The event intake resumes it with
//     SendTaskSuccess output EventOutput{Event: one of the step's event
//     names, Send/Form: the narrowing of the branch it answered, the first
//     in the step's order}; the step's timeout arrives as States.Timeout.
//   - OpApproval [approval-request] with Token: store it, ask the flow.
//     Approve: SendTaskSuccess ApprovalOutput; reject: SendTaskFailure
//     with error ErrRejected; the timeout arrives as States.Timeout.
//   - OpWaitTimeout [evaluate] with Since, after a wait-for-event or
//     approval step's task timed out: while the journey is paused, raise
//     ErrDeferred (the contact is held); otherwise return Remaining, the
//     whole seconds of the step's timeout still left once the time the
//     journey spent paused since Since is left out (0: the step times
//     out). The machine then waits again, with the same registration,
//     for Remaining seconds.
//   - OpFinish [finish] with Outcome; Step is the end step's id, the split
//     step's id with Variant "holdout" for a holdout, or "" for the shared
//     ends; Error and Cause carry the caught error for exited, goal and
//     failed. Record it idempotently.
//
// Every task (finish excepted) may raise ErrDeferred (message: RFC 3339
// time; the machine waits, then calls the same step again), ErrExited,
// and, in a journey with a goal, ErrGoalReached; a waiting token may be
// failed with ErrExited or ErrGoalReached too. ErrTransient and Lambda's
// transient errors are retried (4 times, 2 s doubling, at most 60 s,
// full jitter); any other error is recorded by finish (failed) and fails
// the execution. OpSplit is not sent: splits hash without Lambda.
package wire

import (
	"encoding/json"
	"fmt"
	"time"
)

// Version is the payload version the compiler writes today.
const Version = 1

// Operations a task payload asks for (StepRequest.Op).
const (
	OpSend      = "send"      // render and deliver a message (email, sms, custom channel)
	OpCondition = "condition" // evaluate a CEL condition or a switch
	OpAttrs     = "attrs"     // load the declared non-personal attributes native Choice rules use
	OpWaitUntil = "waitUntil" // compute the next time of day in the contact's time zone
	// OpWaitTimeout decides whether a timed-out wait-for-event or approval
	// step has time left: the time the journey spent paused does not count.
	OpWaitTimeout = "waitTimeout"
	OpSalesTask   = "salesTask" // create a sales task for the contact's owner
	OpWebhook     = "webhook"   // call an outbound webhook action
	OpUpdate      = "update"    // update contact attributes
	OpWaitEvent   = "waitEvent" // register a task token that an event resumes
	OpApproval    = "approval"  // store a task token and ask a flow for approval
	OpFinish      = "finish"    // record how the contact left the journey
	OpSplit       = "split"     // record which split variant a contact took (optional log)
)

// Execution is the input of one journey execution: ids only, never personal
// data, because Step Functions history cannot be erased. Attrs carries only
// declared non-personal attributes that native Choice rules read.
type Execution struct {
	V       int            `json:"v"`
	BU      string         `json:"bu"`
	Journey string         `json:"journey"`
	Version int            `json:"version"`
	Contact string         `json:"contact"`
	Entry   string         `json:"entry"`
	Event   string         `json:"event,omitempty"` // id of the trigger event in the store
	Attrs   map[string]any `json:"attrs,omitempty"`
}

// StepRequest is the Payload every task state sends. Step names the journey
// step; handlers find its configuration in the stored journey version.
type StepRequest struct {
	V         int    `json:"v"`
	Op        string `json:"op"`
	BU        string `json:"bu"`
	Journey   string `json:"journey"`
	Version   int    `json:"version"`
	Contact   string `json:"contact"`
	Entry     string `json:"entry"`
	Execution string `json:"execution"` // $$.Execution.Id
	Step      string `json:"step"`
	Token     string `json:"token,omitempty"`   // $$.Task.Token, for waitEvent and approval
	Outcome   string `json:"outcome,omitempty"` // for finish: one of the Outcome* constants
	Cause     string `json:"cause,omitempty"`   // for finish after a failure: the error cause

	// Added in the journey compiler (still payload version 1; handlers
	// must accept their absence).

	// Error is, for finish after a caught error (exited, goal, failed),
	// the error name ($.error.Error): Journey.Exited, States.TaskFailed...
	Error string `json:"error,omitempty"`
	// Attrs names the declared non-personal attributes the task must
	// return in StepResult.Attrs: every one of them, with the zero value
	// of its type ("", 0, false) when the contact lacks it, because the
	// machine selects each by path. Sent to attrs tasks and to the
	// send/salesTask/webhook/update tasks that precede native Choices.
	Attrs []string `json:"attrs,omitempty"`
	// Variant is, for finish of a split's holdout, "holdout".
	Variant string `json:"variant,omitempty"`

	// Added for paused journeys (payload version 1; absent from machines
	// compiled before).

	// Since is when the contact reached a wait-for-event or approval step
	// ($$.State.EnteredTime of the state before its task, RFC 3339), sent
	// with OpWaitTimeout and OpWaitEvent.
	Since string `json:"since,omitempty"`
}

// Outcomes recorded by the finish operation.
const (
	OutcomeCompleted = "completed"
	OutcomeExited    = "exited"
	OutcomeGoal      = "goal"
	OutcomeFailed    = "failed"
)

// StepResult is what a task returns. Compiled machines pick the fields they
// need with ResultSelector; everything is optional.
type StepResult struct {
	// Attrs are the declared non-personal attributes, fresh, for native
	// Choice rules that follow this step.
	Attrs map[string]any `json:"attrs,omitempty"`
	// Result is a condition's value (OpCondition on an if/else step).
	Result *bool `json:"result,omitempty"`
	// Case is the id of the switch case taken ("default" when none matched).
	Case string `json:"case,omitempty"`
	// Until is the RFC 3339 time to wait until (OpWaitUntil).
	Until string `json:"until,omitempty"`
	// Status says what a send or action did: "sent", "skipped", "created", ...
	Status string `json:"status,omitempty"`
	// Remaining is, for OpWaitTimeout, the whole seconds left of the
	// step's timeout (0: it timed out); always present in that answer.
	Remaining *int64 `json:"remaining,omitempty"`
}

// EventOutput is the SendTaskSuccess output that resumes a wait-for-event
// step: which event arrived, and which of the step's branches it answered
// (the branch's send step or form, absent when the branch names none), so
// that two branches of one event (email.clicked of send-a and of send-b)
// can lead to different steps. A timeout arrives as States.Timeout
// instead.
type EventOutput struct {
	Event string `json:"event"`
	Send  string `json:"send,omitempty"`
	Form  string `json:"form,omitempty"`
}

// ApprovalOutput is the SendTaskSuccess output of an approved approval step.
// A rejection arrives as the error ErrRejected.
type ApprovalOutput struct {
	Outcome  string `json:"outcome"` // "approved"
	Approval string `json:"approval"`
}

// Error names that task functions raise and compiled machines match on.
// Custom names may not start with "States.".
const (
	// ErrTransient is a failure worth retrying: a provider's 429 or 5xx, a
	// timeout, a throttled store write.
	ErrTransient = "Journey.Transient"
	// ErrDeferred asks the machine to wait until the time in the message
	// (RFC 3339) and call the same step again: quiet hours, a frequency
	// cap that delays, a paused journey.
	ErrDeferred = "Journey.Deferred"
	// ErrExited ends the journey for this contact: an exit criterion, a
	// stopped journey, the journey's end date, an erased contact.
	ErrExited = "Journey.Exited"
	// ErrGoalReached ends the journey for this contact with its goal met.
	ErrGoalReached = "Journey.GoalReached"
	// ErrDeliveryFailed is a permanent delivery failure (a provider's 4xx);
	// the journey goes on down the step's failure path.
	ErrDeliveryFailed = "Journey.DeliveryFailed"
	// ErrInvalidPayload is a payload this handler version cannot serve.
	ErrInvalidPayload = "Journey.InvalidPayload"
	// ErrRejected is the SendTaskFailure error of a rejected approval.
	ErrRejected = "Approval.Rejected"
)

// LambdaTransientErrors are the Lambda service errors Step Functions
// recommends retrying on every Lambda task.
var LambdaTransientErrors = []string{
	"Lambda.ServiceException",
	"Lambda.AWSLambdaException",
	"Lambda.SdkClientException",
	"Lambda.TooManyRequestsException",
}

// An Error is a named domain error that crosses the Lambda boundary with its
// name, so Retry and Catch rules can match it. Handlers return it (wrapped
// or not); LambdaError turns it into what aws-lambda-go reports.
type Error struct {
	Name    string
	Message string
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

// Errorf returns a named error with a formatted message.
func Errorf(name, format string, args ...any) *Error {
	return &Error{Name: name, Message: fmt.Sprintf(format, args...)}
}

// Deferred returns the error that makes the machine wait until t and call
// the step again.
func Deferred(until time.Time) *Error {
	return &Error{Name: ErrDeferred, Message: until.UTC().Format(time.RFC3339)}
}

// ErrorDocument is the Lambda error document that Step Functions puts, as
// JSON text, into the Cause of a failed Lambda task.
type ErrorDocument struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// ParseCause reads the Lambda error document out of a task failure's cause.
func ParseCause(cause string) (ErrorDocument, error) {
	var d ErrorDocument
	if err := json.Unmarshal([]byte(cause), &d); err != nil {
		return d, fmt.Errorf("parse task failure cause: %w", err)
	}
	return d, nil
}
