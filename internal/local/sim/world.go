package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// world is everything outside the journeys system in a simulation: the
// channel providers (which count messages instead of sending them), the
// webhook actions' receivers and the approval flow (which keeps each
// request's callback URL for scripted decisions). It notes when a contact
// reached a step (a message delivered, an approval asked) for events
// scheduled "after" it. It is safe for concurrent use.
type world struct {
	now      func() time.Time
	keepSent bool      // keep every message id (scripted opens and clicks need them)
	failures *failures // scripted failures of deliveries and webhook calls

	mu         sync.Mutex
	delivered  map[string]int // by channel
	sent       map[stepKey]string
	flows      map[stepKey]string // callback URLs
	actions    int
	reached    []reach
	watch      func(contact string) bool
	messages   map[string][]Delivered // watched contacts only
	approvalsN int
}

type stepKey struct{ contact, step string }

// A reach is a contact getting to a step (for "after" events).
type reach struct {
	contact, step string
	at            time.Time
	kind          string // "message", "approval" or "step"
}

// Delivered is one message a contact received, as a test expects it.
type Delivered struct {
	Step     string    `json:"step"`
	Channel  string    `json:"channel"`
	Template string    `json:"template"`
	At       time.Time `json:"at"`
}

func newWorld(now func() time.Time, watch func(string) bool, keepSent bool) *world {
	return &world{now: now, watch: watch, keepSent: keepSent, delivered: map[string]int{}, sent: map[stepKey]string{},
		flows: map[stepKey]string{}, messages: map[string][]Delivered{}}
}

// Provider implements handler.Channels: every channel counts.
func (w *world) Provider(_ context.Context, _, _ string) (channel.Provider, error) { return w, nil }

// Deliver implements channel.Provider.
func (w *world) Deliver(_ context.Context, m channel.Message) (channel.Receipt, error) {
	ref, err := channel.ParseMessageRef(m.ID)
	if err != nil {
		return channel.Receipt{}, fmt.Errorf("%w: %v", channel.ErrPermanent, err)
	}
	if f, ok := w.failures.fail(ref.Contact, ref.Step); ok {
		class := channel.ErrTransient
		if f.Permanent() {
			class = channel.ErrPermanent
		}
		return channel.Receipt{}, fmt.Errorf("%w: provider answered %d (scripted failure)", class, f.Status)
	}
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	k := stepKey{ref.Contact, ref.Step}
	if w.sent[k] != m.ID { // a new message, not a repeated delivery of one
		w.delivered[m.Channel]++
		if w.watch(ref.Contact) {
			w.messages[ref.Contact] = append(w.messages[ref.Contact], Delivered{Step: ref.Step, Channel: m.Channel, Template: m.Template, At: now})
		}
	}
	if w.keepSent || w.watch(ref.Contact) {
		w.sent[k] = m.ID
	}
	w.reached = append(w.reached, reach{contact: ref.Contact, step: ref.Step, at: now, kind: "message"})
	return channel.Receipt{ProviderID: "sim-" + m.IdempotencyKey[:16], Status: channel.StatusDelivered}, nil
}

// Action implements handler.Actions: every webhook action is answered
// 200, but for the scripted failures.
func (w *world) Action(_ context.Context, _, name string) (*handler.ActionTarget, error) {
	return &handler.ActionTarget{URL: "https://actions.invalid/" + name, Method: http.MethodPost, Sender: actionReceiver{w}}, nil
}

type actionReceiver struct{ w *world }

func (a actionReceiver) Send(_ context.Context, m webhook.Message) (*webhook.Response, error) {
	var req handler.ActionRequest
	if err := json.Unmarshal(m.Body, &req); err != nil {
		return nil, fmt.Errorf("%w: action body: %v", webhook.ErrPermanent, err)
	}
	if f, ok := a.w.failures.fail(req.Contact, req.Step); ok {
		class := webhook.ErrTransient
		if f.Permanent() {
			class = webhook.ErrPermanent
		}
		return &webhook.Response{StatusCode: f.Status, Attempts: 1}, fmt.Errorf("%w: status %d (scripted failure)", class, f.Status)
	}
	a.w.mu.Lock()
	a.w.actions++
	a.w.mu.Unlock()
	return &webhook.Response{StatusCode: http.StatusOK, Attempts: 1, Body: []byte(`{"ok":true}`)}, nil
}

// Send implements approval.Poster: the flow takes the request and keeps
// its callback URL for the scripted decision.
func (w *world) Send(_ context.Context, m webhook.Message) (*webhook.Response, error) {
	var req flowRequest
	if err := json.Unmarshal(m.Body, &req); err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	if req.Journey == nil || req.Contact == nil {
		return &webhook.Response{StatusCode: http.StatusAccepted, Attempts: 1}, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.approvalsN++
	k := stepKey{req.Contact.ID, req.Journey.Step}
	w.flows[k] = req.CallbackURL
	w.reached = append(w.reached, reach{contact: k.contact, step: k.step, at: w.now(), kind: "approval"})
	return &webhook.Response{StatusCode: http.StatusAccepted, Attempts: 1}, nil
}

// flowRequest is what the simulated flow reads of an
// approval.FlowRequest (the same JSON names).
type flowRequest struct {
	Journey *struct {
		Step string `json:"step"`
	} `json:"journey"`
	Contact *struct {
		ID string `json:"id"`
	} `json:"contact"`
	CallbackURL string `json:"callbackUrl"`
}

// message returns the id of the message a contact got at a step.
func (w *world) message(contact, step string) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	id, ok := w.sent[stepKey{contact, step}]
	return id, ok
}

// callback returns the callback URL of a contact's approval at a step.
func (w *world) callback(contact, step string) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u, ok := w.flows[stepKey{contact, step}]
	return u, ok
}

// note records a step reached by the engine (from the trace).
func (w *world) note(r reach) {
	w.mu.Lock()
	w.reached = append(w.reached, r)
	w.mu.Unlock()
}

// takeReached returns and forgets what was reached since the last call.
func (w *world) takeReached() []reach {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.reached
	w.reached = nil
	return out
}

func (w *world) deliveries() []Count {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := counter{}
	for ch, n := range w.delivered {
		c.add(ch, "", n)
	}
	return c.list("email", "sms")
}
