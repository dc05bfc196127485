package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Awaited says, per event name a wait-for-event step waits for, which
// occurrence counts: an email event of one send step of the same
// execution, or a form submission of one form. It is kept, as JSON, in the
// callback's Correlation, so whoever resumes the wait needs no journey
// definition.
type Awaited map[string]AwaitedEvent

// AwaitedEvent narrows one awaited event.
type AwaitedEvent struct {
	Send string `json:"send,omitempty"` // email.opened/clicked: the send step
	Form string `json:"form,omitempty"` // form.submitted: the form (any when empty)
}

// ParseAwaited reads a callback's Correlation (an empty one awaits every
// event the callback names, unnarrowed).
func ParseAwaited(correlation string) Awaited {
	a := Awaited{}
	if correlation != "" {
		_ = json.Unmarshal([]byte(correlation), &a)
	}
	return a
}

// Matches reports whether an event resumes the callback: it names the
// event, and for email events the message came from the awaited send step
// of the callback's own execution (msg nil matches no narrowed email
// event); for forms, the form is the awaited one.
func Matches(cb store.Callback, event string, msg *channel.MessageRef, form string) bool {
	named := false
	for _, e := range cb.Events {
		named = named || e == event
	}
	if !named {
		return false
	}
	want := ParseAwaited(cb.Correlation)[event]
	if want.Send != "" {
		return msg != nil && !msg.Test && msg.Step == want.Send && msg.Exec == channel.ExecTag(cb.Execution, want.Send)
	}
	return want.Form == "" || want.Form == form
}

// callbackID derives the opaque, single-use id of a task token's callback:
// unguessable without the token, and the same when wait-register runs
// twice for one token.
func callbackID(token string) string {
	sum := sha256.Sum256([]byte("callback\x00" + token))
	return "cb-" + hex.EncodeToString(sum[:20])
}

// RaceWindow bounds how far back wait-register looks for an awaited event
// that is not tied to a message (a custom event, a form) when the step's
// start is not known more closely.
const RaceWindow = 15 * time.Minute

// WaitRegister serves wait-register: it stores the task token under an
// opaque single-use callback id with the awaited events, expiring with the
// step's timeout. Because the index the event side searches is eventually
// consistent, and an event may come between reaching the step and
// registering, it also looks at the contact's interactions: if an awaited
// event already happened, it resumes the wait at once.
func (h *Handlers) WaitRegister(ctx context.Context, req wire.StepRequest) (res wire.StepResult, err error) {
	c, err := h.begin(ctx, req, wire.OpWaitEvent)
	defer func() { c.finishLog(ctx, res, err) }()
	if err != nil {
		return res, err
	}
	if c.step == nil || c.step.WaitFor == nil || req.Token == "" {
		return res, wire.Errorf(wire.ErrInvalidPayload, "step %q is not a wait-for-event step with a task token", req.Step)
	}
	if h.cfg.Tasks == nil {
		return res, errors.New("wait-register: no task answerer configured")
	}
	if err = c.guard(ctx); err != nil {
		return res, err
	}
	w := c.step.WaitFor
	cb := store.Callback{
		ID: callbackID(req.Token), Kind: store.CallbackEvent, Token: req.Token, Execution: req.Execution,
		Contact: req.Contact, Journey: req.Journey, Step: req.Step, Correlation: awaitedOf(w).text(),
		ExpiresAt: c.now.Add(w.Timeout.D + time.Minute),
	}
	for _, e := range w.Events {
		cb.Events = append(cb.Events, e.Event)
	}
	if _, err = h.cfg.Store.CreateCallback(ctx, req.BU, cb); err != nil && !errors.Is(err, store.ErrExists) {
		return res, c.transient("create callback", err)
	}
	since, err := c.stepStart(ctx)
	if err != nil {
		return res, err
	}
	event, err := c.happened(ctx, cb, since)
	if err != nil {
		return res, err
	}
	if event != "" {
		if _, err := h.resume(ctx, req.BU, cb.ID, event); err != nil {
			return res, c.transient("resume at once", err)
		}
		err = c.stepLog(ctx, store.StepResumed, "event "+event+" had already happened", map[string]string{"event": event})
		return wire.StepResult{Status: "resumed"}, err
	}
	err = c.stepLog(ctx, store.StepWaited, "waiting for "+strings.Join(cb.Events, " or "), nil)
	return wire.StepResult{Status: "waiting"}, err
}

