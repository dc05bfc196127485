package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/store"
)

// A Result is the answer to an event: ids only.
type Result struct {
	Event     string    `json:"event"`
	Duplicate bool      `json:"duplicate"`
	Contact   string    `json:"contact"`
	Started   []Started `json:"started"`
	Skipped   []Skipped `json:"skipped"`
	Resumed   []Resumed `json:"resumed"`
}

// Started is a journey the event enrolled the contact in (or had, for an
// entry enrolled before: Status "already").
type Started struct {
	Journey   string `json:"journey"`
	Version   int    `json:"version"`
	Status    string `json:"status"`
	Execution string `json:"execution,omitempty"`
	// Missing names the attributes the journey's trigger declares in
	// carries that the event lacks (absent or null): its templates read
	// them as empty. The event is accepted all the same.
	Missing []string `json:"missing,omitempty"`
	// Dropped names the attributes the enrolment could not keep (their
	// size, store.MaxEnrolmentEvent): the journey never sees them.
	Dropped []string `json:"dropped,omitempty"`
}

// Skipped is a triggered journey the entry policy kept the contact out of.
type Skipped struct {
	Journey string `json:"journey"`
	Reason  string `json:"reason"`
}

// Resumed is a wait the event ended.
type Resumed struct {
	Callback  string `json:"callback"`
	Journey   string `json:"journey"`
	Step      string `json:"step"`
	Execution string `json:"execution"`
	// Gone is set when the execution no longer waited (timed out or
	// stopped between the lookup and the resume).
	Gone bool `json:"gone,omitempty"`
}

// Accept processes one event of ev.BU once per event id: a repeat returns
// the first result with Duplicate set. Errors: *httpError for answers the
// caller must see (unknown contact 422, in progress 503), others are
// transient.
func (h *Handler) Accept(ctx context.Context, ev Event) (*Result, error) {
	if ev.ID == "" {
		ev.ID = store.NewID("ev-")
	}
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = h.o.Now()
	}
	key := "ev|" + ev.ID
	rec, err := h.o.Store.BeginIdempotency(ctx, ev.BU, key, eventLease)
	if err != nil {
		return nil, err
	}
	switch rec.State {
	case store.IdempotencyCompleted:
		var res Result
		if err := json.Unmarshal(rec.Result, &res); err != nil {
			return nil, fmt.Errorf("read result of event %s: %w", ev.ID, err)
		}
		res.Duplicate = true
		return &res, nil
	case store.IdempotencyInProgress:
		return nil, fail(http.StatusServiceUnavailable, "event %s is being processed", ev.ID)
	}
	res, err := h.process(ctx, ev)
	if err != nil {
		if rerr := h.o.Store.ReleaseIdempotency(context.WithoutCancel(ctx), ev.BU, key, rec.Token); rerr != nil {
			h.o.Logger.Warn("release event", "bu", ev.BU, "event", ev.ID, "error", rerr.Error())
		}
		return nil, err
	}
	raw, _ := json.Marshal(res)
	if err := h.o.Store.CompleteIdempotency(ctx, ev.BU, key, rec.Token, raw, h.o.Keep); err != nil {
		h.o.Logger.Warn("complete event", "bu", ev.BU, "event", ev.ID, "error", err.Error())
	}
	h.o.Logger.Info("event", "bu", ev.BU, "event", ev.ID, "name", ev.Name, "contact", res.Contact,
		"started", len(res.Started), "skipped", len(res.Skipped), "resumed", len(res.Resumed))
	return res, nil
}

