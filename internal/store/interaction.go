package store

import (
	"fmt"
	"time"
)

// InteractionKind says what happened.
type InteractionKind string

// Interaction kinds.
const (
	InteractionSent          InteractionKind = "sent"
	InteractionDelivered     InteractionKind = "delivered"
	InteractionBounced       InteractionKind = "bounced"
	InteractionComplained    InteractionKind = "complained"
	InteractionOpened        InteractionKind = "opened"
	InteractionClicked       InteractionKind = "clicked"
	InteractionFormSubmitted InteractionKind = "formSubmitted"
	InteractionUnsubscribed  InteractionKind = "unsubscribed"
	InteractionGoalReached   InteractionKind = "goalReached"
	InteractionCustom        InteractionKind = "custom"
)

var interactionKinds = map[InteractionKind]bool{
	InteractionSent: true, InteractionDelivered: true, InteractionBounced: true,
	InteractionComplained: true, InteractionOpened: true, InteractionClicked: true,
	InteractionFormSubmitted: true, InteractionUnsubscribed: true,
	InteractionGoalReached: true, InteractionCustom: true,
}

// An Interaction is one thing that happened between a contact and the
// business unit. Detail is small and holds no personal data (a link id, a
// provider's message id, a custom event name).
type Interaction struct {
	BU        string            `json:"bu"`
	Contact   string            `json:"contact"`
	ID        string            `json:"id"` // set by AppendInteraction
	Kind      InteractionKind   `json:"kind"`
	Channel   string            `json:"channel,omitempty"` // email, sms, a custom channel
	At        time.Time         `json:"at"`
	Journey   string            `json:"journey,omitempty"`
	Version   int               `json:"version,omitempty"`
	Step      string            `json:"step,omitempty"`
	Message   string            `json:"message,omitempty"`
	Detail    map[string]string `json:"detail,omitempty"`
	ExpiresAt time.Time         `json:"expiresAt,omitzero"` // At + Config.InteractionRetention
}

// Prepare validates i for bu and fills its id, UTC time and expiry.
func (i Interaction) Prepare(bu string, cfg Config) (Interaction, error) {
	if err := CheckIDs("bu", bu, "contact", i.Contact); err != nil {
		return i, err
	}
	if !interactionKinds[i.Kind] {
		return i, fmt.Errorf("interaction kind %q: %w", i.Kind, ErrInvalid)
	}
	if i.At.IsZero() {
		return i, fmt.Errorf("interaction without a time: %w", ErrInvalid)
	}
	i.BU = bu
	i.At = UTC(i.At)
	if i.ID == "" {
		i.ID = NewID("i-")
	}
	if cfg.InteractionRetention > 0 {
		i.ExpiresAt = i.At.Add(cfg.InteractionRetention)
	}
	return i, nil
}

// InteractionQuery selects a contact's interactions with From <= At < To
// (zero bounds are open), oldest first unless NewestFirst.
type InteractionQuery struct {
	From        time.Time
	To          time.Time
	NewestFirst bool
	Cursor      string
	Limit       int
}

// Expired reports whether a record with this expiry (zero: none) is gone at now.
func Expired(expiresAt, now time.Time) bool {
	return !expiresAt.IsZero() && !now.Before(expiresAt)
}
