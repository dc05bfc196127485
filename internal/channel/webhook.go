package channel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/journeys-oss/journeys/internal/webhook"
)

// ProtocolVersion is the version of docs/channel-protocol.md that
// WebhookProvider speaks.
const ProtocolVersion = 1

// Event types of the protocol.
const (
	TypeSend   = "message.send"
	TypeStatus = "message.status"
)

// SendRequest is the body a WebhookProvider POSTs (docs/channel-protocol.md).
type SendRequest struct {
	Type         string          `json:"type"`
	Version      int             `json:"version"`
	ID           string          `json:"id"`
	Channel      string          `json:"channel"`
	Class        string          `json:"class"`
	Test         bool            `json:"test,omitempty"`
	BusinessUnit string          `json:"businessUnit"`
	Contact      string          `json:"contact"`
	To           string          `json:"to,omitempty"`
	From         *Address        `json:"from,omitempty"`
	ReplyTo      string          `json:"replyTo,omitempty"`
	SMSFrom      string          `json:"smsFrom,omitempty"`
	Subject      string          `json:"subject,omitempty"`
	Preheader    string          `json:"preheader,omitempty"`
	HTML         string          `json:"html,omitempty"`
	Text         string          `json:"text,omitempty"`
	Headers      []Header        `json:"headers,omitempty"`
	Payload      json.RawMessage `json:"payload,omitempty"`
	StatusURL    string          `json:"statusUrl,omitempty"`
	Metadata     Metadata        `json:"metadata"`
}

// Metadata tells the provider where a message came from (ids only).
type Metadata struct {
	Template        string `json:"template,omitempty"`
	TemplateVersion int    `json:"templateVersion,omitempty"`
	Locale          string `json:"locale,omitempty"`
	Topic           string `json:"topic,omitempty"`
}

// StatusEvent is the body of a provider's status callback.
type StatusEvent struct {
	Type       string `json:"type"`
	ID         string `json:"id"` // our message id
	ProviderID string `json:"providerMessageId,omitempty"`
	// Status is delivered, bounced, complained or failed.
	Status string `json:"status"`
	// Bounce is hard or soft, for bounced.
	Bounce string `json:"bounce,omitempty"`
	At     string `json:"at,omitempty"` // RFC 3339
	Reason string `json:"reason,omitempty"`
}

// Status values of StatusEvent.
const (
	EventDelivered  = "delivered"
	EventBounced    = "bounced"
	EventComplained = "complained"
	EventFailed     = "failed"
	BounceHard      = "hard"
	BounceSoft      = "soft"
)

// Sender is what WebhookProvider needs of webhook.Client.
type Sender interface {
	Send(ctx context.Context, m webhook.Message) (*webhook.Response, error)
}

// WebhookProvider delivers one channel's messages to a provider's endpoint.
type WebhookProvider struct {
	client    Sender
	url       string
	statusURL string
}

// NewWebhookProvider returns a provider POSTing to url through client (a
// webhook.Client with the channel's secret and the outbound policy).
// statusURL is where the provider sends status callbacks (may be empty).
func NewWebhookProvider(client Sender, url, statusURL string) *WebhookProvider {
	return &WebhookProvider{client: client, url: url, statusURL: statusURL}
}

// Deliver implements Provider.
func (p *WebhookProvider) Deliver(ctx context.Context, m Message) (Receipt, error) {
	req := SendRequest{
		Type: TypeSend, Version: ProtocolVersion, ID: m.ID, Channel: m.Channel, Class: Class(m.Channel),
		Test: m.Test, BusinessUnit: m.BU, Contact: m.Contact, To: m.To, ReplyTo: m.ReplyTo, SMSFrom: m.SMSFrom,
		Subject: m.Subject, Preheader: m.Preheader, HTML: m.HTML, Text: m.Text, Headers: m.Headers,
		Payload: m.Payload, StatusURL: p.statusURL,
		Metadata: Metadata{Template: m.Template, TemplateVersion: m.TemplateVersion, Locale: m.Locale, Topic: m.Topic},
	}
	if m.From.Email != "" {
		req.From = &m.From
	}
	body, err := json.Marshal(req)
	if err != nil {
		return Receipt{}, fmt.Errorf("encode message %s: %w: %v", m.IdempotencyKey, ErrPermanent, err)
	}
	resp, err := p.client.Send(ctx, webhook.Message{URL: p.url, ID: m.IdempotencyKey, Body: body})
	if err != nil {
		class := ErrTransient
		if errors.Is(err, webhook.ErrPermanent) {
			class = ErrPermanent
		}
		return Receipt{}, fmt.Errorf("deliver %s message: %w: %v", m.Channel, class, err)
	}
	var r Receipt
	if len(resp.Body) > 0 {
		if err := json.Unmarshal(resp.Body, &r); err != nil {
			// The provider took the message (2xx); an answer we cannot
			// read does not make the delivery fail, or it would be sent
			// again.
			r = Receipt{}
		}
	}
	if r.Status != StatusDelivered {
		r.Status = StatusAccepted
	}
	return r, nil
}
