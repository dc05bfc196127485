// Package enrol puts contacts into journeys. It applies the entry policy
// (journey status, start and end dates, re-entry, exclusion segment, the
// event trigger's filter, consent), writes the enrolment record (a
// conditional write per journey, contact and entry: the first guard against
// enrolling anyone twice) and starts the contact's execution of the
// journey's current version under a name derived from the same keys (the
// second guard). Segment launches, LinkedIn leads, custom events and the
// simulator all enrol through it, so they skip and count alike.
package enrol

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/segment"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Store is what the enroller reads and writes.
type Store interface {
	GetJourney(ctx context.Context, bu, id string) (store.Journey, error)
	GetContact(ctx context.Context, bu, id string) (store.Contact, error)
	ListInteractions(ctx context.Context, bu, contact string, q store.InteractionQuery) (store.Page[store.Interaction], error)
	CreateEnrolment(ctx context.Context, bu string, e store.Enrolment) (store.Enrolment, error)
	GetEnrolment(ctx context.Context, bu, journey, contact, entry string) (store.Enrolment, error)
	LatestEnrolment(ctx context.Context, bu, journey, contact string) (store.Enrolment, error)
	UpdateEnrolment(ctx context.Context, bu, journey, contact, entry string, u store.EnrolmentUpdate) (store.Enrolment, error)
}

// Starter starts executions (workflow.Executions has it).
type Starter interface {
	Start(ctx context.Context, target, name, input string) (string, error)
}

// Catalog gives checked journey versions (*catalog.Catalog has it).
type Catalog interface {
	Version(ctx context.Context, bu, id string, version int) (*catalog.Version, error)
}

// An Enroller enrols contacts. It is safe for concurrent use.
type Enroller struct {
	store   Store
	catalog Catalog
	starter Starter
	now     func() time.Time
}

// New returns an enroller; now is the clock (virtual in simulations).
func New(s Store, c Catalog, st Starter, now func() time.Time) *Enroller {
	return &Enroller{store: s, catalog: c, starter: st, now: now}
}

// A Request asks to enrol one contact in one journey for one entry: the
// trigger occurrence (an event id, a lead id, a segment launch id), so the
// same occurrence never enrols twice while a new one may.
type Request struct {
	BU      string
	Journey string
	Contact string
	Entry   string
	// Event is the trigger event's id in the store, if any; EventName and
	// EventData let an event trigger's filter be checked. EventData (the
	// event's attributes, JSON values) is also kept on the enrolment, for
	// the entry's templates (event.<name>) and conditions (event) however
	// long it runs: what fits in store.MaxEnrolmentEvent, the attributes
	// the trigger declares (filters and carries) first.
	Event     string
	EventName string
	EventData map[string]any
	// Known, when set, is what the caller has already read about the
	// contact (a segment launch has the page it enrols from), so the
	// enroller does not read it again.
	Known *Known
}

// Known is a contact as the caller read it, with its newest interactions
// when Interactions is set (nil means: not read, the enroller reads them if
// the entry policy needs them). A segment launch, enrolling a page of
// contacts, also reads once per page what the enroller would read per
// contact: the journey's record (Journey; nil: not read) and the
// contacts' enrolments in the journey (Enrolments, as
// store.Enrolments.EnrolmentsOf gives them, empty when none; nil: not
// read). Both may be a moment old: a pause takes effect from the next
// page, and the re-entry policy sees enrolments of other entries as the
// index had them. CreateEnrolment's condition stays the guard against
// enrolling an entry twice, so a read that missed this entry (a retried
// start) still resumes it.
type Known struct {
	Contact      store.Contact
	Interactions []store.Interaction
	Journey      *store.Journey
	Enrolments   []store.Enrolment
}

// Outcome statuses.
const (
	Enrolled = "enrolled" // a new enrolment and execution
	Already  = "already"  // this entry was enrolled before (a repeat)
	Skipped  = "skipped"  // the entry policy said no; Reason says why
)

