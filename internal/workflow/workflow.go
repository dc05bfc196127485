// Package workflow is the narrow Step Functions API the project uses:
// publish a journey's state machine as a new version, move its alias, start
// one execution per contact by a deterministic name, answer task tokens,
// stop executions, and prune versions nobody runs. It has two
// implementations: AWS (aws-sdk-go-v2, in this package) and the local
// runtime's engine (internal/local), so publishing and enrolment code is
// written once and tested on both.
package workflow

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors callers decide on, whichever implementation answers.
var (
	// ErrNotFound: no such state machine, version, alias or execution.
	ErrNotFound = errors.New("workflow: not found")
	// ErrExecutionExists: an execution with this name exists with another
	// input, or has already closed (Step Functions keeps names 90 days).
	ErrExecutionExists = errors.New("workflow: execution already exists")
	// ErrTaskGone: the task token is invalid, timed out or already answered.
	ErrTaskGone = errors.New("workflow: task token is no longer valid")
	// ErrThrottled: the API or the open-execution quota pushed back
	// (ThrottlingException, ExecutionLimitExceeded); retry with backoff.
	ErrThrottled = errors.New("workflow: throttled")
	// ErrExecutionLimit: the account's open executions reached their quota
	// (ExecutionLimitExceeded, 1,000,000 per account and region by
	// default). It always comes with ErrThrottled; callers that report the
	// open-execution budget test for it, and wait longer than for a rate
	// throttle, since only closing executions frees room.
	ErrExecutionLimit = errors.New("workflow: open execution limit reached")
)

// A Definition is a state machine to publish.
type Definition struct {
	Name        string // state machine name, e.g. "journeys-northwind-welcome"
	ASL         string // the definition, placeholders already substituted
	RoleArn     string // the role journey machines run under
	Description string // version description: "v3 by alice"
}

// Published says which version a publish created.
type Published struct {
	MachineArn string
	VersionArn string
	Version    int
}

// A Version is one published version of a state machine.
type Version struct {
	Arn     string
	Version int
	Created time.Time
}

// Execution statuses, as Step Functions names them.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// ExecutionInfo describes one execution.
type ExecutionInfo struct {
	Arn        string
	Name       string
	Status     string
	VersionArn string // the state machine version it runs
	Output     string
	Error      string
	Cause      string
	StartedAt  time.Time
	StoppedAt  time.Time
}

// Machines publishes state machines and moves aliases.
type Machines interface {
	// Publish creates the state machine, or updates it, and publishes the
	// definition as a new version.
	Publish(ctx context.Context, def Definition) (Published, error)
	// SetAlias points the alias at versionArn, creating it if needed, and
	// returns the alias ARN.
	SetAlias(ctx context.Context, machineArn, alias, versionArn string) (string, error)
	// AliasTarget returns the version ARN an alias points at.
	AliasTarget(ctx context.Context, aliasArn string) (string, error)
	// Versions lists a state machine's versions, newest first.
	Versions(ctx context.Context, machineArn string) ([]Version, error)
	// DeleteVersion deletes a version; aliases must not point at it.
	DeleteVersion(ctx context.Context, versionArn string) error
}

// Executions starts, answers and stops executions.
type Executions interface {
	// Start starts an execution of target (a machine, version or alias
	// ARN). Starting again with the same name and input while it runs
	// returns the same execution; otherwise a used name is
	// ErrExecutionExists. The name is the second guard against enrolling a
	// contact twice, so callers treat ErrExecutionExists as done.
	Start(ctx context.Context, target, name, input string) (arn string, err error)
	Describe(ctx context.Context, executionArn string) (ExecutionInfo, error)
	// Running lists the running executions of a machine or version.
	Running(ctx context.Context, machineOrVersionArn string, limit int) ([]ExecutionInfo, error)
	Stop(ctx context.Context, executionArn, errName, cause string) error
	SendTaskSuccess(ctx context.Context, token, output string) error
	SendTaskFailure(ctx context.Context, token, errName, cause string) error
	SendTaskHeartbeat(ctx context.Context, token string) error
}

// API is both halves, as one Step Functions endpoint offers them.
type API interface {
	Machines
	Executions
}
