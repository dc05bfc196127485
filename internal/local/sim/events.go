package sim

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"go.yaml.in/yaml/v3"
)

// Event types besides email events, form submissions and custom events.
const (
	TypeOpened    = "email.opened"
	TypeClicked   = "email.clicked"
	TypeForm      = "form.submitted"
	TypeApprove   = "approve"     // an approval step's request is approved
	TypeReject    = "reject"      // ... or rejected
	TypeUpdate    = "update"      // contact attributes change (set)
	TypeUnsub     = "unsubscribe" // the contact unsubscribes from everything
	AllContacts   = "*"
	maxEventsFile = 100000
)

// An Event is one scripted interaction of an events file or a journey
// test: who, when, what.
//
//	events:
//	  - {contact: c-0001, at: +2h, type: email.opened, step: send-intro}
//	  - {contact: c-0002, after: 30m, type: email.clicked, step: send-resources, url: https://...}
//	  - {contact: "*", share: 0.4, after: 1h, type: email.opened, step: send-intro}
//	  - {contact: c-0003, at: 2026-12-03T10:00:00Z, type: webinar.attended, data: {webinarId: w-12}}
//	  - {contact: c-0001, after: 1h, type: approve, step: ask-sales}
//	  - {contact: c-0004, at: +3d, type: update, set: {lifecycleStage: sql}}
type Event struct {
	// Contact is a contact id, or "*" for every contact of the run.
	Contact string
	// Share, with "*", is the fraction of contacts it applies to (0 < share
	// <= 1), the same contacts for the same seed; 1 when not given.
	Share float64
	// At is when it happens: Abs (an absolute time), or Rel after the
	// contact's entry (written "+2d").
	At When
	// After, instead of At, is how long after the contact reached Step it
	// happens: the message of a send step was delivered, an approval was
	// requested, a wait for an event began. It never happens for a contact
	// who does not reach the step.
	After time.Duration
	// Type is email.opened, email.clicked, form.submitted, approve,
	// reject, update, unsubscribe, or a custom event name (dotted, such as
	// webinar.attended).
	Type string
	// Step names the send step of an email event (its message is opened or
	// clicked), the approval step of approve and reject, or with After the
	// step reached.
	Step string
	URL  string         // email.clicked: the link
	Form string         // form.submitted: the form id
	Data map[string]any // a custom event's attributes
	Set  map[string]any // update: attributes to set
	Pos  journey.Pos
}

// When is an absolute time or one relative to the contact's entry.
type When struct {
	Abs time.Time
	Rel time.Duration
	Set bool
}

// Resolve returns the time for a contact who entered at entry.
func (w When) Resolve(entry time.Time) time.Time {
	if !w.Abs.IsZero() {
		return w.Abs
	}
	return entry.Add(w.Rel)
}

func (w When) String() string {
	switch {
	case !w.Abs.IsZero():
		return w.Abs.UTC().Format(time.RFC3339)
	case w.Rel < 0:
		return "-" + journey.FormatDuration(-w.Rel)
	}
	return "+" + journey.FormatDuration(w.Rel)
}

var eventNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$`)

// ParseWhen reads "+2d" (after entry; journey durations: 30s, 15m, 2h, 3d,
// 1w, 1d12h), "-3d" (before entry, for past interactions), a date
// (2026-12-03) or an RFC 3339 time.
func ParseWhen(s string) (When, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		d, err := journey.ParseDuration(rest)
		if err != nil {
			return When{}, fmt.Errorf("%v (write -3d)", err)
		}
		return When{Rel: -d, Set: true}, nil
	}
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		if rest == "0" || rest == "0s" {
			return When{Set: true}, nil
		}
		d, err := journey.ParseDuration(rest)
		if err != nil {
			return When{}, fmt.Errorf("%v (write +30m, +2h, +3d)", err)
		}
		return When{Rel: d, Set: true}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return When{Abs: t.UTC(), Set: true}, nil
		}
	}
	return When{}, fmt.Errorf("%q is neither +<duration> after entry nor a time like 2026-12-03T10:00:00Z", s)
}

// ReadEvents reads an events file:
//
//	events:
//	  - {contact: c-0001, at: +2h, type: email.opened, step: send-intro}
func ReadEvents(file string) ([]Event, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	r := &Reader{File: file}
	var out []Event
	if root := r.Parse(src); root != nil {
		r.Mapping(root, "events file", []string{"events"}, func(_ string, _, v *yaml.Node) {
			out = r.Events(v)
		})
	}
	if len(r.Problems) > 0 {
		return nil, r.Problems.Sort()
	}
	return out, nil
}

// Events reads a list of events.
func (r *Reader) Events(n *yaml.Node) []Event {
	var out []Event
	r.Sequence(n, "events", func(i int, item *yaml.Node) {
		if i == maxEventsFile {
			r.Add(item, "", "more than %d events", maxEventsFile)
		}
		if i >= maxEventsFile {
			return
		}
		if e, ok := r.Event(item); ok {
			out = append(out, e)
		}
	})
	return out
}

var eventKeys = []string{"contact", "share", "at", "after", "type", "step", "url", "form", "data", "set"}

// Event reads one event and checks it.
func (r *Reader) Event(n *yaml.Node) (Event, bool) {
	before := len(r.Problems)
	e := Event{Pos: r.Pos(n)}
	r.Mapping(n, "event", eventKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "contact":
			e.Contact = r.String(v, "contact")
		case "share":
			f, err := strconv.ParseFloat(r.String(v, "share"), 64)
			if err != nil || f <= 0 || f > 1 {
				r.Add(v, "a fraction of the contacts, 0 < share <= 1", "share: %q is not a fraction", v.Value)
			}
			e.Share = f
		case "at":
			w, err := ParseWhen(r.String(v, "at"))
			if err != nil {
				r.Add(v, "", "at: %v", err)
			}
			e.At = w
			e.At.Set = true
		case "after":
			d, err := journey.ParseDuration(strings.TrimPrefix(r.String(v, "after"), "+"))
			if err != nil || d <= 0 {
				r.Add(v, "write 30m, 2h, 3d", "after: %q is not a duration", v.Value)
				d = time.Nanosecond // present, so no "missing" problem follows
			}
			e.After = d
		case "type":
			e.Type = r.String(v, "type")
		case "step":
			e.Step = r.String(v, "step")
		case "url":
			e.URL = r.String(v, "url")
		case "form":
			e.Form = r.String(v, "form")
		case "data", "set":
			m, ok := r.Value(v, key).(map[string]any)
			if !ok {
				r.Add(v, "", "%s: expected a mapping of attribute names to values", key)
			}
			if key == "data" {
				e.Data = m
			} else {
				e.Set = m
			}
		}
	})
	r.checkEvent(n, &e)
	return e, len(r.Problems) == before
}

// checkEvent checks what an event needs for its type.
func (r *Reader) checkEvent(n *yaml.Node, e *Event) {
	if n.Kind != yaml.MappingNode {
		return
	}
	if e.Contact == "" {
		r.Add(n, `a contact id, or "*" for every contact`, "event: missing \"contact\"")
	}
	if e.Share != 0 && e.Contact != AllContacts {
		r.Add(n, "", "event: share applies to contact \"*\" only")
	}
	if e.Share == 0 {
		e.Share = 1
	}
	switch {
	case e.At.Set && e.After > 0:
		r.Add(n, "", "event: give \"at\" or \"after\", not both")
	case !e.At.Set && e.After == 0:
		r.Add(n, "at: +2h (after entry) or a time; after: 30m (after reaching step)", "event: missing \"at\" or \"after\"")
	case e.After > 0 && e.Step == "":
		r.Add(n, "", "event: \"after\" counts from reaching a step: add \"step\"")
	}
	switch e.Type {
	case "":
		r.Add(n, "", "event: missing \"type\"")
	case TypeOpened, TypeClicked, TypeApprove, TypeReject:
		if e.Step == "" {
			r.Add(n, "the send step whose email it is, or the approval step", "event %s: missing \"step\"", e.Type)
		}
	case TypeUpdate:
		if len(e.Set) == 0 {
			r.Add(n, "set: {lifecycleStage: sql}", "event update: missing \"set\"")
		}
	case TypeForm, TypeUnsub:
	default:
		if !eventNameRE.MatchString(e.Type) {
			r.Add(n, "email.opened, email.clicked, form.submitted, approve, reject, update, unsubscribe, or a dotted custom event name",
				"event: unknown type %q", e.Type)
		}
	}
}