// An Outcome says what Enrol did.
type Outcome struct {
	Status    string
	Reason    string // for Skipped: a short, non-personal reason
	Version   int
	Execution string
	// Dropped names the event attributes a new enrolment could not keep
	// (store.MaxEnrolmentEvent), sorted; the others are kept.
	Dropped []string
}

// ErrNotPublished: the journey has no published version yet.
var ErrNotPublished = errors.New("journey is not published")

// Enrol applies the entry policy and, when it allows, enrols the contact
// and starts its execution. Skips are outcomes, not errors. A repeat of an
// entry whose execution did not start (a crash or throttle between the two
// writes) starts it now, under the same name.
func (e *Enroller) Enrol(ctx context.Context, r Request) (Outcome, error) {
	j, err := e.journey(ctx, r)
	if err != nil {
		return Outcome{}, fmt.Errorf("enrol %s in %s: %w", r.Contact, r.Journey, err)
	}
	if j.Current == 0 {
		return Outcome{}, fmt.Errorf("enrol %s in %s: %w", r.Contact, r.Journey, ErrNotPublished)
	}
	if prev, err := e.entryEnrolment(ctx, r); err == nil {
		return e.resume(ctx, prev)
	} else if !errors.Is(err, store.ErrNotFound) {
		return Outcome{}, fmt.Errorf("enrol %s in %s: %w", r.Contact, r.Journey, err)
	}
	if j.Status != store.JourneyActive {
		return Outcome{Status: Skipped, Reason: "journey " + string(j.Status)}, nil
	}
	v, err := e.catalog.Version(ctx, r.BU, r.Journey, j.Current)
	if err != nil {
		return Outcome{}, fmt.Errorf("enrol %s in %s: %w", r.Contact, r.Journey, err)
	}
	reason, err := e.refuse(ctx, r, v)
	if err != nil || reason != "" {
		return Outcome{Status: Skipped, Reason: reason, Version: v.Record.Version}, err
	}
	event, dropped := keepEvent(v.Journey(), r.EventData)
	en, err := e.store.CreateEnrolment(ctx, r.BU, store.Enrolment{
		Journey: r.Journey, Contact: r.Contact, Entry: r.Entry, Version: v.Record.Version,
		Status: store.EnrolmentActive, EnteredAt: e.now(), Event: event,
	})
	if errors.Is(err, store.ErrExists) {
		// Another starter won the race for this entry.
		if en, err = e.store.GetEnrolment(ctx, r.BU, r.Journey, r.Contact, r.Entry); err == nil {
			return e.resume(ctx, en)
		}
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("enrol %s in %s: %w", r.Contact, r.Journey, err)
	}
	out, err := e.start(ctx, en, v, r.Event)
	out.Status, out.Dropped = Enrolled, dropped
	return out, err
}

// journey returns the journey's record: the caller's, or read.
func (e *Enroller) journey(ctx context.Context, r Request) (store.Journey, error) {
	if r.Known != nil && r.Known.Journey != nil {
		return *r.Known.Journey, nil
	}
	return e.store.GetJourney(ctx, r.BU, r.Journey)
}

// entryEnrolment returns the enrolment of the request's entry, or
// store.ErrNotFound.
func (e *Enroller) entryEnrolment(ctx context.Context, r Request) (store.Enrolment, error) {
	if r.Known == nil || r.Known.Enrolments == nil {
		return e.store.GetEnrolment(ctx, r.BU, r.Journey, r.Contact, r.Entry)
	}
	for _, en := range r.Known.Enrolments {
		if en.Entry == r.Entry {
			return en, nil
		}
	}
	return store.Enrolment{}, store.ErrNotFound
}

// latestEnrolment returns the contact's newest enrolment in the journey,
// or store.ErrNotFound.
func (e *Enroller) latestEnrolment(ctx context.Context, r Request) (store.Enrolment, error) {
	if r.Known == nil || r.Known.Enrolments == nil {
		return e.store.LatestEnrolment(ctx, r.BU, r.Journey, r.Contact)
	}
	if len(r.Known.Enrolments) == 0 {
		return store.Enrolment{}, store.ErrNotFound
	}
	return store.Latest(slices.Clone(r.Known.Enrolments)), nil
}

