package channel

import (
	"context"
	"encoding/json"
	"errors"
)

// Errors a delivery wraps; exactly one of them.
var (
	// ErrPermanent: the provider refused the message for good (a 4xx, a
	// blocked destination, a malformed message).
	ErrPermanent = errors.New("channel: delivery failed permanently")
	// ErrTransient: the provider could not take it now (429, 5xx, a
	// timeout); the same message, same idempotency key, may be retried.
	ErrTransient = errors.New("channel: delivery failed for now")
)

// Channel classes: what kind of message a channel carries.
const (
	Email  = "email"
	SMS    = "sms"
	Custom = "custom"
)

// Class returns the class of a channel name: email, sms, or custom for
// every other (custom channel) name.
func Class(channel string) string {
	switch channel {
	case Email, SMS:
		return channel
	}
	return Custom
}

// A Message is one rendered message to deliver.
type Message struct {
	// ID is the message id (a MessageRef's text).
	ID string
	// IdempotencyKey is the same for every attempt at this message.
	IdempotencyKey string
	// Channel is email, sms or the custom channel's name.
	Channel string
	BU      string
	Contact string
	// To is the email address or phone number ("" for custom channels).
	To      string
	From    Address
	ReplyTo string
	// SMSFrom is the sender id of text messages.
	SMSFrom string

	Subject   string
	Preheader string
	HTML      string
	Text      string // the email's plain-text part, or the SMS text
	Headers   []Header
	Payload   json.RawMessage // custom channels

	Template        string
	TemplateVersion int
	Locale          string
	Topic           string
	// Test marks a test send: providers and the outbox label it, and
	// nothing it causes (opens, clicks, bounces) is counted.
	Test bool
}

// Address is a display name and an email address.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// Header is one email header.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Delivery statuses a provider may answer with.
const (
	StatusAccepted  = "accepted"  // taken; delivery follows
	StatusDelivered = "delivered" // already handed to the recipient's server or handset
)

// A Receipt is a provider's answer to a delivery.
type Receipt struct {
	// ProviderID is the provider's own message id.
	ProviderID string `json:"providerMessageId"`
	// Status is StatusAccepted or StatusDelivered.
	Status string `json:"status"`
}

// A Provider delivers messages of one channel. A repeated IdempotencyKey
// must not deliver twice: it answers the first delivery's receipt.
type Provider interface {
	Deliver(ctx context.Context, m Message) (Receipt, error)
}
