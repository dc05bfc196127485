package asl

import (
	"time"
)

// EventType is a history event type, as GetExecutionHistory names it.
type EventType string

// The history event types the engine records.
const (
	EventExecutionStarted      EventType = "ExecutionStarted"
	EventExecutionSucceeded    EventType = "ExecutionSucceeded"
	EventExecutionFailed       EventType = "ExecutionFailed"
	EventExecutionTimedOut     EventType = "ExecutionTimedOut"
	EventExecutionAborted      EventType = "ExecutionAborted"
	EventPassStateEntered      EventType = "PassStateEntered"
	EventPassStateExited       EventType = "PassStateExited"
	EventTaskStateEntered      EventType = "TaskStateEntered"
	EventTaskStateExited       EventType = "TaskStateExited"
	EventTaskStateAborted      EventType = "TaskStateAborted"
	EventChoiceStateEntered    EventType = "ChoiceStateEntered"
	EventChoiceStateExited     EventType = "ChoiceStateExited"
	EventWaitStateEntered      EventType = "WaitStateEntered"
	EventWaitStateExited       EventType = "WaitStateExited"
	EventWaitStateAborted      EventType = "WaitStateAborted"
	EventSucceedStateEntered   EventType = "SucceedStateEntered"
	EventSucceedStateExited    EventType = "SucceedStateExited"
	EventFailStateEntered      EventType = "FailStateEntered"
	EventParallelStateEntered  EventType = "ParallelStateEntered"
	EventParallelStateStarted  EventType = "ParallelStateStarted"
	EventParallelStateSucceded EventType = "ParallelStateSucceeded"
	EventParallelStateFailed   EventType = "ParallelStateFailed"
	EventParallelStateAborted  EventType = "ParallelStateAborted"
	EventParallelStateExited   EventType = "ParallelStateExited"
	EventMapStateEntered       EventType = "MapStateEntered"
	EventMapStateStarted       EventType = "MapStateStarted"
	EventMapStateSucceeded     EventType = "MapStateSucceeded"
	EventMapStateFailed        EventType = "MapStateFailed"
	EventMapStateAborted       EventType = "MapStateAborted"
	EventMapStateExited        EventType = "MapStateExited"
	EventMapIterationStarted   EventType = "MapIterationStarted"
	EventMapIterationSucceeded EventType = "MapIterationSucceeded"
	EventMapIterationFailed    EventType = "MapIterationFailed"
	EventMapIterationAborted   EventType = "MapIterationAborted"
	EventTaskScheduled         EventType = "TaskScheduled"
	EventTaskStarted           EventType = "TaskStarted"
	EventTaskSubmitted         EventType = "TaskSubmitted"
	EventTaskSucceeded         EventType = "TaskSucceeded"
	EventTaskFailed            EventType = "TaskFailed"
	EventTaskTimedOut          EventType = "TaskTimedOut"
	EventLambdaScheduled       EventType = "LambdaFunctionScheduled"
	EventLambdaStarted         EventType = "LambdaFunctionStarted"
	EventLambdaSucceeded       EventType = "LambdaFunctionSucceeded"
	EventLambdaFailed          EventType = "LambdaFunctionFailed"
	EventLambdaTimedOut        EventType = "LambdaFunctionTimedOut"
	EventEvaluationFailed      EventType = "EvaluationFailed"
)

// A HistoryEvent is one event of an execution's history, shaped and named
// as Step Functions' GetExecutionHistory returns it. Payloads (input,
// output, parameters) are JSON text.
type HistoryEvent struct {
	Timestamp       time.Time `json:"timestamp"`
	Type            EventType `json:"type"`
	ID              int64     `json:"id"`
	PreviousEventID int64     `json:"previousEventId"`

	ExecutionStartedEventDetails    *ExecutionStartedDetails `json:"executionStartedEventDetails,omitempty"`
	ExecutionSucceededEventDetails  *OutputDetails           `json:"executionSucceededEventDetails,omitempty"`
	ExecutionFailedEventDetails     *FailureDetails          `json:"executionFailedEventDetails,omitempty"`
	ExecutionTimedOutEventDetails   *FailureDetails          `json:"executionTimedOutEventDetails,omitempty"`
	ExecutionAbortedEventDetails    *FailureDetails          `json:"executionAbortedEventDetails,omitempty"`
	StateEnteredEventDetails        *StateEnteredDetails     `json:"stateEnteredEventDetails,omitempty"`
	StateExitedEventDetails         *StateExitedDetails      `json:"stateExitedEventDetails,omitempty"`
	MapStateStartedEventDetails     *MapStateStartedDetails  `json:"mapStateStartedEventDetails,omitempty"`
	MapIterationStartedEventDetails *MapIterationDetails     `json:"mapIterationStartedEventDetails,omitempty"`
	MapIterationSucceededDetails    *MapIterationDetails     `json:"mapIterationSucceededEventDetails,omitempty"`
	MapIterationFailedEventDetails  *MapIterationDetails     `json:"mapIterationFailedEventDetails,omitempty"`
	MapIterationAbortedEventDetails *MapIterationDetails     `json:"mapIterationAbortedEventDetails,omitempty"`
	TaskScheduledEventDetails       *TaskScheduledDetails    `json:"taskScheduledEventDetails,omitempty"`
	TaskStartedEventDetails         *TaskResourceDetails     `json:"taskStartedEventDetails,omitempty"`
	TaskSubmittedEventDetails       *TaskOutputDetails       `json:"taskSubmittedEventDetails,omitempty"`
	TaskSucceededEventDetails       *TaskOutputDetails       `json:"taskSucceededEventDetails,omitempty"`
	TaskFailedEventDetails          *TaskFailureDetails      `json:"taskFailedEventDetails,omitempty"`
	TaskTimedOutEventDetails        *TaskFailureDetails      `json:"taskTimedOutEventDetails,omitempty"`
	LambdaScheduledEventDetails     *LambdaScheduledDetails  `json:"lambdaFunctionScheduledEventDetails,omitempty"`
	LambdaSucceededEventDetails     *OutputDetails           `json:"lambdaFunctionSucceededEventDetails,omitempty"`
	LambdaFailedEventDetails        *FailureDetails          `json:"lambdaFunctionFailedEventDetails,omitempty"`
	LambdaTimedOutEventDetails      *FailureDetails          `json:"lambdaFunctionTimedOutEventDetails,omitempty"`
	EvaluationFailedEventDetails    *EvaluationFailedDetails `json:"evaluationFailedEventDetails,omitempty"`
}

