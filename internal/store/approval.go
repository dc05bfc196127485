package store

import (
	"fmt"
	"sort"
	"time"
)

// ApprovalKind says what is being approved.
type ApprovalKind string

// Approval kinds.
const (
	ApprovalStep    ApprovalKind = "step"    // a journey step waits for a person
	ApprovalContent ApprovalKind = "content" // a content version
	ApprovalPublish ApprovalKind = "publish" // a journey version before publishing
)

// ApprovalStatus is pending, approved, rejected or expired.
type ApprovalStatus string

// Approval statuses.
const (
	ApprovalPending  ApprovalStatus = "pending"
	ApprovalApproved ApprovalStatus = "approved"
	ApprovalRejected ApprovalStatus = "rejected"
	ApprovalExpired  ApprovalStatus = "expired" // reported, never stored: pending past ExpiresAt
)

// An Approval is a request for a person's decision. The first decision wins.
type Approval struct {
	BU          string         `json:"bu"`
	ID          string         `json:"id"` // opaque; set by CreateApproval when empty
	Kind        ApprovalKind   `json:"kind"`
	Journey     string         `json:"journey,omitempty"`
	Version     int            `json:"version,omitempty"`
	Execution   string         `json:"execution,omitempty"`
	Step        string         `json:"step,omitempty"`
	Contact     string         `json:"contact,omitempty"`
	Status      ApprovalStatus `json:"status"`
	RequestedAt time.Time      `json:"requestedAt"`
	ExpiresAt   time.Time      `json:"expiresAt"`
	DecidedAt   time.Time      `json:"decidedAt,omitzero"`
	Decision    string         `json:"decision,omitempty"`  // the option chosen, as the approver saw it
	Responder   string         `json:"responder,omitempty"` // display name
	Comments    string         `json:"comments,omitempty"`
}

// Reported returns a as callers see it at now: pending past its expiry
// reads as expired.
func (a Approval) Reported(now time.Time) Approval {
	if a.Status == ApprovalPending && !now.Before(a.ExpiresAt) {
		a.Status = ApprovalExpired
	}
	return a
}

// Pending reports whether a waits for a decision at now: pending and not
// past its expiry (ListPendingApprovals lists these).
func (a Approval) Pending(now time.Time) bool {
	return a.Status == ApprovalPending && now.Before(a.ExpiresAt)
}

// A Decision answers an approval.
type Decision struct {
	Approved  bool
	Decision  string
	Responder string
	Comments  string
}

// CallbackKind is approval or event.
type CallbackKind string

// Callback kinds.
const (
	CallbackApproval CallbackKind = "approval"
	CallbackEvent    CallbackKind = "event"
)

