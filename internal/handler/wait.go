package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Awaited lists, in the step's order, the event branches a wait-for-event
// step waits for, each narrowed to the occurrence that counts: an email
// event of one send step of the same execution, or a form submission of
// one form. One event may appear in several branches (email.clicked of
// send-a and of send-b). It is kept, as JSON, in the callback's
// Correlation, so whoever resumes the wait needs no journey definition.
type Awaited []AwaitedEvent

// AwaitedEvent is one awaited branch: the event and what narrows it.
type AwaitedEvent struct {
	Event string `json:"event"`
	Send  string `json:"send,omitempty"` // email.opened/clicked: the send step
	Form  string `json:"form,omitempty"` // form.submitted: the form (any when empty)
}

// ParseAwaited reads a callback's Correlation (an empty one awaits every
// event the callback names, unnarrowed). It also reads the form callbacks
// were stored in before one event could have several branches: an object
// keyed by event name.
func ParseAwaited(correlation string) Awaited {
	var a Awaited
	if correlation == "" || json.Unmarshal([]byte(correlation), &a) == nil {
		return a
	}
	byName := map[string]AwaitedEvent{}
	if json.Unmarshal([]byte(correlation), &byName) != nil {
		return nil
	}
	names := make([]string, 0, len(byName))
	for name := range byName {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		e := byName[name]
		e.Event = name
		a = append(a, e)
	}
	return a
}

// Matches reports whether an event resumes the callback (see Match).
func Matches(cb store.Callback, event string, msg *channel.MessageRef, form string) bool {
	_, ok := Match(cb, event, msg, form)
	return ok
}

// Match returns the first of the callback's awaited branches that the
// event answers: it names the event, and for email events the message came
// from the branch's send step of the callback's own execution (msg nil
// matches no narrowed email event); for forms, the form is the branch's
// (or the branch names none). An event the callback names without any
// branch (an empty Correlation) matches unnarrowed.
func Match(cb store.Callback, event string, msg *channel.MessageRef, form string) (AwaitedEvent, bool) {
	if !slices.Contains(cb.Events, event) {
		return AwaitedEvent{}, false
	}
	branches := 0
	for _, want := range ParseAwaited(cb.Correlation) {
		if want.Event != event {
			continue
		}
		branches++
		if want.Send != "" {
			if msg != nil && !msg.Test && msg.Step == want.Send && msg.Exec == channel.ExecTag(cb.Execution, want.Send) {
				return want, true
			}
			continue
		}
		if want.Form == "" || want.Form == form {
			return want, true
		}
	}
	return AwaitedEvent{Event: event}, branches == 0
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
	branch, found, err := c.happened(ctx, cb, since)
	if err != nil {
		return res, err
	}
	if found {
		if _, err := Resume(ctx, h.cfg.Store, h.cfg.Tasks, req.BU, cb.ID, branch); err != nil {
			return res, c.transient("resume at once", err)
		}
		err = c.stepLog(ctx, store.StepResumed, "event "+branch.Event+" had already happened", map[string]string{"event": branch.Event})
		return wire.StepResult{Status: "resumed"}, err
	}
	err = c.stepLog(ctx, store.StepWaited, "waiting for "+strings.Join(cb.Events, " or "), nil)
	return wire.StepResult{Status: "waiting"}, err
}

func awaitedOf(w *journey.WaitFor) Awaited {
	a := Awaited{}
	for _, e := range w.Events {
		a = append(a, AwaitedEvent{Event: e.Event, Send: e.Send, Form: e.Form})
	}
	return a
}

func (a Awaited) text() string {
	b, _ := json.Marshal(a)
	return string(b)
}

// stepStart is when the execution reached this step: the payload's Since
// when the machine sends it (machines compiled since pauses hold waits;
// the whole window, a pause included, counts). Older machines do not send
// it: then it is estimated as the last step log entry, but no earlier
// than RaceWindow ago.
func (c *call) stepStart(ctx context.Context) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, c.req.Since); err == nil && !t.After(c.now) {
		return t, nil
	}
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

// happened returns the awaited branch of the first awaited event found
// among the contact's interactions: email events of the awaited send
// (whenever they came), other events since the step started.
func (c *call) happened(ctx context.Context, cb store.Callback, since time.Time) (AwaitedEvent, bool, error) {
	in, err := c.loadInteractions(ctx)
	if err != nil {
		return AwaitedEvent{}, false, err
	}
	for _, i := range in {
		event := profile.InteractionType(i)
		var msg *channel.MessageRef
		if i.Message != "" {
			if r, err := channel.ParseMessageRef(i.Message); err == nil {
				msg = &r
			}
		}
		branch, ok := Match(cb, event, msg, i.Detail["form"])
		if ok && (branch.Send != "" || !i.At.Before(since)) {
			return branch, true, nil
		}
	}
	return AwaitedEvent{}, false, nil
}

// Claimer is what Resume needs of the store: the claim, and the way to
// give it back when the token could not go out.
type Claimer interface {
	ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error)
	ReleaseCallback(ctx context.Context, bu string, claim store.Callback) error
}

// Output is what resumes a wait on this branch: the event, and the send
// step or form that narrows it, so a Choice can tell apart two branches of
// one event.
func (a AwaitedEvent) Output() wire.EventOutput {
	return wire.EventOutput{Event: a.Event, Send: a.Send, Form: a.Form}
}

// A Resumer resumes waits: it claims a callback, answers its task, and
// gives the claim back when the answer cannot be delivered. The zero
// Backoff waits 100ms·attempt between attempts. A Resumer is safe for
// concurrent use when its Store and Tasks are.
type Resumer struct {
	Store WaitStore
	Tasks TaskAnswerer
	// Backoff waits before attempt+1 of SendTaskSuccess, or returns ctx's
	// error when ctx ends first; nil: DefaultResumeBackoff.
	Backoff func(ctx context.Context, attempt int) error
}

