package store

import (
	"context"
	"time"
)

// Store is everything the journeys project keeps, for both adapters. It is
// composed of one small interface per concern, so a consumer can declare
// the part it uses. Implementations are safe for concurrent use.
type Store interface {
	Contacts
	Suppressions
	Interactions
	Journeys
	Enrolments
	Contents
	Approvals
	Callbacks
	Idempotencies
	SalesTasks
	Audit
	APIKeys
}

// Contacts reads and writes contacts and sales owners.
type Contacts interface {
	// GetContact returns a contact by id, or ErrNotFound.
	GetContact(ctx context.Context, bu, id string) (Contact, error)
	// FindContactByEmail returns the contact with this email address
	// (compared normalised), or ErrNotFound.
	FindContactByEmail(ctx context.Context, bu, email string) (Contact, error)
	// UpsertContact merges p into the contact p.ID (created when missing;
	// an id is generated when p.ID is empty). Errors: ErrSuppressed when it
	// would give a contact a suppressed address, ErrEmailTaken, ErrConflict
	// (ExpectRevision), ErrNotFound (ExpectRevision on a missing contact),
	// ErrInvalid.
	UpsertContact(ctx context.Context, bu string, p ContactPatch) (Contact, error)
	// UpsertContactByEmail merges p into the contact with p.Email, or
	// creates one: the import and lead path. created says which.
	UpsertContactByEmail(ctx context.Context, bu string, p ContactPatch) (c Contact, created bool, err error)
	// UpsertContactsByEmail does UpsertContactByEmail for every patch, in
	// order (two patches of one address merge into one contact), and
	// reports each item's outcome at its index: created, updated,
	// suppressed, invalid (no or a malformed address), conflict. The error
	// is not nil only when the batch could not be done (ErrInvalid bu, the
	// context ended, the database failed): some items may have been written
	// then, and repeating the batch is safe (patches merge again).
	UpsertContactsByEmail(ctx context.Context, bu string, ps []ContactPatch) ([]BatchResult, error)
	// ListContacts returns one page of one segment of the business unit's
	// contacts. The segments of a scan are disjoint and together hold every
	// contact; they may be read in parallel.
	ListContacts(ctx context.Context, bu string, scan ContactScan) (Page[Contact], error)
	// Erase forgets a contact: its profile, interactions, step logs,
	// enrolments, callbacks, approvals and sales tasks. Its email address
	// and phone number stay suppressed (keyed hash only, reason erased).
	// It returns the executions still active, which the caller stops.
	// Erasing twice is harmless; ErrNotFound when nothing was there.
	Erase(ctx context.Context, bu, id string) (Erasure, error)

	// PutOwner creates or replaces a sales owner.
	PutOwner(ctx context.Context, bu string, o Owner) error
	// GetOwner returns a sales owner, or ErrNotFound.
	GetOwner(ctx context.Context, bu, id string) (Owner, error)
	// ListOwners returns the business unit's sales owners by id.
	ListOwners(ctx context.Context, bu string) ([]Owner, error)
}

// Suppressions keeps suppressed addresses as keyed hashes.
type Suppressions interface {
	// Suppress records that an address must not be mailed or imported.
	Suppress(ctx context.Context, bu string, kind AddressKind, address string, reason SuppressionReason) error
	// GetSuppression returns the suppression of an address, or ErrNotFound.
	GetSuppression(ctx context.Context, bu string, kind AddressKind, address string) (Suppression, error)
}

// Interactions records what happened with each contact.
type Interactions interface {
	// AppendInteraction stores i (its id, expiry and UTC time filled in)
	// and returns it.
	AppendInteraction(ctx context.Context, bu string, i Interaction) (Interaction, error)
	// AppendInteractions stores a batch of interactions (ids, expiries and
	// UTC times filled in as AppendInteraction does). A malformed item
	// fails the whole batch with ErrInvalid before anything is written.
	// An interaction given with the id and time of a stored one replaces
	// it, so a failed batch whose items carry ids can be repeated without
	// duplicates.
	AppendInteractions(ctx context.Context, bu string, is []Interaction) error
	// ListInteractions returns a contact's unexpired interactions in a time
	// range, in time order.
	ListInteractions(ctx context.Context, bu, contact string, q InteractionQuery) (Page[Interaction], error)
	// CountInteractions counts a contact's unexpired interactions of a kind
	// on a channel ("" for any channel) at or after since (frequency caps).
	CountInteractions(ctx context.Context, bu, contact string, kind InteractionKind, channel string, since time.Time) (int, error)
	// AppendStepLog stores a step log entry.
	AppendStepLog(ctx context.Context, bu string, l StepLog) (StepLog, error)
	// ListStepLogs returns a contact's unexpired step log entries in time
	// order, only those of one execution unless execution is "".
	ListStepLogs(ctx context.Context, bu, contact, execution string) ([]StepLog, error)
}