// A Callback keeps a Step Functions task token under an opaque, single-use
// id, so the token never travels in a URL. ClaimCallback hands the token out
// once, unless ReleaseCallback gives the claim back.
type Callback struct {
	BU        string       `json:"bu"`
	ID        string       `json:"id"` // opaque; set by CreateCallback when empty
	Kind      CallbackKind `json:"kind"`
	Token     string       `json:"token,omitempty"` // only in ClaimCallback's answer
	Execution string       `json:"execution"`
	Contact   string       `json:"contact"`
	Journey   string       `json:"journey"`
	Step      string       `json:"step"`
	// Events are the event names that resume the wait.
	Events      []string  `json:"events,omitempty"`
	Correlation string    `json:"correlation,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	ExpiresAt   time.Time `json:"expiresAt"`
	ClaimedAt   time.Time `json:"claimedAt,omitzero"`
}

// CallbackGrace is how long a callback's record outlives its expiry, so a
// late claim reports ErrExpired (or ErrConflict) rather than ErrNotFound.
const CallbackGrace = 24 * time.Hour

// Gone reports whether c is past its grace period at now: adapters report
// it as not found from then on (DynamoDB's TTL deletes it some time after).
func (c Callback) Gone(now time.Time) bool {
	return Expired(c.ExpiresAt.Add(CallbackGrace), now)
}

// Check validates a callback before it is created.
func (c Callback) Check() error {
	if c.Kind != CallbackApproval && c.Kind != CallbackEvent {
		return fmt.Errorf("callback kind %q: %w", c.Kind, ErrInvalid)
	}
	if c.Token == "" || c.ExpiresAt.IsZero() {
		return fmt.Errorf("callback without token or expiry: %w", ErrInvalid)
	}
	return CheckIDs("contact", c.Contact, "journey", c.Journey, "step", c.Step)
}

// PrepareApproval validates a new approval for bu and fills its id,
// status pending and request time.
func PrepareApproval(bu string, a Approval, now time.Time) (Approval, error) {
	if err := CheckID("bu", bu); err != nil {
		return a, err
	}
	switch a.Kind {
	case ApprovalStep, ApprovalContent, ApprovalPublish:
	default:
		return a, fmt.Errorf("approval kind %q: %w", a.Kind, ErrInvalid)
	}
	if a.ExpiresAt.IsZero() {
		return a, fmt.Errorf("approval without expiry: %w", ErrInvalid)
	}
	if a.Contact != "" {
		if err := CheckID("contact", a.Contact); err != nil {
			return a, err
		}
	}
	if a.ID == "" {
		a.ID = NewID("ap-")
	}
	if err := CheckID("approval", a.ID); err != nil {
		return a, err
	}
	a.BU, a.Status = bu, ApprovalPending
	a.RequestedAt, a.ExpiresAt = UTC(a.RequestedAt), UTC(a.ExpiresAt)
	if a.RequestedAt.IsZero() {
		a.RequestedAt = UTC(now)
	}
	a.DecidedAt, a.Decision, a.Responder, a.Comments = time.Time{}, "", "", ""
	return a, nil
}

// Decide returns a with the decision d taken at now: ErrConflict if it was
// already decided, ErrExpired if it is past its expiry.
func (a Approval) Decide(d Decision, now time.Time) (Approval, error) {
	if a.Status != ApprovalPending {
		return a, fmt.Errorf("approval already %s: %w", a.Status, ErrConflict)
	}
	if !now.Before(a.ExpiresAt) {
		return a.Reported(now), ErrExpired
	}
	a.Status = ApprovalRejected
	if d.Approved {
		a.Status = ApprovalApproved
	}
	a.DecidedAt, a.Decision, a.Responder, a.Comments = UTC(now), d.Decision, d.Responder, d.Comments
	return a, nil
}

// PrepareCallback validates a new callback for bu and fills its id and
// creation time.
func PrepareCallback(bu string, c Callback, now time.Time) (Callback, error) {
	if err := CheckID("bu", bu); err != nil {
		return c, err
	}
	if err := c.Check(); err != nil {
		return c, err
	}
	if c.ID == "" {
		c.ID = NewID("cb-")
	}
	if err := CheckID("callback", c.ID); err != nil {
		return c, err
	}
	c.BU, c.CreatedAt, c.ExpiresAt, c.ClaimedAt = bu, UTC(now), UTC(c.ExpiresAt), time.Time{}
	return c, nil
}

// Claim marks c claimed at now and returns what stays stored: the record
// without its token. ErrConflict if it was claimed before, ErrExpired past
// its expiry.
func (c *Callback) Claim(now time.Time) (Callback, error) {
	if !c.ClaimedAt.IsZero() {
		return *c, fmt.Errorf("callback already claimed: %w", ErrConflict)
	}
	if Expired(c.ExpiresAt, now) {
		return *c, ErrExpired
	}
	c.ClaimedAt = UTC(now)
	stored := *c
	stored.Token = ""
	return stored, nil
}

// Release gives claim (what Claim returned) back: c is unclaimed again and
// holds claim's token. It reports false, without error, when c is not
// claimed (released before: nothing to write); ErrConflict when c was
// claimed by another claim (another ClaimedAt), ErrExpired past its
// expiry, ErrInvalid when claim carries no token.
func (c *Callback) Release(claim Callback, now time.Time) (bool, error) {
	if claim.Token == "" || claim.ClaimedAt.IsZero() {
		return false, fmt.Errorf("release of callback %s without its claimed token: %w", c.ID, ErrInvalid)
	}
	if c.ClaimedAt.IsZero() {
		return false, nil
	}
	if !c.ClaimedAt.Equal(claim.ClaimedAt) {
		return false, fmt.Errorf("callback claimed again since: %w", ErrConflict)
	}
	if Expired(c.ExpiresAt, now) {
		return false, ErrExpired
	}
	c.ClaimedAt, c.Token = time.Time{}, claim.Token
	return true, nil
}

// Waits reports whether c is unclaimed, unexpired and waits for event.
func (c Callback) Waits(event string, now time.Time) bool {
	if !c.ClaimedAt.IsZero() || Expired(c.ExpiresAt, now) {
		return false
	}
	for _, e := range c.Events {
		if e == event {
			return true
		}
	}
	return false
}

// SortCallbacks orders callbacks oldest first, then by id.
func SortCallbacks(cs []Callback) {
	sort.Slice(cs, func(i, j int) bool {
		if !cs[i].CreatedAt.Equal(cs[j].CreatedAt) {
			return cs[i].CreatedAt.Before(cs[j].CreatedAt)
		}
		return cs[i].ID < cs[j].ID
	})
}
