package store

import (
	"fmt"
	"sort"
	"time"
)

// SalesTaskStatus is open, done or cancelled.
type SalesTaskStatus string

// Sales task statuses.
const (
	SalesTaskOpen      SalesTaskStatus = "open"
	SalesTaskDone      SalesTaskStatus = "done"
	SalesTaskCancelled SalesTaskStatus = "cancelled"
)

// A SalesTask asks a sales owner to do something about a contact.
type SalesTask struct {
	BU        string          `json:"bu"`
	ID        string          `json:"id"` // the caller's idempotency id
	Contact   string          `json:"contact"`
	Owner     string          `json:"owner"`
	Journey   string          `json:"journey,omitempty"`
	Step      string          `json:"step,omitempty"`
	Title     string          `json:"title"`
	Due       time.Time       `json:"due"`
	Status    SalesTaskStatus `json:"status"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
}

// An AuditEntry records who did what to which target. Details hold ids,
// not personal data.
type AuditEntry struct {
	BU      string            `json:"bu"`
	ID      string            `json:"id"` // set by AppendAudit
	At      time.Time         `json:"at"`
	Actor   string            `json:"actor"`
	Action  string            `json:"action"`
	Target  string            `json:"target"`
	Details map[string]string `json:"details,omitempty"`
}

// An APIKey is stored by the hash of the secret the client presents.
type APIKey struct {
	Hash      string    `json:"hash"`
	BU        string    `json:"bu"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	// ExpiresAt is when the key stops working (zero: never).
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// Expired reports whether the key no longer works at now.
func (k APIKey) Expired(now time.Time) bool {
	return !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)
}

// AddressKind is email or phone.
type AddressKind string

// Address kinds.
const (
	AddressEmail AddressKind = "email"
	AddressPhone AddressKind = "phone"
)

// SuppressionReason says why an address is suppressed.
type SuppressionReason string

// Suppression reasons.
const (
	SuppressedBounce    SuppressionReason = "bounce"
	SuppressedComplaint SuppressionReason = "complaint"
	SuppressedErased    SuppressionReason = "erased"
	SuppressedManual    SuppressionReason = "manual"
)

// A Suppression is what the store keeps about a suppressed address: its
// keyed hash (AddressHash), never the address.
type Suppression struct {
	BU     string            `json:"bu"`
	Kind   AddressKind       `json:"kind"`
	Hash   string            `json:"hash"`
	Reason SuppressionReason `json:"reason"`
	At     time.Time         `json:"at"`
}

// An Erasure reports what Erase did.
type Erasure struct {
	// Executions are the execution ids of the contact's enrolments that
	// were still active: the caller stops them.
	Executions []string
	// Removed is the number of records deleted.
	Removed int
}

// Check returns ErrInvalid for an unknown status.
func (s SalesTaskStatus) Check() error {
	switch s {
	case SalesTaskOpen, SalesTaskDone, SalesTaskCancelled:
		return nil
	}
	return fmt.Errorf("sales task status %q: %w", s, ErrInvalid)
}

// PrepareSalesTask validates a new task for bu and fills its defaults.
func PrepareSalesTask(bu string, t SalesTask, now time.Time) (SalesTask, error) {
	if err := CheckIDs("bu", bu, "sales task", t.ID, "contact", t.Contact, "owner", t.Owner); err != nil {
		return t, err
	}
	if t.Status == "" {
		t.Status = SalesTaskOpen
	}
	if err := t.Status.Check(); err != nil {
		return t, err
	}
	t.BU, t.Due = bu, UTC(t.Due)
	t.CreatedAt, t.UpdatedAt = UTC(now), UTC(now)
	return t, nil
}

// SortSalesTasks orders tasks by due time, then id.
func SortSalesTasks(ts []SalesTask) {
	sort.Slice(ts, func(i, j int) bool {
		if !ts[i].Due.Equal(ts[j].Due) {
			return ts[i].Due.Before(ts[j].Due)
		}
		return ts[i].ID < ts[j].ID
	})
}

// PrepareAudit validates an audit entry for bu and fills its id and time.
func PrepareAudit(bu string, e AuditEntry, now time.Time) (AuditEntry, error) {
	if err := CheckID("bu", bu); err != nil {
		return e, err
	}
	if e.Action == "" {
		return e, fmt.Errorf("audit entry without action: %w", ErrInvalid)
	}
	e.BU = bu
	if e.ID == "" {
		e.ID = NewID("au-")
	}
	if e.At = UTC(e.At); e.At.IsZero() {
		e.At = UTC(now)
	}
	return e, nil
}

// PrepareAPIKey validates a new API key and sets its creation time.
func PrepareAPIKey(k APIKey, now time.Time) (APIKey, error) {
	if err := CheckIDs("bu", k.BU, "api key hash", k.Hash, "api key name", k.Name); err != nil {
		return k, err
	}
	k.CreatedAt, k.ExpiresAt = UTC(now), UTC(k.ExpiresAt)
	return k, nil
}

// WithStatus returns t with its status set at now.
func (t SalesTask) WithStatus(status SalesTaskStatus, now time.Time) SalesTask {
	t.Status, t.UpdatedAt = status, UTC(now)
	return t
}