// resume finishes a repeated entry: it is already enrolled, and its
// execution is started if it never was.
func (e *Enroller) resume(ctx context.Context, en store.Enrolment) (Outcome, error) {
	if en.Execution != "" || en.Status != store.EnrolmentActive {
		return Outcome{Status: Already, Version: en.Version, Execution: en.Execution}, nil
	}
	v, err := e.catalog.Version(ctx, en.BU, en.Journey, en.Version)
	if err != nil {
		return Outcome{}, fmt.Errorf("resume enrolment of %s in %s: %w", en.Contact, en.Journey, err)
	}
	out, err := e.start(ctx, en, v, "")
	out.Status = Already
	return out, err
}

// start starts the execution of the version the enrolment names and
// records its id. A used name means a previous attempt started it.
func (e *Enroller) start(ctx context.Context, en store.Enrolment, v *catalog.Version, event string) (Outcome, error) {
	out := Outcome{Version: en.Version}
	input, err := json.Marshal(wire.Execution{
		V: wire.Version, BU: en.BU, Journey: en.Journey, Version: en.Version,
		Contact: en.Contact, Entry: en.Entry, Event: event,
	})
	if err != nil {
		return out, err
	}
	name := ExecutionName(en.BU, en.Journey, en.Contact, en.Entry)
	arn, err := e.starter.Start(ctx, v.Record.StateMachineVersion, name, string(input))
	if errors.Is(err, workflow.ErrExecutionExists) {
		arn, err = ExecutionArn(v.Record.StateMachineVersion, name), nil
	}
	if err != nil {
		return out, fmt.Errorf("start %s for %s: %w", en.Journey, en.Contact, err)
	}
	out.Execution = arn
	if _, err := e.store.UpdateEnrolment(ctx, en.BU, en.Journey, en.Contact, en.Entry, store.EnrolmentUpdate{Execution: &arn}); err != nil {
		return out, fmt.Errorf("record execution of %s in %s: %w", en.Contact, en.Journey, err)
	}
	return out, nil
}

// ExecutionName derives an execution's name from what identifies the entry:
// at most 80 characters of [a-z0-9-], and no contact data in it.
func ExecutionName(bu, journeyID, contact, entry string) string {
	sum := sha256.Sum256([]byte(bu + "\x00" + journeyID + "\x00" + contact + "\x00" + entry))
	prefix := journeyID
	if len(prefix) > 40 {
		prefix = prefix[:40]
	}
	return prefix + "-" + hex.EncodeToString(sum[:16])
}

// ExecutionArn builds the ARN Step Functions gives an execution of a
// machine version: arn:...:execution:<machine>:<name>.
func ExecutionArn(versionArn, name string) string {
	const sm, ex = ":stateMachine:", ":execution:"
	i := strings.Index(versionArn, sm)
	if i < 0 {
		return name
	}
	rest := versionArn[i+len(sm):]
	if j := strings.LastIndex(rest, ":"); j >= 0 {
		rest = rest[:j] // drop the version number
	}
	return versionArn[:i] + ex + rest + ":" + name
}

