package publish

import (
	"errors"

	"github.com/journeys-oss/journeys/internal/journey"
)

// Sentinel errors callers decide on (the management API maps them to HTTP
// statuses, the CLI to exit codes).
var (
	// ErrInvalid: a malformed request (a business unit or a version that
	// cannot be used).
	ErrInvalid = errors.New("invalid publish request")
	// ErrForbidden: the journey belongs to another business unit than the
	// caller's.
	ErrForbidden = errors.New("journey belongs to another business unit")
	// ErrConfig: the deployment is missing something (a function ARN).
	ErrConfig = errors.New("publisher is not configured")
	// ErrPruned: the version's state machine version no longer exists.
	ErrPruned = errors.New("state machine version was pruned")
	// ErrTooLarge: the bundle and compiled machine exceed what a stored
	// version may hold.
	ErrTooLarge = errors.New("journey version too large")
)

// An InvalidError says the bundle does not check: every problem, with
// positions in the bundle's files.
type InvalidError struct {
	Journey  string
	Problems journey.Problems
}

func (e *InvalidError) Error() string {
	return "journey " + e.Journey + " does not check:\n" + e.Problems.Error()
}
