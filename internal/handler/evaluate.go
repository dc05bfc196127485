package handler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/segment"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// Evaluate serves the evaluate function: OpCondition (an if step's result
// or a switch step's case), OpAttrs (the declared non-personal attributes
// native Choice rules read), OpWaitUntil (the next time of day in the
// contact's time zone) and OpWaitTimeout (what is left of a timed-out
// wait once paused time is left out; deferred while the journey is
// paused).
func (h *Handlers) Evaluate(ctx context.Context, req wire.StepRequest) (res wire.StepResult, err error) {
	c, err := h.begin(ctx, req, wire.OpCondition, wire.OpAttrs, wire.OpWaitUntil, wire.OpWaitTimeout)
	defer func() { c.finishLog(ctx, res, err) }()
	if err != nil {
		return res, err
	}
	if req.Op == wire.OpWaitTimeout { // the next step's task runs the guard
		return c.waitTimeout(ctx)
	}
	if err = c.guard(ctx); err != nil {
		return res, err
	}
	switch req.Op {
	case wire.OpCondition:
		res, err = c.condition(ctx)
	case wire.OpAttrs:
		res.Attrs, err = c.attrs(ctx)
	case wire.OpWaitUntil:
		res, err = c.waitUntil(ctx)
	}
	return res, err
}

func (c *call) condition(ctx context.Context) (wire.StepResult, error) {
	_, err := c.loadContact(ctx)
	if err != nil {
		return wire.StepResult{}, c.transient("load contact", err)
	}
	attrs := c.attributes()
	switch s := c.step; {
	case s != nil && s.If != nil:
		ok, err := c.criterion(ctx, attrs, s.If.Condition, s.If.Segment)
		if err != nil {
			return wire.StepResult{}, err
		}
		return wire.StepResult{Result: &ok}, nil
	case s != nil && s.Switch != nil:
		v, has := attrs[s.Switch.Attribute]
		if has {
			id := journey.CaseID(v)
			for _, k := range s.Switch.Cases {
				if journey.CaseID(k.Equals) == id {
					return wire.StepResult{Case: id}, nil
				}
			}
		}
		return wire.StepResult{Case: "default"}, nil
	}
	return wire.StepResult{}, wire.Errorf(wire.ErrInvalidPayload, "step %q is not an if or switch step", c.req.Step)
}

// eval runs one compiled condition of the version.
func (c *call) eval(ctx context.Context, attrs map[string]any, e *journey.Expr) (bool, error) {
	cond := c.version.Checked.Conditions[e]
	if cond == nil {
		return false, fmt.Errorf("journey %s v%d: condition %q was not compiled", c.req.Journey, c.req.Version, e.Src)
	}
	events, err := c.events(ctx, cond.ReadsInteractions())
	if err != nil {
		return false, err
	}
	event, err := c.event(ctx)
	if err != nil {
		return false, err
	}
	ok, err := cond.Eval(attrs, events, event, c.now)
	if err != nil && errors.Is(err, segment.ErrEval) {
		// A stored value of the wrong type: the condition is false for
		// this contact rather than a failed journey.
		c.log.WarnContext(ctx, "condition could not be evaluated", "error", err.Error())
		return false, nil
	}
	return ok, err
}

// attrs returns every attribute the request names, typed by the contact
// schema, with the zero value of its type when the contact lacks it.
func (c *call) attrs(ctx context.Context) (map[string]any, error) {
	if len(c.req.Attrs) == 0 {
		return nil, nil
	}
	_, err := c.loadContact(ctx)
	if err != nil {
		return nil, c.transient("load contact", err)
	}
	have := c.attributes()
	schema := c.version.Checked.Schema
	out := make(map[string]any, len(c.req.Attrs))
	for _, name := range c.req.Attrs {
		typ := ""
		if a := schema.Attributes[name]; a != nil {
			if a.Personal {
				return nil, wire.Errorf(wire.ErrInvalidPayload, "attribute %s is personal and never enters the execution", name)
			}
			typ = a.Type
		}
		out[name] = typed(have[name], typ)
	}
	return out, nil
}

// typed gives a value the JSON type Choice rules compare with, or the
// zero value of the schema type.
func typed(v any, typ string) any {
	switch typ {
	case "int", "double":
		if f, ok := v.(float64); ok {
			return f
		}
		return 0
	case "bool":
		if b, ok := v.(bool); ok {
			return b
		}
		return false
	case "timestamp":
		if t, ok := v.(time.Time); ok {
			return t.UTC().Format(time.RFC3339)
		}
		return ""
	case "list":
		if l, ok := v.([]string); ok {
			return l
		}
		return []string{}
	}
	if s, ok := v.(string); ok {
		return segment.CutNativeString(s)
	}
	return ""
}

func (c *call) waitUntil(ctx context.Context) (wire.StepResult, error) {
	if c.step == nil || c.step.Wait == nil || !c.step.Wait.TimeOfDay.IsSet() {
		return wire.StepResult{}, wire.Errorf(wire.ErrInvalidPayload, "step %q is not a wait until a time of day", c.req.Step)
	}
	ct, err := c.loadContact(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return wire.StepResult{}, c.transient("load contact", err)
	}
	w := c.step.Wait
	until := NextTimeOfDay(c.now, c.location(ct), w.TimeOfDay, w.Weekdays)
	return wire.StepResult{Until: until.UTC().Format(time.RFC3339)}, nil
}
