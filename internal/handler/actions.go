package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
	"github.com/journeys-oss/journeys/internal/wire"
)

// SalesTask serves sales-task: a task for the contact's sales owner, due
// after the step's due period, created once per execution and step. A
// contact without an owner is skipped (step log: no sales owner).
func (h *Handlers) SalesTask(ctx context.Context, req wire.StepRequest) (res wire.StepResult, err error) {
	c, err := h.begin(ctx, req, wire.OpSalesTask)
	defer func() { c.finishLog(ctx, res, err) }()
	if err != nil {
		return res, err
	}
	if c.step == nil || c.step.SalesTask == nil {
		return res, wire.Errorf(wire.ErrInvalidPayload, "step %q is not a sales task step", req.Step)
	}
	if err = c.guard(ctx); err != nil {
		return res, err
	}
	st := c.step.SalesTask
	ct := c.contact
	if ct.Owner == "" {
		res.Status = string(store.StepSkipped)
		if err = c.stepLog(ctx, store.StepSkipped, "no sales owner", nil); err == nil {
			err = c.count(ctx, string(store.StepSkipped))
		}
	} else {
		due := c.now.Add(st.Due.D)
		if !st.Due.IsSet() {
			due = c.now.Add(24 * time.Hour)
		}
		task, created, cerr := h.cfg.Store.CreateSalesTask(ctx, req.BU, store.SalesTask{
			ID: workKey("task", req.Execution, req.Step), Contact: req.Contact, Owner: ct.Owner,
			Journey: req.Journey, Step: req.Step, Title: st.Title, Due: due,
		})
		if cerr != nil {
			return res, c.transient("create sales task", cerr)
		}
		res.Status = string(store.StepCreated)
		if created {
			if err = c.stepLog(ctx, store.StepCreated, "task for owner "+ct.Owner, map[string]string{"task": task.ID, "priority": st.Priority}); err == nil {
				err = c.count(ctx, string(store.StepCreated))
			}
		}
	}
	if err == nil {
		res.Attrs, err = c.attrs(ctx)
	}
	return res, err
}

// Update serves update-contact: it sets the step's attributes on the
// contact, typed by the contact schema, in one conditional write.
func (h *Handlers) Update(ctx context.Context, req wire.StepRequest) (res wire.StepResult, err error) {
	c, err := h.begin(ctx, req, wire.OpUpdate)
	defer func() { c.finishLog(ctx, res, err) }()
	if err != nil {
		return res, err
	}
	if c.step == nil || c.step.Update == nil {
		return res, wire.Errorf(wire.ErrInvalidPayload, "step %q is not an update step", req.Step)
	}
	if err = c.guard(ctx); err != nil {
		return res, err
	}
	patch, names, err := c.patch()
	if err != nil {
		return res, err
	}
	patch.ID, patch.ExpectRevision = req.Contact, c.contact.Revision
	updated, err := h.cfg.Store.UpsertContact(ctx, req.BU, patch)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return res, wire.Errorf(wire.ErrExited, "contact erased")
	case errors.Is(err, store.ErrSuppressed), errors.Is(err, store.ErrEmailTaken):
		return res, fmt.Errorf("update contact: %w", err)
	case err != nil:
		return res, c.transient("update contact", err)
	}
	c.contact, c.attrMap = &updated, nil
	if err = c.stepLog(ctx, store.StepUpdated, "set "+strings.Join(names, ", "), nil); err == nil {
		err = c.count(ctx, string(store.StepUpdated))
	}
	res.Status = string(store.StepUpdated)
	if err == nil {
		res.Attrs, err = c.attrs(ctx)
	}
	return res, err
}

// patch turns the step's set: fields into a contact patch.
func (c *call) patch() (store.ContactPatch, []string, error) {
	var p store.ContactPatch
	var names []string
	schema := c.version.Checked.Schema
	for _, f := range c.step.Update.Set {
		names = append(names, f.Key)
		if store.IsContactField(f.Key) {
			s := ""
			if f.Value != nil {
				s = fmt.Sprint(f.Value)
			}
			p.SetField(f.Key, s)
			continue
		}
		if f.Value == nil {
			p.RemoveAttributes = append(p.RemoveAttributes, f.Key)
			continue
		}
		typ := ""
		if a := schema.Attributes[f.Key]; a != nil {
			typ = a.Type
		}
		v, err := storeValue(f.Value, typ)
		if err != nil {
			return p, nil, wire.Errorf(wire.ErrInvalidPayload, "update %s: %v", f.Key, err)
		}
		if p.Attributes == nil {
			p.Attributes = map[string]store.Value{}
		}
		p.Attributes[f.Key] = v
	}
	return p, names, nil
}

func storeValue(v any, typ string) (store.Value, error) {
	switch typ {
	case "int", "double":
		switch n := v.(type) {
		case int:
			return store.NumberValue(float64(n)), nil
		case int64:
			return store.NumberValue(float64(n)), nil
		case float64:
			return store.NumberValue(n), nil
		}
	case "bool":
		if b, ok := v.(bool); ok {
			return store.BoolValue(b), nil
		}
	case "timestamp":
		switch t := v.(type) {
		case time.Time:
			return store.TimeValue(t), nil
		case string:
			for _, layout := range []string{time.RFC3339, time.DateOnly} {
				if ts, err := time.Parse(layout, t); err == nil {
					return store.TimeValue(ts), nil
				}
			}
		}
	case "list":
		if l, ok := v.([]any); ok {
			out := make([]string, 0, len(l))
			for _, x := range l {
				out = append(out, fmt.Sprint(x))
			}
			return store.ListValue(out...), nil
		}
	default:
		return store.StringValue(fmt.Sprint(v)), nil
	}
	return store.Value{}, fmt.Errorf("value of type %T is not a %s", v, typ)
}