// ResumeAttempts is how many times Resume calls SendTaskSuccess before it
// gives the claim back.
const ResumeAttempts = 4

// releaseTimeout bounds giving a claim back, which runs even when the
// caller's context has ended (that may be why the answer failed).
const releaseTimeout = 5 * time.Second

// DefaultResumeBackoff waits 100ms·attempt, or until ctx ends.
func DefaultResumeBackoff(ctx context.Context, attempt int) error {
	t := time.NewTimer(time.Duration(attempt) * 100 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Resume is Resumer{Store: st, Tasks: tasks}.Resume.
func Resume(ctx context.Context, st WaitStore, tasks TaskAnswerer, bu, id string, branch AwaitedEvent) (bool, error) {
	return Resumer{Store: st, Tasks: tasks}.Resume(ctx, bu, id, branch)
}

// Resume claims the callback id and answers its task with the branch's
// Output (Match gives the branch). It reports false, without error, when
// someone else claimed it first, it expired, or the execution no longer
// waits (the task token is gone). A transient failure (throttling, the
// network, ctx ending) is tried ResumeAttempts times; if the answer still
// does not go out, the claim is given back (ReleaseCallback) and the error
// returned, so the callback waits again and the caller's retry of the same
// event resumes it. If giving it back fails too, both errors are returned,
// joined. The tracking endpoint and the event intake call it too.
func (r Resumer) Resume(ctx context.Context, bu, id string, branch AwaitedEvent) (bool, error) {
	o, err := r.Answer(ctx, bu, id, branch)
	return o == Answered, err
}

// An Outcome is what Answer did with a callback.
type Outcome int

// Outcomes of Answer.
const (
	// NotClaimed: someone else claimed it first, it expired or is gone;
	// also reported with an error, the claim given back.
	NotClaimed Outcome = iota
	// Answered: the task got the branch's output.
	Answered
	// TaskGone: claimed, but the execution no longer waits.
	TaskGone
)

// Answer is Resume telling a task that no longer waits (TaskGone) from a
// callback it did not claim (NotClaimed).
func (r Resumer) Answer(ctx context.Context, bu, id string, branch AwaitedEvent) (Outcome, error) {
	cb, err := r.Store.ClaimCallback(ctx, bu, id)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrExpired) || errors.Is(err, store.ErrNotFound) {
		return NotClaimed, nil
	}
	if err != nil {
		return NotClaimed, fmt.Errorf("claim callback %s: %w", id, err)
	}
	out, _ := json.Marshal(branch.Output())
	err = r.send(ctx, cb.Token, string(out))
	switch {
	case err == nil:
		return Answered, nil
	case errors.Is(err, workflow.ErrTaskGone):
		return TaskGone, nil
	}
	err = fmt.Errorf("resume callback %s: %w", id, err)
	if rerr := r.release(ctx, bu, cb); rerr != nil {
		return NotClaimed, errors.Join(err, rerr)
	}
	return NotClaimed, err
}

// send answers the task, trying a failing call again a few times.
func (r Resumer) send(ctx context.Context, token, output string) error {
	backoff := r.Backoff
	if backoff == nil {
		backoff = DefaultResumeBackoff
	}
	for attempt := 1; ; attempt++ {
		err := r.Tasks.SendTaskSuccess(ctx, token, output)
		if err == nil || errors.Is(err, workflow.ErrTaskGone) || attempt == ResumeAttempts {
			return err
		}
		if werr := backoff(ctx, attempt); werr != nil {
			return errors.Join(err, werr)
		}
	}
}

// release gives the claim back under a context of its own: the caller's
// may be the one that ended.
func (r Resumer) release(ctx context.Context, bu string, cb store.Callback) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := r.Store.ReleaseCallback(ctx, bu, cb); err != nil {
		return fmt.Errorf("give back callback %s: %w", cb.ID, err)
	}
	return nil
}

// WaitStore is what a Resumer needs of the store.
type WaitStore interface {
	Claimer
	WaitingCallbacks(ctx context.Context, bu, contact, event string) ([]store.Callback, error)
}

// ResumeWaits is Resumer{Store: st, Tasks: tasks}.ResumeWaits.
func ResumeWaits(ctx context.Context, st WaitStore, tasks TaskAnswerer, bu, contact, event string, msg *channel.MessageRef, form string) (int, error) {
	return Resumer{Store: st, Tasks: tasks}.ResumeWaits(ctx, bu, contact, event, msg, form)
}

// ResumeWaits resumes every callback of the contact that waits for event
// and Matches it (msg: the message an email event came from; form: the
// form submitted), answering with the matched branch. It returns how many
// it resumed; a callback claimed by someone else first is not counted, so
// duplicate events resume a wait once. The waits it could not resume are
// waiting again (see Resume), and the errors are returned joined: the
// caller retries the event to resume them.
func (r Resumer) ResumeWaits(ctx context.Context, bu, contact, event string, msg *channel.MessageRef, form string) (int, error) {
	cbs, err := r.Store.WaitingCallbacks(ctx, bu, contact, event)
	if err != nil {
		return 0, fmt.Errorf("waiting callbacks of %s: %w", contact, err)
	}
	n := 0
	var errs []error
	for _, cb := range cbs {
		branch, matched := Match(cb, event, msg, form)
		if !matched {
			continue
		}
		ok, err := r.Resume(ctx, bu, cb.ID, branch)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			n++
		}
	}
	return n, errors.Join(errs...)
}