// Journeys keeps journeys, their immutable versions and funnel counters.
type Journeys interface {
	// PutJourney creates (j.Revision 0: ErrExists if present) or updates
	// (j.Revision is the revision read: ErrConflict if it changed) a
	// journey, and returns it with its new revision.
	PutJourney(ctx context.Context, bu string, j Journey) (Journey, error)
	// GetJourney returns a journey, or ErrNotFound.
	GetJourney(ctx context.Context, bu, id string) (Journey, error)
	// ListJourneys returns the business unit's journeys by id.
	ListJourneys(ctx context.Context, bu string) ([]Journey, error)
	// CreateVersion stores a new version; ErrExists if the number is taken.
	CreateVersion(ctx context.Context, bu string, v JourneyVersion) error
	// GetVersion returns one version, or ErrNotFound.
	GetVersion(ctx context.Context, bu, journey string, version int) (JourneyVersion, error)
	// ListVersions returns a journey's versions, oldest first.
	ListVersions(ctx context.Context, bu, journey string) ([]JourneyVersion, error)
	// IncrementFunnel adds n to the counter of (journey, version, step,
	// outcome), atomically.
	IncrementFunnel(ctx context.Context, bu, journey string, version int, step, outcome string, n int64) error
	// Funnel returns a journey's counters sorted by version, step, outcome.
	Funnel(ctx context.Context, bu, journey string) ([]FunnelCount, error)
}

// Enrolments keeps which contact is in which journey.
type Enrolments interface {
	// CreateEnrolment stores a new enrolment (status active unless set,
	// EnteredAt now unless set); ErrExists if the same (journey, contact,
	// entry) was enrolled before.
	CreateEnrolment(ctx context.Context, bu string, e Enrolment) (Enrolment, error)
	// CreateEnrolments does CreateEnrolment for every item, in order, and
	// reports each item's outcome at its index: created, exists
	// (ErrExists, also for a repeat within the batch) or invalid. The error
	// is as for UpsertContactsByEmail; repeating a batch reports exists
	// for what the first attempt created.
	CreateEnrolments(ctx context.Context, bu string, es []Enrolment) ([]BatchResult, error)
	// GetEnrolment returns one enrolment, or ErrNotFound.
	GetEnrolment(ctx context.Context, bu, journey, contact, entry string) (Enrolment, error)
	// UpdateEnrolment changes an enrolment (see EnrolmentUpdate).
	UpdateEnrolment(ctx context.Context, bu, journey, contact, entry string, u EnrolmentUpdate) (Enrolment, error)
	// LatestEnrolment returns the contact's most recent enrolment in a
	// journey (re-entry policy), or ErrNotFound.
	LatestEnrolment(ctx context.Context, bu, journey, contact string) (Enrolment, error)
	// EnrolmentsOf returns every enrolment in a journey (any status,
	// oldest first) of each of the contacts, by contact id; a contact
	// without any is left out. It serves a page of contacts at once (a
	// segment launch: at most MaxLimit ids), reading per shard the range
	// between the lowest and the highest id, so it suits contacts that
	// are near in id order. It may read an index that lags writes by a
	// moment: use it to decide, never as the guard (CreateEnrolment's
	// condition is).
	EnrolmentsOf(ctx context.Context, bu, journey string, contacts []string) (map[string][]Enrolment, error)
	// ListEnrolments returns one page of a journey's enrolments in a status.
	ListEnrolments(ctx context.Context, bu, journey string, status EnrolmentStatus, cursor string, limit int) (Page[Enrolment], error)
	// ContactEnrolments returns all of a contact's enrolments (every
	// journey), oldest first.
	ContactEnrolments(ctx context.Context, bu, contact string) ([]Enrolment, error)
}

// Contents keeps content versions and segments.
type Contents interface {
	// PutContent stores a new version of c (c.Version 0: the next number)
	// and returns it; ErrExists if the version is taken. Shared content is
	// stored under SharedBU whatever bu says.
	PutContent(ctx context.Context, bu string, c Content) (Content, error)
	// GetContent returns a version (0: the latest) of the business unit's
	// content, or else of shared content, or ErrNotFound.
	GetContent(ctx context.Context, bu string, kind ContentKind, id, locale string, version int) (Content, error)
	// ListContent returns the latest version of each content the business
	// unit sees (its own, then shared), sorted by kind, id, locale.
	ListContent(ctx context.Context, bu string) ([]Content, error)
	// ContentRevision returns a token that changes whenever content the
	// business unit sees (its own or shared) is put, so a cache of
	// ListContent reads one small record to know it is still current.
	ContentRevision(ctx context.Context, bu string) (string, error)
	// PutSegment creates or replaces a segment.
	PutSegment(ctx context.Context, bu string, s Segment) error
	// GetSegment returns a segment, or ErrNotFound.
	GetSegment(ctx context.Context, bu, name string) (Segment, error)
	// ListSegments returns the business unit's segments by name.
	ListSegments(ctx context.Context, bu string) ([]Segment, error)
	// DeleteSegment removes a segment, or returns ErrNotFound.
	DeleteSegment(ctx context.Context, bu, name string) error
}