// ActionRequest is the JSON body a webhook step sends to its action.
type ActionRequest struct {
	Type         string         `json:"type"` // "journey.webhook"
	BusinessUnit string         `json:"businessUnit"`
	Journey      string         `json:"journey"`
	Version      int            `json:"version"`
	Step         string         `json:"step"`
	Contact      string         `json:"contact"`
	Attributes   map[string]any `json:"attributes,omitempty"` // the contact's non-personal attributes
	Data         map[string]any `json:"data,omitempty"`
	At           string         `json:"at"`
}

// Webhook serves webhook-action: it calls the step's action once per
// execution and step (the Idempotency-Key and webhook-id are stable across
// retries). A 4xx answer raises Journey.DeliveryFailed (the step's failure
// path); 429, 5xx and timeouts Journey.Transient.
func (h *Handlers) Webhook(ctx context.Context, req wire.StepRequest) (res wire.StepResult, err error) {
	c, err := h.begin(ctx, req, wire.OpWebhook)
	defer func() { c.finishLog(ctx, res, err) }()
	if err != nil {
		return res, err
	}
	if c.step == nil || c.step.Webhook == nil {
		return res, wire.Errorf(wire.ErrInvalidPayload, "step %q is not a webhook step", req.Step)
	}
	if h.cfg.Actions == nil {
		return res, errors.New("webhook-action: no actions configured")
	}
	key := workKey("webhook", req.Execution, req.Step)
	stored, _, err := c.once(ctx, key, func(ctx context.Context) ([]byte, bool, error) {
		if err := c.guard(ctx); err != nil {
			return nil, false, err
		}
		return c.callAction(ctx, key)
	})
	if err != nil {
		return res, err
	}
	var out stepOutcome
	if err := json.Unmarshal(stored, &out); err != nil {
		return res, fmt.Errorf("stored webhook result: %w", err)
	}
	return c.result(ctx, res, out)
}

// result answers a send or webhook step from its outcome: a permanent
// failure as Journey.DeliveryFailed, else its status, with the contact's
// attributes when the machine asked for them.
func (c *call) result(ctx context.Context, res wire.StepResult, out stepOutcome) (wire.StepResult, error) {
	if out.Failed != "" {
		return res, wire.Errorf(wire.ErrDeliveryFailed, "%s", out.Failed)
	}
	res.Status = out.Status
	if c.req.Attrs == nil {
		return res, nil
	}
	if _, err := c.loadContact(ctx); err != nil {
		return res, c.transient("load contact", err)
	}
	var err error
	res.Attrs, err = c.attrs(ctx)
	return res, err
}

// stepOutcome is what once stores for a send or webhook step.
type stepOutcome struct {
	Status   string `json:"status"`
	Failed   string `json:"failed,omitempty"` // a permanent failure
	Message  string `json:"message,omitempty"`
	Provider string `json:"provider,omitempty"`
}

func (c *call) callAction(ctx context.Context, key string) ([]byte, bool, error) {
	act := c.step.Webhook
	target, err := c.h.cfg.Actions.Action(ctx, c.req.BU, act.Action)
	if err != nil {
		return nil, false, fmt.Errorf("webhook step %s: %w", c.req.Step, err)
	}
	attrs := map[string]any{}
	for name, v := range c.attributes() {
		if a := c.version.Checked.Schema.Attributes[name]; a != nil && !a.Personal {
			attrs[name] = v
		}
	}
	body, err := json.Marshal(ActionRequest{Type: "journey.webhook", BusinessUnit: c.req.BU, Journey: c.req.Journey,
		Version: c.req.Version, Step: c.req.Step, Contact: c.req.Contact, Attributes: attrs, Data: act.Data.Map(),
		At: c.now.UTC().Format(time.RFC3339)})
	if err != nil {
		return nil, false, fmt.Errorf("webhook step %s: %w", c.req.Step, err)
	}
	_, err = target.Sender.Send(ctx, webhook.Message{URL: target.URL, Method: target.Method, ID: key, Body: body})
	if err != nil {
		if !errors.Is(err, webhook.ErrPermanent) {
			return nil, false, &wire.Error{Name: wire.ErrTransient, Message: "webhook " + act.Action + ": " + err.Error()}
		}
		out, _ := json.Marshal(stepOutcome{Status: string(store.StepFailed), Failed: "webhook " + act.Action + ": " + err.Error()})
		if lerr := c.stepLog(ctx, store.StepFailed, "webhook "+act.Action+" refused the call", nil); lerr != nil {
			return nil, false, lerr
		}
		return out, true, c.count(ctx, string(store.StepFailed))
	}
	if err := c.stepLog(ctx, store.StepCalled, "webhook "+act.Action, nil); err != nil {
		return nil, false, err
	}
	if err := c.count(ctx, string(store.StepCalled)); err != nil {
		return nil, false, err
	}
	out, err := json.Marshal(stepOutcome{Status: string(store.StepCalled)})
	return out, err == nil, err
}
