package webhook

import (
	"errors"
	"fmt"
	"time"
)

// Delivery outcome classes. A *DeliveryError matches exactly one of
// ErrPermanent and ErrTransient with errors.Is; ErrGone also matches a 410
// (which is permanent). Journey handlers map ErrPermanent to
// Journey.DeliveryFailed and ErrTransient to Journey.Transient.
var (
	ErrPermanent = errors.New("delivery failed permanently")
	ErrTransient = errors.New("delivery failed, may succeed later")
	ErrGone      = errors.New("endpoint gone")
)

// A DeliveryError describes a failed Send. Host names the destination (never
// the full URL, which may carry secrets).
type DeliveryError struct {
	Host string
	// StatusCode is the last response's status, 0 when none came back.
	StatusCode int
	// Attempts is the number of requests made.
	Attempts int
	// RetryAfter is the last Retry-After received, if any.
	RetryAfter time.Duration
	// Err is the cause: a network error, ErrGone, a *BlockedError, ...
	Err error

	permanent bool
}

func (e *DeliveryError) Error() string {
	class := "transient"
	if e.permanent {
		class = "permanent"
	}
	msg := fmt.Sprintf("deliver to %s: %s failure after %d attempt(s)", e.Host, class, e.Attempts)
	if e.StatusCode != 0 {
		msg += fmt.Sprintf(": status %d", e.StatusCode)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is matches ErrPermanent or ErrTransient by the failure's class.
func (e *DeliveryError) Is(target error) bool {
	switch target {
	case ErrPermanent:
		return e.permanent
	case ErrTransient:
		return !e.permanent
	}
	return false
}

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Permanent reports whether retrying the same message cannot help.
func (e *DeliveryError) Permanent() bool { return e.permanent }