func (h *Handler) process(ctx context.Context, ev Event) (*Result, error) {
	c, err := h.contact(ctx, ev)
	if err != nil {
		return nil, err
	}
	res := &Result{Event: ev.ID, Contact: c.ID, Started: []Started{}, Skipped: []Skipped{}, Resumed: []Resumed{}}
	if _, err := h.o.Store.AppendInteraction(ctx, ev.BU, store.Interaction{
		ID: "i-ev-" + ev.ID, Contact: c.ID, Kind: store.InteractionCustom, At: ev.OccurredAt,
		Detail: map[string]string{"event": ev.Name, "eventId": ev.ID},
	}); err != nil && !errors.Is(err, store.ErrExists) { // ErrExists: recorded by an earlier attempt
		return nil, fmt.Errorf("record event %s: %w", ev.ID, err)
	}
	// A correlated event belongs to the one journey instance it names:
	// it resumes that instance and enrols the contact nowhere.
	if ev.Correlation == "" {
		if err := h.start(ctx, ev, c.ID, res); err != nil {
			return nil, err
		}
	}
	if err := h.resume(ctx, ev, c.ID, res); err != nil {
		return nil, err
	}
	return res, nil
}

func (h *Handler) contact(ctx context.Context, ev Event) (store.Contact, error) {
	var c store.Contact
	var err error
	if ev.Contact != "" {
		c, err = h.o.Store.GetContact(ctx, ev.BU, ev.Contact)
	} else {
		c, err = h.o.Store.FindContactByEmail(ctx, ev.BU, ev.Email)
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return c, fail(http.StatusUnprocessableEntity, "no such contact in business unit %s", ev.BU)
	}
	return c, err
}

// start enrols the contact into every journey whose current version is
// triggered by the event's name (uncorrelated events only).
func (h *Handler) start(ctx context.Context, ev Event, contact string, res *Result) error {
	journeys, err := h.o.Store.ListJourneys(ctx, ev.BU)
	if err != nil {
		return fmt.Errorf("list journeys of %s: %w", ev.BU, err)
	}
	for _, j := range journeys {
		if j.Current == 0 {
			continue
		}
		v, err := h.o.Catalog.Version(ctx, ev.BU, j.ID, j.Current)
		if err != nil {
			return err
		}
		if t := v.Journey().Trigger.Event; t == nil || t.Name != ev.Name {
			continue
		}
		out, err := h.o.Enroller.Enrol(ctx, enrol.Request{BU: ev.BU, Journey: j.ID, Contact: contact, Entry: ev.ID,
			Event: ev.ID, EventName: ev.Name, EventData: ev.Attributes})
		if errors.Is(err, enrol.ErrNotPublished) {
			continue
		}
		if err != nil {
			return err
		}
		if out.Status == enrol.Skipped {
			res.Skipped = append(res.Skipped, Skipped{Journey: j.ID, Reason: out.Reason})
			continue
		}
		st := Started{Journey: j.ID, Version: out.Version, Status: out.Status, Execution: out.Execution,
			Missing: missing(v.Journey().Trigger.Event.Carries, ev.Attributes), Dropped: out.Dropped}
		if len(st.Missing) > 0 || len(st.Dropped) > 0 {
			h.o.Logger.Warn("event attributes the journey will not see", "bu", ev.BU, "journey", j.ID, "event", ev.ID,
				"name", ev.Name, "missing", st.Missing, "dropped", st.Dropped)
		}
		res.Started = append(res.Started, st)
	}
	return nil
}

// missing returns the declared attribute names the event lacks or gives
// as null, in declaration order.
func missing(declared []string, attrs map[string]any) []string {
	var out []string
	for _, n := range declared {
		if attrs[n] == nil {
			out = append(out, n)
		}
	}
	return out
}

// resume ends the contact's waits for the event (one journey instance with
// a correlation id). For form.submitted, the attribute "form" names the form.
// A wait that could not be resumed waits again (ResumeWaits), and the
// error fails the event: the poster is told to send it again (503), and
// that retry resumes the wait instead of leaving it to its timeout.
func (h *Handler) resume(ctx context.Context, ev Event, contact string, res *Result) error {
	form, _ := ev.Attributes["form"].(string)
	resumed, err := ResumeWaits(ctx, h.o.Store, h.o.Tasks, Occurrence{BU: ev.BU, Contact: contact, Event: ev.Name,
		Form: form, Correlation: ev.Correlation})
	res.Resumed = append(res.Resumed, resumed...)
	if err != nil {
		return fmt.Errorf("resume waits for event %s: %w", ev.ID, err)
	}
	return nil
}
