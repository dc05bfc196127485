package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// stepLog records what the step did and why. Detail holds ids only.
func (c *call) stepLog(ctx context.Context, outcome store.StepOutcome, reason string, detail map[string]string) error {
	step := c.req.Step
	if step == "" {
		step = endStep
	}
	_, err := c.h.cfg.Store.AppendStepLog(ctx, c.req.BU, store.StepLog{
		Contact: c.req.Contact, Journey: c.req.Journey, Version: c.req.Version, Execution: c.req.Execution,
		Step: step, At: c.now, Outcome: outcome, Reason: reason, Detail: detail,
	})
	if err != nil {
		return c.transient("write step log", err)
	}
	return nil
}

// endStep names the journey's shared ends in step logs and funnel counters
// (finish with no step id).
const endStep = "_end"

// count adds one to the funnel counter of the step and outcome.
func (c *call) count(ctx context.Context, outcome string) error {
	step := c.req.Step
	if step == "" {
		step = endStep
	}
	if err := c.h.cfg.Store.IncrementFunnel(ctx, c.req.BU, c.req.Journey, c.req.Version, step, outcome, 1); err != nil {
		return c.transient("count funnel", err)
	}
	return nil
}

// recordGoal appends the goal-reached interaction of an execution, once
// whichever task (a guard or finish) sees the goal first.
func (h *Handlers) recordGoal(ctx context.Context, req wire.StepRequest, goal string, now time.Time) error {
	st := h.cfg.Store
	sum := sha256.Sum256([]byte("goal\x00" + req.Execution))
	key := "goal-" + hex.EncodeToString(sum[:])
	rec, err := st.BeginIdempotency(ctx, req.BU, key, h.cfg.Lease)
	if err != nil {
		return err
	}
	if rec.State != store.IdempotencyNew {
		return nil // recorded, or being recorded
	}
	_, err = st.AppendInteraction(ctx, req.BU, store.Interaction{
		Contact: req.Contact, Kind: store.InteractionGoalReached, At: now,
		Journey: req.Journey, Version: req.Version, Step: req.Step, Detail: map[string]string{"goal": goal},
	})
	if err != nil {
		_ = st.ReleaseIdempotency(ctx, req.BU, key, rec.Token)
		return err
	}
	if err := st.CompleteIdempotency(ctx, req.BU, key, rec.Token, []byte(goal), 400*24*time.Hour); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return nil
}
