package asl

import (
	"errors"
	"fmt"
	"strings"
)

// Error names that Step Functions raises and that Retry and Catch match on.
// They are defined here once; the compiler and the handlers use the same
// constants.
const (
	ErrorAll                          = "States.ALL"
	ErrorTaskFailed                   = "States.TaskFailed"
	ErrorTimeout                      = "States.Timeout"
	ErrorHeartbeatTimeout             = "States.HeartbeatTimeout"
	ErrorRuntime                      = "States.Runtime"
	ErrorDataLimitExceeded            = "States.DataLimitExceeded"
	ErrorParameterPathFailure         = "States.ParameterPathFailure"
	ErrorResultPathMatchFailure       = "States.ResultPathMatchFailure"
	ErrorIntrinsicFailure             = "States.IntrinsicFailure"
	ErrorBranchFailed                 = "States.BranchFailed"
	ErrorNoChoiceMatched              = "States.NoChoiceMatched"
	ErrorQueryEvaluationError         = "States.QueryEvaluationError"
	ErrorPermissions                  = "States.Permissions"
	ErrorExceedToleratedFailure       = "States.ExceedToleratedFailureThreshold"
	ErrorItemReaderFailed             = "States.ItemReaderFailed"
	ErrorResultWriterFailed           = "States.ResultWriterFailed"
	ErrorLambdaResourceNotFound       = "Lambda.ResourceNotFoundException"
	ErrorLambdaUnknown                = "Lambda.Unknown"
	ErrorLambdaServiceException       = "Lambda.ServiceException"
	ErrorLambdaAWSLambdaException     = "Lambda.AWSLambdaException"
	ErrorLambdaSdkClientException     = "Lambda.SdkClientException"
	ErrorLambdaTooManyRequests        = "Lambda.TooManyRequestsException"
	statesPrefix                      = "States."
	maxErrorNameLen, maxCauseLen  int = 256, 32768
)

// An Error is a named failure inside a state machine: what Retry and Catch
// see as "Error" and "Cause". HasCause is false when no cause was given (a
// Fail state without Cause), which the history shows as an absent cause.
type Error struct {
	Name     string
	Cause    string
	HasCause bool
	// heartbeat marks a States.Timeout that a missed heartbeat caused:
	// Step Functions records it as States.Timeout, and Retry and Catch
	// rules naming States.HeartbeatTimeout match it too.
	heartbeat bool
}

func (e *Error) Error() string {
	if e.HasCause {
		return e.Name + ": " + e.Cause
	}
	return e.Name
}

// newError returns an Error with a cause.
func newError(name, cause string) *Error { return &Error{Name: name, Cause: cause, HasCause: true} }

func errorf(name, format string, a ...any) *Error {
	return newError(name, fmt.Sprintf(format, a...))
}

// catchable reports whether Retry and Catch may handle the error at all:
// States.Runtime always fails the execution.
func (e *Error) catchable() bool { return e.Name != ErrorRuntime }

// matches reports whether an ErrorEquals list matches the error.
// States.ALL matches everything but States.DataLimitExceeded (and
// States.Runtime, which nothing catches); States.TaskFailed matches every
// error but States.Timeout; States.HeartbeatTimeout matches only the
// timeout of a missed heartbeat, which States.Timeout matches as well.
func matches(errorEquals []string, err *Error) bool {
	name := err.Name
	for _, want := range errorEquals {
		switch {
		case want == name:
			return true
		case want == ErrorHeartbeatTimeout:
			if err.heartbeat {
				return true
			}
		case want == ErrorAll:
			if name != ErrorDataLimitExceeded && name != ErrorRuntime {
				return true
			}
		case want == ErrorTaskFailed:
			if name != ErrorTimeout && name != ErrorDataLimitExceeded && name != ErrorRuntime {
				return true
			}
		}
	}
	return false
}

// Errors of the engine's API. Callers decide on them with errors.Is; the
// names match the Step Functions API exceptions.
var (
	// ErrExecutionAlreadyExists: a start reused the name of an execution of
	// the same state machine that has finished or has a different input.
	ErrExecutionAlreadyExists = errors.New("ExecutionAlreadyExists")
	// ErrExecutionDoesNotExist: no execution has that ARN.
	ErrExecutionDoesNotExist = errors.New("ExecutionDoesNotExist")
	// ErrInvalidName: an execution name breaks the naming rules.
	ErrInvalidName = errors.New("InvalidName")
	// ErrInvalidExecutionInput: the input is not JSON or is over 256 KiB.
	ErrInvalidExecutionInput = errors.New("InvalidExecutionInput")
	// ErrInvalidToken: a task token is malformed or of the wrong length.
	ErrInvalidToken = errors.New("InvalidToken")
	// ErrTaskDoesNotExist: the token names no task that waits for it.
	ErrTaskDoesNotExist = errors.New("TaskDoesNotExist")
	// ErrTaskTimedOut: the task of the token has timed out.
	ErrTaskTimedOut = errors.New("TaskTimedOut")
	// ErrInvalidOutput: a SendTaskSuccess output is not JSON or is over
	// 256 KiB.
	ErrInvalidOutput = errors.New("InvalidOutput")
	// ErrInvalidArgument: an error or cause is over its length limit.
	ErrInvalidArgument = errors.New("InvalidArgument")
	// ErrHistoryDisabled: the execution keeps no history.
	ErrHistoryDisabled = errors.New("history disabled for this execution")
	// ErrNotVirtualClock: RunUntil needs the engine to run on a VirtualClock
	// (and Run needs it not to).
	ErrNotVirtualClock = errors.New("engine clock is not virtual")
	// ErrNotFound is what a Persistence returns for a missing snapshot.
	ErrNotFound = errors.New("snapshot not found")
)

// A ValidationError lists the problems Validate found in a definition.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 0 {
		return "invalid state machine definition"
	}
	var b strings.Builder
	b.WriteString("invalid state machine definition: ")
	for i, p := range e.Problems {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-3)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// A Problem is one defect of a definition, at a JSON path into it
// ("$.States.Send.Retry[0].MaxAttempts").
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }
