package leads

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/store"
)

// QueueName is the lead queue's name in the embedded store (the local
// runtime's stand-in for the SQS queue the linkedin-sync function reads).
const QueueName = "linkedin-leads"

// Sources of a queued notification.
const (
	SourceWebhook  = "webhook"
	SourceBackfill = "backfill"
)

// A Message is what the Inbox queues for the worker: ids only, never lead
// data (the worker fetches the lead), so the queue holds nothing personal.
type Message struct {
	V          int       `json:"v"`
	BU         string    `json:"bu"`
	Lead       string    `json:"lead"`   // the lead id
	Action     string    `json:"action"` // CREATED or DELETED
	Form       string    `json:"form"`   // versioned form URN
	Owner      string    `json:"owner"`
	LeadType   string    `json:"leadType"`
	OccurredAt time.Time `json:"occurredAt"`
	ReceivedAt time.Time `json:"receivedAt"`
	Source     string    `json:"source"`
}

// messageVersion is the Message shape written today.
const messageVersion = 1

// ErrBadMessage is wrapped by ParseMessage errors: a message no retry can
// fix.
var ErrBadMessage = errors.New("leads: unreadable queue message")

// ParseMessage reads a queued message and checks its ids.
func ParseMessage(body []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return m, fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	if m.V != messageVersion {
		return m, fmt.Errorf("%w: version %d", ErrBadMessage, m.V)
	}
	if m.Action != linkedin.ActionCreated && m.Action != linkedin.ActionDeleted {
		return m, fmt.Errorf("%w: action %q", ErrBadMessage, m.Action)
	}
	if id, err := linkedin.LeadIDFromURN(m.Lead); err != nil || id != m.Lead {
		return m, fmt.Errorf("%w: lead id", ErrBadMessage)
	}
	if err := store.CheckID("bu", m.BU); err != nil {
		return m, fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	return m, nil
}

// dedupeKey is the notification's key: the lead and what happened to it.
func (m Message) dedupeKey() string { return linkedin.LeadURN(m.Lead) + "|" + m.Action }

// messageFor builds the queue message of a notification.
func messageFor(bu string, n linkedin.Notification, source string, now time.Time) Message {
	return Message{
		V: messageVersion, BU: bu, Lead: n.LeadID, Action: n.Action, Form: n.Form.URN(), Owner: n.Owner.URN,
		LeadType: n.LeadType, OccurredAt: n.OccurredAt, ReceivedAt: store.UTC(now), Source: source,
	}
}
