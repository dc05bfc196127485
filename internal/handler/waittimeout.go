package handler

import (
	"context"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// waitTimeout serves OpWaitTimeout, after a wait-for-event or approval
// step's task timed out. While the journey is paused it defers, holding
// the contact (rechecked every PauseRecheck). Otherwise the step's window
// counts only the time the journey ran: Remaining is the step's timeout
// less the time since the contact reached the step, paused time left
// out, in whole seconds; 0 when nothing is left. It runs none of the
// guard's other checks (exit, goal, end date): the step the contact goes
// on to does, as it did before waits were extended.
func (c *call) waitTimeout(ctx context.Context) (wire.StepResult, error) {
	var timeout time.Duration
	switch s := c.step; {
	case s != nil && s.WaitFor != nil:
		timeout = s.WaitFor.Timeout.D
	case s != nil && s.Approval != nil:
		timeout = s.Approval.Timeout.D
	default:
		return wire.StepResult{}, wire.Errorf(wire.ErrInvalidPayload, "step %q is not a wait-for-event or approval step", c.req.Step)
	}
	since, err := time.Parse(time.RFC3339Nano, c.req.Since)
	if err != nil {
		return wire.StepResult{}, wire.Errorf(wire.ErrInvalidPayload, "since %q is not an RFC 3339 time", c.req.Since)
	}
	j, err := c.journeyRecord(ctx)
	if err != nil {
		return wire.StepResult{}, err
	}
	if j.Status == store.JourneyPaused {
		return wire.StepResult{}, wire.Deferred(c.now.Add(c.h.cfg.PauseRecheck))
	}
	paused := j.PausedWithin(since, c.now)
	left := RemainingWait(timeout, since, c.now, paused)
	secs := int64(left / time.Second)
	if secs > 0 {
		reason := fmt.Sprintf("the journey was paused for %s of the wait: %s of it left", paused.Round(time.Second), left.Round(time.Second))
		if err := c.stepLog(ctx, store.StepWaited, reason, map[string]string{"paused": paused.String()}); err != nil {
			return wire.StepResult{}, err
		}
	}
	return wire.StepResult{Remaining: &secs}, nil
}

// RemainingWait is what is left of a wait of timeout that began at since,
// at now, when the journey was paused for paused of that time: never
// negative.
func RemainingWait(timeout time.Duration, since, now time.Time, paused time.Duration) time.Duration {
	left := timeout - (now.Sub(since) - paused)
	return max(left, 0)
}
