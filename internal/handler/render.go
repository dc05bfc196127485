package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/store"
)

// RenderRequest asks the render function for a preview of a template for
// a contact (a stored one, or sample values), and optionally a test send
// of it to a colleague's address.
type RenderRequest struct {
	BU       string `json:"bu"`
	Template string `json:"template"`
	Version  int    `json:"version,omitempty"`
	Locale   string `json:"locale,omitempty"`
	// Contact is a stored contact's id whose values personalise the
	// message; without it Values are used.
	Contact string         `json:"contact,omitempty"`
	Values  map[string]any `json:"values,omitempty"`
	// Event is the trigger event's attributes (event.<name>).
	Event   map[string]any `json:"event,omitempty"`
	Journey string         `json:"journey,omitempty"`
	Step    string         `json:"step,omitempty"`
	// Send delivers the preview on Channel to To, marked as a test: it is
	// never counted and records nothing about the contact.
	Send    bool   `json:"send,omitempty"`
	Channel string `json:"channel,omitempty"`
	To      string `json:"to,omitempty"`
}

// RenderResult is the rendered message (and the test send's receipt).
type RenderResult struct {
	MessageID  string           `json:"messageId"`
	Template   string           `json:"template"`
	Version    int              `json:"version"`
	Channel    string           `json:"channel"`
	Kind       string           `json:"kind"`
	Topic      string           `json:"topic,omitempty"`
	Locale     string           `json:"locale,omitempty"`
	Subject    string           `json:"subject,omitempty"`
	Preheader  string           `json:"preheader,omitempty"`
	HTML       string           `json:"html,omitempty"`
	Text       string           `json:"text,omitempty"`
	Payload    json.RawMessage  `json:"payload,omitempty"`
	Headers    []channel.Header `json:"headers,omitempty"`
	Segments   int              `json:"smsSegments,omitempty"`
	Sent       bool             `json:"sent,omitempty"`
	ProviderID string           `json:"providerMessageId,omitempty"`
}

// ErrBadRender is returned (wrapped) for an unusable render request.
var ErrBadRender = errors.New("handler: invalid render request")

// Render serves the render function: previews and test sends. Nothing it
// does is recorded or counted.
func (h *Handlers) Render(ctx context.Context, req RenderRequest) (RenderResult, error) {
	log := h.log.With("op", "render", "bu", req.BU, "template", req.Template)
	if err := store.CheckIDs("bu", req.BU, "template", req.Template); err != nil {
		return RenderResult{}, fmt.Errorf("%w: %v", ErrBadRender, err)
	}
	if h.cfg.Content == nil {
		return RenderResult{}, errors.New("render: content is not configured")
	}
	values, contactID, owner := req.Values, req.Contact, content.Owner{}
	if req.Contact != "" {
		ct, err := h.cfg.Store.GetContact(ctx, req.BU, req.Contact)
		if err != nil {
			return RenderResult{}, fmt.Errorf("render for contact %s: %w", req.Contact, err)
		}
		values = profile.Attributes(ct)
		if req.Locale == "" {
			req.Locale = ct.Locale
		}
		if o, err := h.cfg.Store.GetOwner(ctx, req.BU, ct.Owner); err == nil {
			owner = content.Owner{Name: o.Name, Email: o.Email}
		}
	}
	if contactID == "" {
		contactID = "preview"
	}
	ref := channel.MessageRef{BU: req.BU, Contact: contactID, Journey: req.Journey, Step: req.Step, Exec: channel.TestExec(), Test: true}
	r, err := h.cfg.Content.Renderer(ctx, req.BU)
	if err != nil {
		return RenderResult{}, err
	}
	msg, err := r.Render(ctx, content.Request{BU: req.BU, Template: req.Template, Version: req.Version, Locale: req.Locale,
		ContactID: contactID, Contact: values, Event: req.Event, Journey: content.JourneyInfo{ID: req.Journey}, Step: req.Step,
		Owner: owner, MessageID: ref.String()})
	if err != nil {
		return RenderResult{}, fmt.Errorf("render template %s: %w", req.Template, err)
	}
	out := RenderResult{MessageID: ref.String(), Template: msg.Template, Version: msg.Version, Channel: string(msg.Channel), Kind: string(msg.Kind), Topic: msg.Topic,
		Locale: msg.Locale, Subject: msg.Subject, Preheader: msg.Preheader, HTML: msg.HTML, Text: msg.Text, Payload: msg.Payload}
	for _, hd := range msg.Headers {
		out.Headers = append(out.Headers, channel.Header{Name: hd.Name, Value: hd.Value})
	}
	if msg.SMS != nil {
		out.Segments = msg.SMS.Count
	}
	if req.Send {
		if err := h.testSend(ctx, req, ref, msg, &out); err != nil {
			return out, err
		}
	}
	log.InfoContext(ctx, "rendered", "test_send", out.Sent)
	return out, nil
}

func (h *Handlers) testSend(ctx context.Context, req RenderRequest, ref channel.MessageRef, msg *content.Message, out *RenderResult) error {
	name := req.Channel
	if name == "" {
		name = string(msg.Channel)
	}
	if channel.Class(name) != channel.Custom && req.To == "" {
		return fmt.Errorf("%w: a test send needs an address (to)", ErrBadRender)
	}
	if h.cfg.Channels == nil {
		return errors.New("render: channels are not configured")
	}
	p, err := h.cfg.Channels.Provider(ctx, req.BU, name)
	if err != nil {
		return err
	}
	unit, err := h.cfg.Settings.For(req.BU)
	if err != nil {
		h.log.Log(ctx, slog.LevelDebug, "test send without settings", "bu", req.BU)
	}
	m := channel.Message{ID: ref.String(), IdempotencyKey: channel.SendKey(ref.Exec, "test"), Channel: name, BU: req.BU,
		Contact: ref.Contact, To: req.To, Subject: msg.Subject, Preheader: msg.Preheader, HTML: msg.HTML, Text: msg.Text,
		Payload: msg.Payload, Template: msg.Template, TemplateVersion: msg.Version, Locale: msg.Locale, Topic: msg.Topic, Test: true}
	if unit != nil {
		m.From, m.ReplyTo, m.SMSFrom = channel.Address{Name: unit.Sender.Name, Email: unit.Sender.Email}, unit.Sender.ReplyTo, unit.Sender.SMS
	}
	m.Headers = out.Headers
	receipt, err := p.Deliver(ctx, m)
	if err != nil {
		return fmt.Errorf("test send on %s: %w", name, err)
	}
	out.Sent, out.ProviderID = true, receipt.ProviderID
	return nil
}
