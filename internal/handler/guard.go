package handler

import (
	"context"
	"errors"
	"fmt"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/segment"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// guard runs the journey-wide checks every task but finish folds in: a
// stopped journey, an erased contact, the end date or an exit criterion
// raise Journey.Exited; the goal, met within its period, Journey.GoalReached
// (recorded once); a paused journey Journey.Deferred until the re-check.
func (c *call) guard(ctx context.Context) error {
	j, err := c.journeyRecord(ctx)
	if err != nil {
		return err
	}
	if j.Status == store.JourneyStopped {
		return wire.Errorf(wire.ErrExited, "journey stopped")
	}
	e, err := c.loadEnrolment(ctx)
	if err != nil {
		return err
	}
	var en store.Enrolment
	hasEnrolment := e != nil
	if hasEnrolment {
		en = *e
	}
	if hasEnrolment && en.Status != store.EnrolmentActive {
		return wire.Errorf(wire.ErrExited, "enrolment already %s", en.Status)
	}
	_, err = c.loadContact(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return wire.Errorf(wire.ErrExited, "contact erased")
	}
	if err != nil {
		return c.transient("load contact", err)
	}
	jn := c.version.Journey()
	if p := jn.Policies; p != nil && !p.End.T.IsZero() && !c.now.Before(p.End.T) {
		return wire.Errorf(wire.ErrExited, "journey ended on %s", p.End.Text)
	}
	attrs := c.attributes()
	for _, x := range jn.Exit {
		hit, err := c.criterion(ctx, attrs, x.Condition, x.Segment)
		if err != nil {
			return err
		}
		if hit {
			return wire.Errorf(wire.ErrExited, "exit criterion %s", x.Name)
		}
	}
	if g := jn.Goal; g != nil {
		within := !hasEnrolment || !g.Within.IsSet() || c.now.Before(en.EnteredAt.Add(g.Within.D))
		if within {
			hit, err := c.criterion(ctx, attrs, g.Condition, "")
			if err != nil {
				return err
			}
			if hit {
				if err := c.h.recordGoal(ctx, c.req, g.Name, c.now); err != nil {
					return c.transient("record goal", err)
				}
				return wire.Errorf(wire.ErrGoalReached, "goal %s", g.Name)
			}
		}
	}
	if hasEnrolment {
		c.notePosition(ctx, en)
	}
	if j.Status == store.JourneyPaused {
		return wire.Deferred(c.now.Add(c.h.cfg.PauseRecheck))
	}
	return nil
}

// notePosition records where the contact is: the enrolment's Step becomes
// this call's step, and the store sets StepSince, when the step changes.
// A deferral or retry of the same step writes nothing, so a contact costs
// one enrolment update per task step it reaches. The position is
// informational: a failed write is logged and the step goes on.
func (c *call) notePosition(ctx context.Context, en store.Enrolment) {
	step := c.req.Step
	if step == "" || en.Step == step {
		return
	}
	_, err := c.h.cfg.Store.UpdateEnrolment(ctx, c.req.BU, c.req.Journey, c.req.Contact, c.req.Entry, store.EnrolmentUpdate{Step: &step})
	if err != nil {
		c.log.WarnContext(ctx, "position not recorded", "error", err.Error())
	}
}

// criterion evaluates a condition or segment membership for the contact.
// The interactions are read only for one that looks at them.
func (c *call) criterion(ctx context.Context, attrs map[string]any, cond *journey.Expr, segmentName string) (bool, error) {
	if segmentName != "" {
		seg, err := c.version.Library.Segment(c.req.BU, segmentName)
		if err != nil {
			return false, fmt.Errorf("segment %s: %w", segmentName, err)
		}
		events, err := c.events(ctx, seg.ReadsInteractions())
		if err != nil {
			return false, err
		}
		return seg.Contains(c.req.Contact, attrs, events, c.now)
	}
	if !cond.IsSet() {
		return false, nil
	}
	return c.eval(ctx, attrs, cond)
}

// events returns the contact's interactions as conditions read them,
// converted once per call; nothing when need is false.
func (c *call) events(ctx context.Context, need bool) ([]segment.Interaction, error) {
	if !need {
		return nil, nil
	}
	if c.segEvents == nil {
		in, err := c.loadInteractions(ctx)
		if err != nil {
			return nil, err
		}
		c.segEvents = profile.Interactions(in)
	}
	return c.segEvents, nil
}