// refuse applies the entry policy and returns why the contact may not
// enter ("" when it may).
func (e *Enroller) refuse(ctx context.Context, r Request, v *catalog.Version) (string, error) {
	j := v.Journey()
	now := e.now()
	if p := j.Policies; p != nil {
		if !p.Start.T.IsZero() && now.Before(p.Start.T) {
			return "before the journey's start date", nil
		}
		if !p.End.T.IsZero() && !now.Before(p.End.T) {
			return "after the journey's end date", nil
		}
	}
	if reason, err := e.reentry(ctx, r, j.Entry, now); err != nil || reason != "" {
		return reason, err
	}
	var c store.Contact
	var interactions []segment.Interaction
	loaded := false
	if r.Known != nil {
		c = r.Known.Contact
		if r.Known.Interactions != nil {
			interactions, loaded = profile.Interactions(r.Known.Interactions), true
		}
	} else {
		var err error
		if c, err = e.store.GetContact(ctx, r.BU, r.Contact); errors.Is(err, store.ErrNotFound) {
			return "no such contact", nil
		} else if err != nil {
			return "", err
		}
	}
	if reason := consentReason(c, j); reason != "" {
		return reason, nil
	}
	attrs := profile.Attributes(c)
	// Conditions look at recent behaviour, so the newest interactions are
	// the ones to read when a contact has more than a page of them.
	load := func() ([]segment.Interaction, error) {
		if !loaded {
			page, err := e.store.ListInteractions(ctx, r.BU, r.Contact, store.InteractionQuery{Limit: 1000, NewestFirst: true})
			if err != nil {
				return nil, err
			}
			interactions, loaded = profile.Interactions(page.Items), true
		}
		return interactions, nil
	}
	if j.Entry != nil && j.Entry.Exclude != "" {
		in, err := load()
		if err != nil {
			return "", err
		}
		seg, err := v.Library.Segment(r.BU, j.Entry.Exclude)
		if err != nil {
			return "", err
		}
		if ok, err := seg.Contains(r.Contact, attrs, in, now); err != nil || ok {
			return "in the exclusion segment " + j.Entry.Exclude, err
		}
	}
	return e.eventFilter(v, r, attrs, load, now)
}

func (e *Enroller) reentry(ctx context.Context, r Request, entry *journey.Entry, now time.Time) (string, error) {
	prev, err := e.latestEnrolment(ctx, r)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if prev.Status == store.EnrolmentActive {
		return "already in the journey", nil
	}
	policy := journey.ReentryNever
	if entry != nil && entry.Reentry != "" {
		policy = entry.Reentry
	}
	switch policy {
	case journey.ReentryAlways:
		return "", nil
	case journey.ReentryAfter:
		if next := prev.EnteredAt.Add(entry.ReentryAfter.D); now.Before(next) {
			return "re-entry allowed from " + next.UTC().Format(time.DateOnly), nil
		}
		return "", nil
	}
	return "entered before; re-entry is not allowed", nil
}

// consentReason refuses a contact who consents to none of the channels the
// journey sends on: enrolling them would only produce skipped sends.
func consentReason(c store.Contact, j *journey.Journey) string {
	channels := map[string]bool{}
	for _, s := range j.Steps {
		if s.Send != nil {
			ch := s.Send.Channel
			if ch == journey.ChannelCustom && s.Send.CustomChannel != "" {
				ch = s.Send.CustomChannel
			}
			channels[ch] = true
		}
	}
	if len(channels) == 0 {
		return ""
	}
	for ch := range channels {
		if c.Channels[ch].Status == store.ConsentGranted {
			return ""
		}
	}
	return "no consent for any channel the journey sends on"
}

// eventFilter checks an event trigger's attributes and condition against
// the event that came in, when the request carries one.
func (e *Enroller) eventFilter(v *catalog.Version, r Request, attrs map[string]any,
	load func() ([]segment.Interaction, error), now time.Time) (string, error) {
	t := v.Journey().Trigger.Event
	if t == nil || r.EventName == "" {
		return "", nil
	}
	if r.EventName != t.Name {
		return "event " + r.EventName + " does not trigger this journey", nil
	}
	for _, f := range t.Attributes {
		if !sameValue(r.EventData[f.Key], f.Value) {
			return "event attribute " + f.Key + " does not match", nil
		}
	}
	if !t.Condition.IsSet() {
		return "", nil
	}
	in, err := load()
	if err != nil {
		return "", err
	}
	ok, err := v.Checked.Conditions[t.Condition].Eval(attrs, in, r.EventData, now)
	if err != nil || !ok {
		return "the trigger condition does not hold", err
	}
	return "", nil
}

// sameValue compares an event value (from JSON) with one written in YAML:
// numbers compare by value whatever their Go type.
func sameValue(got, want any) bool {
	if g, ok := number(got); ok {
		w, ok := number(want)
		return ok && g == w
	}
	return reflect.DeepEqual(got, want)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
