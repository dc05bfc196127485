package preference

import (
	"context"
	"time"
)

// Scope says what a consent is about.
type Scope string

// Scopes.
const (
	ScopeChannel Scope = "channel" // a delivery channel: "email", "sms"
	ScopeTopic   Scope = "topic"   // a content topic: "newsletter", "events"
)

// A Consent is a contact's yes or no to one channel or topic, with where it
// came from and when.
type Consent struct {
	Scope   Scope
	Name    string
	Granted bool
	Source  string // "preference-centre", "one-click", ...
	At      time.Time
}

// Sources this package writes.
const (
	SourcePage           = "preference-centre"
	SourceUnsubscribeAll = "preference-centre:unsubscribe-all"
	SourceOneClick       = "one-click"
)

// Store reads and writes consents. The store package implements it over
// DynamoDB and the embedded store.
type Store interface {
	// Consents returns the contact's recorded consents (none recorded is
	// an empty list, not an error).
	Consents(ctx context.Context, bu, contact string) ([]Consent, error)
	// SetConsents records changes, each with its source and time.
	SetConsents(ctx context.Context, bu, contact string, changes []Consent) error
}

// A Topic is one kind of message a contact can opt in or out of.
type Topic struct {
	ID          string
	Label       string
	Description string
	Default     bool // shown as subscribed when nothing is recorded
}

// A Channel is one way of reaching the contact.
type Channel struct {
	ID      string
	Label   string
	Default bool
}

// A Catalog is what the page offers a business unit's contacts.
type Catalog struct {
	Topics   []Topic
	Channels []Channel
}