// DataDetails says whether a payload was truncated (never, here).
type DataDetails struct {
	Truncated bool `json:"truncated"`
}

// ExecutionStartedDetails are the details of ExecutionStarted.
type ExecutionStartedDetails struct {
	Input        string       `json:"input"`
	InputDetails *DataDetails `json:"inputDetails,omitempty"`
	RoleArn      string       `json:"roleArn,omitempty"`
}

// OutputDetails carry an output payload.
type OutputDetails struct {
	Output        string       `json:"output"`
	OutputDetails *DataDetails `json:"outputDetails,omitempty"`
}

// FailureDetails carry an error name and cause.
type FailureDetails struct {
	Error *string `json:"error,omitempty"`
	Cause *string `json:"cause,omitempty"`
}

// StateEnteredDetails are the details of every *StateEntered event.
type StateEnteredDetails struct {
	Name         string       `json:"name"`
	Input        string       `json:"input"`
	InputDetails *DataDetails `json:"inputDetails,omitempty"`
}

// StateExitedDetails are the details of every *StateExited event.
type StateExitedDetails struct {
	Name                     string            `json:"name"`
	Output                   string            `json:"output"`
	OutputDetails            *DataDetails      `json:"outputDetails,omitempty"`
	AssignedVariables        map[string]string `json:"assignedVariables,omitempty"`
	AssignedVariablesDetails *DataDetails      `json:"assignedVariablesDetails,omitempty"`
}

// MapStateStartedDetails carry the number of items of a Map state.
type MapStateStartedDetails struct {
	Length int `json:"length"`
}

// MapIterationDetails name a Map state and an iteration.
type MapIterationDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}

// TaskScheduledDetails are the details of TaskScheduled.
type TaskScheduledDetails struct {
	ResourceType       string `json:"resourceType"`
	Resource           string `json:"resource"`
	Region             string `json:"region"`
	Parameters         string `json:"parameters"`
	TimeoutInSeconds   *int64 `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds *int64 `json:"heartbeatInSeconds,omitempty"`
}

// TaskResourceDetails name a task's resource.
type TaskResourceDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
}

// TaskOutputDetails carry a task's output.
type TaskOutputDetails struct {
	ResourceType  string       `json:"resourceType"`
	Resource      string       `json:"resource"`
	Output        string       `json:"output"`
	OutputDetails *DataDetails `json:"outputDetails,omitempty"`
}

// TaskFailureDetails carry a task's error and cause.
type TaskFailureDetails struct {
	ResourceType string  `json:"resourceType"`
	Resource     string  `json:"resource"`
	Error        *string `json:"error,omitempty"`
	Cause        *string `json:"cause,omitempty"`
}

// LambdaScheduledDetails are the details of LambdaFunctionScheduled.
type LambdaScheduledDetails struct {
	Resource         string       `json:"resource"`
	Input            string       `json:"input"`
	InputDetails     *DataDetails `json:"inputDetails,omitempty"`
	TimeoutInSeconds *int64       `json:"timeoutInSeconds,omitempty"`
}

// EvaluationFailedDetails are the details of EvaluationFailed (JSONata).
type EvaluationFailedDetails struct {
	Error    *string `json:"error,omitempty"`
	Cause    *string `json:"cause,omitempty"`
	Location *string `json:"location,omitempty"`
	State    string  `json:"state"`
}

// Name returns the state name an event is about (the Map state's name for
// Map iteration events), or "".
func (ev *HistoryEvent) Name() string {
	switch {
	case ev.StateEnteredEventDetails != nil:
		return ev.StateEnteredEventDetails.Name
	case ev.StateExitedEventDetails != nil:
		return ev.StateExitedEventDetails.Name
	case ev.MapIterationStartedEventDetails != nil:
		return ev.MapIterationStartedEventDetails.Name
	case ev.MapIterationSucceededDetails != nil:
		return ev.MapIterationSucceededDetails.Name
	case ev.MapIterationFailedEventDetails != nil:
		return ev.MapIterationFailedEventDetails.Name
	case ev.MapIterationAbortedEventDetails != nil:
		return ev.MapIterationAbortedEventDetails.Name
	case ev.EvaluationFailedEventDetails != nil:
		return ev.EvaluationFailedEventDetails.State
	}
	return ""
}

// A TraceEvent tells a trace hook what an execution just did: one per
// history event, without payloads, whether or not history is kept.
type TraceEvent struct {
	Time          time.Time
	ExecutionArn  string
	ExecutionName string
	EventID       int64
	Type          EventType
	State         string // state name, "" for execution events
	Error         string
	Cause         string
}

func strp(s string) *string { return &s }

var noTruncation = &DataDetails{}
