package handler

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

var outcomeStatus = map[string]store.EnrolmentStatus{
	wire.OutcomeCompleted: store.EnrolmentCompleted,
	wire.OutcomeExited:    store.EnrolmentExited,
	wire.OutcomeGoal:      store.EnrolmentGoal,
	wire.OutcomeFailed:    store.EnrolmentFailed,
}

// Finish records how the contact left the journey: the enrolment's status,
// end time and reason, the funnel counter of the end, a step log entry and,
// for the goal, the goal interaction. It runs once per execution; repeats
// return the first answer. It runs no journey-wide checks.
func (h *Handlers) Finish(ctx context.Context, req wire.StepRequest) (res wire.StepResult, err error) {
	c, err := h.begin(ctx, req, wire.OpFinish)
	defer func() { c.finishLog(ctx, res, err) }()
	if err != nil {
		return res, err
	}
	status, ok := outcomeStatus[req.Outcome]
	if !ok {
		return res, wire.Errorf(wire.ErrInvalidPayload, "finish outcome %q", req.Outcome)
	}
	stored, _, err := c.once(ctx, workKey("finish", req.Execution, ""), func(ctx context.Context) ([]byte, bool, error) {
		if err := c.finish(ctx, status); err != nil {
			return nil, false, err
		}
		out, err := json.Marshal(wire.StepResult{Status: req.Outcome})
		return out, err == nil, err
	})
	if err != nil {
		return res, err
	}
	err = json.Unmarshal(stored, &res)
	return res, err
}

func (c *call) finish(ctx context.Context, status store.EnrolmentStatus) error {
	req := c.req
	reason := finishReason(req)
	u := store.EnrolmentUpdate{Status: &status, Reason: &reason, Execution: &req.Execution}
	if req.Step != "" { // the end step the contact left by, in the same write
		u.Step = &req.Step
	}
	_, err := c.h.cfg.Store.UpdateEnrolment(ctx, req.BU, req.Journey, req.Contact, req.Entry, u)
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.log.WarnContext(ctx, "finish: no enrolment to update")
	case errors.Is(err, store.ErrConflict):
		// Ended otherwise already (stopped by an operator, erased): that
		// end stands.
		c.log.InfoContext(ctx, "finish: enrolment had ended already")
	case err != nil:
		return c.transient("update enrolment", err)
	}
	if req.Outcome == wire.OutcomeGoal {
		goal := ""
		if g := c.version.Journey().Goal; g != nil {
			goal = g.Name
		}
		if err := c.h.recordGoal(ctx, req, goal, c.now); err != nil {
			return c.transient("record goal", err)
		}
	}
	outcome := req.Outcome
	if req.Variant == "holdout" {
		outcome = "holdout"
	}
	if err := c.count(ctx, outcome); err != nil {
		return err
	}
	return c.stepLog(ctx, store.StepFinished, reason, map[string]string{"outcome": outcome})
}

// finishReason says why the journey ended, from the caught error: the
// named error's message (exit criterion unsubscribed), or the error name
// and a bounded cause for a failure.
func finishReason(req wire.StepRequest) string {
	switch {
	case req.Variant == "holdout":
		return "holdout of split " + req.Step
	case req.Error == "" && req.Cause == "":
		return req.Outcome
	}
	msg := req.Cause
	if doc, err := wire.ParseCause(req.Cause); err == nil && doc.ErrorMessage != "" {
		msg = doc.ErrorMessage
	}
	if strings.HasPrefix(req.Error, "Journey.") && req.Outcome != wire.OutcomeFailed {
		return bounded(msg, 200)
	}
	return bounded(req.Error+": "+msg, 500)
}

// bounded cuts s to at most n bytes, on a rune boundary.
func bounded(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