func awaitedOf(w *journey.WaitFor) Awaited {
	a := Awaited{}
	for _, e := range w.Events {
		a[e.Event] = AwaitedEvent{Send: e.Send, Form: e.Form}
	}
	return a
}

func (a Awaited) text() string {
	b, _ := json.Marshal(a)
	return string(b)
}

// stepStart estimates when the execution reached this step: its last step
// log entry, but no earlier than RaceWindow ago.
func (c *call) stepStart(ctx context.Context) (time.Time, error) {
	since := c.now.Add(-RaceWindow)
	logs, err := c.h.cfg.Store.ListStepLogs(ctx, c.req.BU, c.req.Contact, c.req.Execution)
	if err != nil {
		return since, c.transient("load step logs", err)
	}
	if n := len(logs); n > 0 && logs[n-1].At.After(since) {
		since = logs[n-1].At
	}
	return since, nil
}

// happened returns the first awaited event found among the contact's
// interactions: email events of the awaited send (whenever they came),
// other events since the step started.
func (c *call) happened(ctx context.Context, cb store.Callback, since time.Time) (string, error) {
	in, err := c.loadInteractions(ctx)
	if err != nil {
		return "", err
	}
	for _, i := range in {
		event := profile.InteractionType(i)
		var msg *channel.MessageRef
		if i.Message != "" {
			if r, err := channel.ParseMessageRef(i.Message); err == nil {
				msg = &r
			}
		}
		if !Matches(cb, event, msg, i.Detail["form"]) {
			continue
		}
		narrowed := ParseAwaited(cb.Correlation)[event].Send != ""
		if narrowed || !i.At.Before(since) {
			return event, nil
		}
	}
	return "", nil
}

// resume claims a callback and answers its task with the event. It
// reports false when the callback was claimed before or has expired.
func (h *Handlers) resume(ctx context.Context, bu, id, event string) (bool, error) {
	return Resume(ctx, h.cfg.Store, h.cfg.Tasks, bu, id, event)
}

// Claimer is what Resume needs of the store.
type Claimer interface {
	ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error)
}

// Resume claims the callback id and answers its task with
// wire.EventOutput{Event: event}. It reports false, without error, when
// someone else claimed it first, it expired, or the execution no longer
// waits (the task token is gone). The tracking endpoint and the event
// intake call it too.
func Resume(ctx context.Context, st Claimer, tasks TaskAnswerer, bu, id, event string) (bool, error) {
	cb, err := st.ClaimCallback(ctx, bu, id)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrExpired) || errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim callback %s: %w", id, err)
	}
	out, _ := json.Marshal(wire.EventOutput{Event: event})
	// The claim is single use: a token that fails to go out now is lost,
	// so a throttled or failing call is tried again a few times.
	for attempt := 1; ; attempt++ {
		err = tasks.SendTaskSuccess(ctx, cb.Token, string(out))
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, workflow.ErrTaskGone):
			return false, nil
		case attempt == resumeAttempts:
			return false, fmt.Errorf("resume callback %s: %w", id, err)
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("resume callback %s: %w", id, errors.Join(err, ctx.Err()))
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
}

const resumeAttempts = 4

// WaitStore is what ResumeWaits needs of the store.
type WaitStore interface {
	Claimer
	WaitingCallbacks(ctx context.Context, bu, contact, event string) ([]store.Callback, error)
}

// ResumeWaits resumes every callback of the contact that waits for event
// and Matches it (msg: the message an email event came from; form: the
// form submitted). It returns how many it resumed; a callback claimed by
// someone else first is not counted, so duplicate events resume a wait
// once.
func ResumeWaits(ctx context.Context, st WaitStore, tasks TaskAnswerer, bu, contact, event string, msg *channel.MessageRef, form string) (int, error) {
	cbs, err := st.WaitingCallbacks(ctx, bu, contact, event)
	if err != nil {
		return 0, fmt.Errorf("waiting callbacks of %s: %w", contact, err)
	}
	n := 0
	var errs []error
	for _, cb := range cbs {
		if !Matches(cb, event, msg, form) {
			continue
		}
		ok, err := Resume(ctx, st, tasks, bu, cb.ID, event)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			n++
		}
	}
	return n, errors.Join(errs...)
}