// Approvals keeps approval requests.
type Approvals interface {
	// CreateApproval stores a pending approval (id generated when empty).
	CreateApproval(ctx context.Context, bu string, a Approval) (Approval, error)
	// GetApproval returns an approval (expired if pending past its expiry).
	GetApproval(ctx context.Context, bu, id string) (Approval, error)
	// DecideApproval records the first decision: ErrConflict if already
	// decided, ErrExpired past expiry, ErrNotFound.
	DecideApproval(ctx context.Context, bu, id string, d Decision) (Approval, error)
	// ListPendingApprovals returns one page of the business unit's
	// approvals that wait for a decision (pending and unexpired), the
	// soonest to expire first (then by id).
	ListPendingApprovals(ctx context.Context, bu, cursor string, limit int) (Page[Approval], error)
}

// Callbacks keeps task tokens under opaque single-use ids.
type Callbacks interface {
	// CreateCallback stores c (id generated when empty) and returns it
	// without its token.
	CreateCallback(ctx context.Context, bu string, c Callback) (Callback, error)
	// ClaimCallback hands out the token once: ErrConflict when already
	// claimed, ErrExpired past expiry, ErrNotFound.
	ClaimCallback(ctx context.Context, bu, id string) (Callback, error)
	// WaitingCallbacks returns the contact's unclaimed, unexpired callbacks
	// that wait for an event name, without tokens, oldest first.
	WaitingCallbacks(ctx context.Context, bu, contact, event string) ([]Callback, error)
	// ReleaseCallback gives back a claim whose token could not be
	// delivered, so the callback waits again (WaitingCallbacks lists it,
	// ClaimCallback hands the token out anew). claim is what ClaimCallback
	// returned: its token is stored again. Releasing a callback that is
	// not claimed is a no-op, so a retried release succeeds; ErrConflict
	// when it is claimed by another claim than claim's, ErrExpired past
	// expiry (the timeout has taken over), ErrNotFound if absent.
	ReleaseCallback(ctx context.Context, bu string, claim Callback) error
	// DeleteCallback removes a callback (on timeout); ErrNotFound if absent.
	DeleteCallback(ctx context.Context, bu, id string) error
}

// Idempotencies guards work that must happen once per key.
type Idempotencies interface {
	// BeginIdempotency starts work under key: State new (with a Token: do
	// the work) when there is no record, it expired, or its in-progress
	// lease expired (TakenOver); in progress when someone holds the lease;
	// completed with the stored Result.
	BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (Idempotency, error)
	// CompleteIdempotency stores the result, kept for keep; ErrConflict if
	// token no longer holds the lease.
	CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error
	// ReleaseIdempotency drops the lease so the work can be retried at
	// once; ErrConflict if token does not hold it.
	ReleaseIdempotency(ctx context.Context, bu, key, token string) error
}

// SalesTasks keeps tasks for sales owners.
type SalesTasks interface {
	// CreateSalesTask stores t, idempotent by t.ID: when it exists, the
	// stored task is returned with created false.
	CreateSalesTask(ctx context.Context, bu string, t SalesTask) (task SalesTask, created bool, err error)
	// GetSalesTask returns a task, or ErrNotFound.
	GetSalesTask(ctx context.Context, bu, id string) (SalesTask, error)
	// SetSalesTaskStatus changes a task's status.
	SetSalesTaskStatus(ctx context.Context, bu, id string, status SalesTaskStatus) (SalesTask, error)
	// ListSalesTasksByOwner returns one page of an owner's tasks by due time.
	ListSalesTasksByOwner(ctx context.Context, bu, owner, cursor string, limit int) (Page[SalesTask], error)
	// ListSalesTasksByContact returns a contact's tasks by due time.
	ListSalesTasksByContact(ctx context.Context, bu, contact string) ([]SalesTask, error)
}

// Audit keeps the audit log.
type Audit interface {
	// AppendAudit stores an entry (id and time filled in when empty). An
	// entry with the caller's own id and time that is stored already is
	// ErrExists: a caller that retries gives both to record a thing once.
	AppendAudit(ctx context.Context, bu string, e AuditEntry) (AuditEntry, error)
	// ListAudit returns one page of the business unit's log, newest first.
	ListAudit(ctx context.Context, bu, cursor string, limit int) (Page[AuditEntry], error)
}

// APIKeys keeps API keys by hash.
type APIKeys interface {
	// PutAPIKey stores a key; ErrExists if the hash is taken.
	PutAPIKey(ctx context.Context, k APIKey) error
	// GetAPIKey returns the key with this hash (and so its bu), or
	// ErrNotFound. It is the one lookup not scoped by a bu.
	GetAPIKey(ctx context.Context, hash string) (APIKey, error)
	// ListAPIKeys returns a business unit's keys by name.
	ListAPIKeys(ctx context.Context, bu string) ([]APIKey, error)
	// DeleteAPIKey removes a key of this business unit, or ErrNotFound.
	DeleteAPIKey(ctx context.Context, bu, hash string) error
}
