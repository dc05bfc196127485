package store

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// JourneyStatus is active, paused or stopped.
type JourneyStatus string

// Journey statuses.
const (
	JourneyActive  JourneyStatus = "active"
	JourneyPaused  JourneyStatus = "paused"
	JourneyStopped JourneyStatus = "stopped"
)

// A Journey is the mutable record of a journey: its status and which version
// the alias points at. Updates are conditional on Revision.
type Journey struct {
	BU      string        `json:"bu"`
	ID      string        `json:"id"`
	Name    string        `json:"name"`
	Status  JourneyStatus `json:"status"`
	Current int           `json:"current"`          // version the alias points at; 0 before the first publish
	Reason  string        `json:"reason,omitempty"` // why paused or stopped
	// Pauses are the journey's last MaxPauses pause intervals, oldest
	// first; the last one is open (To zero) while the journey is paused.
	// The store keeps them: PutJourney records a move into or out of
	// paused at the store's clock and ignores the caller's value, so a
	// waiting contact's timer can leave paused time out (see PausedWithin).
	Pauses    []Pause   `json:"pauses,omitempty"`
	Revision  int64     `json:"revision"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// A JourneyVersion is one published, immutable version of a journey.
type JourneyVersion struct {
	BU      string `json:"bu"`
	Journey string `json:"journey"`
	Version int    `json:"version"`
	// Source is the journey definition as written (YAML).
	Source []byte `json:"source"`
	// ASL is the compiled state machine definition.
	ASL []byte `json:"asl"`
	// Content pins content versions: "<kind>/<id>/<locale>" → version.
	Content map[string]int `json:"content,omitempty"`
	// StateMachineVersion is the ARN of the Step Functions state machine
	// version (or the local engine's id for it).
	StateMachineVersion string    `json:"stateMachineVersion,omitempty"`
	PublishedBy         string    `json:"publishedBy"`
	PublishedAt         time.Time `json:"publishedAt"`
}

// MaxVersionBytes bounds Source plus ASL of a version (the DynamoDB adapter
// compresses them into one 400 KB item).
const MaxVersionBytes = 4 << 20

// EnrolmentStatus is the state of one contact in one journey.
type EnrolmentStatus string

// Enrolment statuses.
const (
	EnrolmentActive    EnrolmentStatus = "active"
	EnrolmentCompleted EnrolmentStatus = "completed"
	EnrolmentExited    EnrolmentStatus = "exited"
	EnrolmentGoal      EnrolmentStatus = "goal"
	EnrolmentFailed    EnrolmentStatus = "failed"
	EnrolmentStopped   EnrolmentStatus = "stopped"
)

var enrolmentStatuses = map[EnrolmentStatus]bool{
	EnrolmentActive: true, EnrolmentCompleted: true, EnrolmentExited: true,
	EnrolmentGoal: true, EnrolmentFailed: true, EnrolmentStopped: true,
}

// CheckEnrolmentsOf checks the arguments of Enrolments.EnrolmentsOf.
func CheckEnrolmentsOf(bu, journey string, contacts []string) error {
	if len(contacts) > MaxLimit {
		return fmt.Errorf("%d contacts, more than %d: %w", len(contacts), MaxLimit, ErrInvalid)
	}
	err := CheckIDs("bu", bu, "journey", journey)
	for _, c := range contacts {
		if err == nil {
			err = CheckID("contact", c)
		}
	}
	return err
}

// EnrolmentStatuses returns every enrolment status, active first.
func EnrolmentStatuses() []EnrolmentStatus {
	return []EnrolmentStatus{EnrolmentActive, EnrolmentCompleted, EnrolmentExited, EnrolmentGoal, EnrolmentFailed, EnrolmentStopped}
}

// Check returns ErrInvalid for an unknown status.
func (s EnrolmentStatus) Check() error {
	if !enrolmentStatuses[s] {
		return fmt.Errorf("enrolment status %q: %w", s, ErrInvalid)
	}
	return nil
}

// An Enrolment is one entry of a contact into a journey: the guard against
// enrolling twice (created conditionally per bu, journey, contact and entry)
// and the contact's progress.
type Enrolment struct {
	BU        string          `json:"bu"`
	Journey   string          `json:"journey"`
	Contact   string          `json:"contact"`
	Entry     string          `json:"entry"`
	Version   int             `json:"version"`
	Execution string          `json:"execution,omitempty"`
	Status    EnrolmentStatus `json:"status"`
	Step      string          `json:"step,omitempty"`
	StepSince time.Time       `json:"stepSince,omitzero"`
	EnteredAt time.Time       `json:"enteredAt"`
	EndedAt   time.Time       `json:"endedAt,omitzero"`
	Reason    string          `json:"reason,omitempty"`
	// Event holds the attributes of the event that enrolled the contact
	// (what templates read as event.<name> and conditions as event),
	// for every step of the entry however long it runs; nil for entries
	// no event started (a segment launch, a LinkedIn lead). Values are
	// JSON values (string, float64, bool, nil, []any, map[string]any),
	// at most MaxEnrolmentEvent bytes encoded. It is kept here, not in the
	// execution, because it may be personal: it goes when the contact is
	// erased. Readers must not change it (a store may share it between
	// reads); it never changes after CreateEnrolment.
	Event map[string]any `json:"event,omitempty"`
}

// An EnrolmentUpdate changes an enrolment; nil fields stay. Moving to
// another step sets StepSince; moving to an end status sets EndedAt. An
// ended enrolment cannot move to another status (ErrConflict); repeating
// the same end is accepted.
type EnrolmentUpdate struct {
	Execution *string
	Status    *EnrolmentStatus
	Step      *string
	Reason    *string
}

// Apply returns e changed by u at now, or ErrConflict/ErrInvalid.
func (e Enrolment) Apply(u EnrolmentUpdate, now time.Time) (Enrolment, error) {
	now = UTC(now)
	if u.Status != nil {
		if err := u.Status.Check(); err != nil {
			return e, err
		}
		if e.Status != EnrolmentActive && *u.Status != e.Status {
			return e, fmt.Errorf("enrolment ended %s, cannot become %s: %w", e.Status, *u.Status, ErrConflict)
		}
		if e.Status == EnrolmentActive && *u.Status != EnrolmentActive {
			e.EndedAt = now
		}
		e.Status = *u.Status
	}
	if u.Execution != nil {
		e.Execution = *u.Execution
	}
	if u.Step != nil && *u.Step != e.Step {
		e.Step = *u.Step
		e.StepSince = now
	}
	if u.Reason != nil {
		e.Reason = *u.Reason
	}
	return e, nil
}

// StepOutcome says what a step did for a contact.
type StepOutcome string

// Step outcomes.
const (
	StepSent     StepOutcome = "sent"
	StepSkipped  StepOutcome = "skipped"
	StepDeferred StepOutcome = "deferred"
	StepFailed   StepOutcome = "failed"
	StepBranched StepOutcome = "branched"
	StepWaited   StepOutcome = "waited"
	StepResumed  StepOutcome = "resumed"
	StepTimedOut StepOutcome = "timedOut"
	StepCreated  StepOutcome = "created" // sales task, approval request
	StepUpdated  StepOutcome = "updated" // contact update
	StepCalled   StepOutcome = "called"  // webhook action
	StepEntered  StepOutcome = "entered"
	StepFinished StepOutcome = "finished"
)

// A StepLog entry explains what a step did for a contact and why (why a
// message was or was not sent). Detail holds no personal data.
type StepLog struct {
	BU        string            `json:"bu"`
	Contact   string            `json:"contact"`
	Journey   string            `json:"journey"`
	Version   int               `json:"version"`
	Execution string            `json:"execution"`
	Step      string            `json:"step"`
	ID        string            `json:"id"` // set by AppendStepLog
	At        time.Time         `json:"at"`
	Outcome   StepOutcome       `json:"outcome"`
	Reason    string            `json:"reason,omitempty"`
	Detail    map[string]string `json:"detail,omitempty"`
	ExpiresAt time.Time         `json:"expiresAt,omitzero"` // At + Config.StepLogRetention
}

// Prepare validates l for bu and fills its id, UTC time and expiry.
func (l StepLog) Prepare(bu string, cfg Config) (StepLog, error) {
	if err := CheckIDs("bu", bu, "contact", l.Contact, "journey", l.Journey, "step", l.Step); err != nil {
		return l, err
	}
	if l.At.IsZero() || l.Outcome == "" {
		return l, fmt.Errorf("step log without time or outcome: %w", ErrInvalid)
	}
	l.BU = bu
	l.At = UTC(l.At)
	if l.ID == "" {
		l.ID = NewID("l-")
	}
	if cfg.StepLogRetention > 0 {
		l.ExpiresAt = l.At.Add(cfg.StepLogRetention)
	}
	return l, nil
}

// FunnelCount is the number of contacts that reached a step of a journey
// version with an outcome.
type FunnelCount struct {
	Version int    `json:"version"`
	Step    string `json:"step"`
	Outcome string `json:"outcome"`
	Count   int64  `json:"count"`
}

// PrepareEnrolment validates a new enrolment for bu and fills its defaults:
// status active, EnteredAt now, StepSince EnteredAt when a step is set.
func PrepareEnrolment(bu string, e Enrolment, now time.Time) (Enrolment, error) {
	if err := CheckIDs("bu", bu, "journey", e.Journey, "contact", e.Contact, "entry", e.Entry); err != nil {
		return e, err
	}
	if e.Status == "" {
		e.Status = EnrolmentActive
	}
	if err := e.Status.Check(); err != nil {
		return e, err
	}
	e.BU = bu
	e.EnteredAt = UTC(e.EnteredAt)
	if e.EnteredAt.IsZero() {
		e.EnteredAt = UTC(now)
	}
	if e.Step != "" && e.StepSince.IsZero() {
		e.StepSince = e.EnteredAt
	}
	e.StepSince, e.EndedAt = UTC(e.StepSince), UTC(e.EndedAt)
	ev, err := prepareEvent(e.Event)
	if err != nil {
		return e, err
	}
	e.Event = ev
	return e, nil
}

// SortEnrolments orders enrolments oldest first (then by journey, entry).
func SortEnrolments(es []Enrolment) {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if !a.EnteredAt.Equal(b.EnteredAt) {
			return a.EnteredAt.Before(b.EnteredAt)
		}
		if a.Journey != b.Journey {
			return a.Journey < b.Journey
		}
		return a.Entry < b.Entry
	})
}

// Latest returns the most recent of a non-empty list of enrolments.
func Latest(es []Enrolment) Enrolment {
	SortEnrolments(es)
	return es[len(es)-1]
}

// FilterStepLogs keeps the unexpired entries of one execution ("" for all)
// and sorts them by time.
func FilterStepLogs(ls []StepLog, execution string, now time.Time) []StepLog {
	out := ls[:0]
	for _, l := range ls {
		if (execution == "" || l.Execution == execution) && !Expired(l.ExpiresAt, now) {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// PrepareJourney decides PutJourney of j for bu over old, the stored
// journey (nil when there is none), at now: ErrExists for a create
// (j.Revision 0) of an existing journey, ErrNotFound for an update of a
// missing one, ErrConflict when j.Revision is not the stored revision. It
// returns the record to store, with its revision incremented.
func PrepareJourney(bu string, j Journey, old *Journey, now time.Time) (Journey, error) {
	switch {
	case old != nil && j.Revision == 0:
		return j, ErrExists
	case old == nil && j.Revision != 0:
		return j, ErrNotFound
	case old != nil && old.Revision != j.Revision:
		return j, fmt.Errorf("revision %d, expected %d: %w", old.Revision, j.Revision, ErrConflict)
	}
	now = UTC(now)
	j.BU, j.Revision, j.UpdatedAt, j.CreatedAt = bu, j.Revision+1, now, now
	j.Pauses = nil
	if old != nil {
		j.CreatedAt, j.Pauses = old.CreatedAt, slices.Clone(old.Pauses)
	}
	j.Pauses = notePause(j.Pauses, j.Status, now)
	return j, nil
}

// PrepareVersion validates a new journey version for bu: ids, a number
// from 1, at most MaxVersionBytes of source and ASL.
func PrepareVersion(bu string, v JourneyVersion) (JourneyVersion, error) {
	if err := CheckIDs("bu", bu, "journey", v.Journey); err != nil {
		return v, err
	}
	if v.Version < 1 || len(v.Source)+len(v.ASL) > MaxVersionBytes {
		return v, fmt.Errorf("version %d of %d bytes: %w", v.Version, len(v.Source)+len(v.ASL), ErrInvalid)
	}
	v.BU, v.PublishedAt = bu, UTC(v.PublishedAt)
	return v, nil
}
