package journeytest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local/sim"
	"go.yaml.in/yaml/v3"
)

// Suffix names journey test files: <journey id>.test.yaml, next to
// <journey id>.journey.yaml.
const Suffix = ".test.yaml"

// A File is one journey test file.
//
//	journey: welcome                 # default: the file name's <id>
//	start: 2026-12-01T09:00:00Z      # when the contacts enter (virtual time)
//	until: 30d                       # how long each test runs (default 30d)
//	event: {webinarTitle: Forecasting}   # what an event trigger's event carries
//	                                     # besides its filter (event.<name>)
//	tests:
//	  - name: an opened intro leads to the resources
//	    contacts:
//	      - c-0005                   # a sample contact (journeys/contacts)
//	      - id: t-warm               # a contact of this test
//	        base: c-0005             # starting from a sample contact (optional)
//	        consent: {email: true}       # channel consents
//	        topics: {offers: true}       # topic consents
//	        attributes: {leadScore: 80}
//	        interactions:            # past ones: -3d before the start, or a time
//	          - {type: email.opened, at: -3d}
//	    events:                      # the events file format
//	      - {contact: t-warm, after: 1h, type: email.opened, step: send-intro}
//	    failures:                    # outbound calls that fail (send, webhook steps)
//	      - {step: crm, status: 500}             # every call: 4xx for good, 429/5xx for now
//	      - {step: crm, status: 503, times: 2}   # the first two calls, then it works
//	      - {step: send-intro, contact: t-warm, status: 400}
//	    expect:
//	      t-warm:
//	        path: [send-intro, wait-open, send-resources, warm-lead, ask-sales]
//	        messages:
//	          - {step: send-intro, channel: email, template: welcome-intro, at: +0s}
//	        log:                     # step log entries that must appear, in order
//	          - {step: send-intro, outcome: deferred, reason: quiet hours until 08:00}
//	        status: active           # completed, goal, exited, failed, active, not-enrolled
//	        reason: ...              # the exit or refusal reason
type File struct {
	Path    string
	Journey string
	Start   time.Time
	Until   time.Duration
	// Event is what the event enrolling the contacts of an event-triggered
	// journey carries besides the trigger's filter (sim.Options.Event).
	Event map[string]any
	Tests []*Case
}

// A Case is one test: contacts, scripted events, and what to expect.
type Case struct {
	Name     string
	Contacts []ContactSpec
	Events   []sim.Event
	Failures []sim.Failure
	Expect   []Expect
	Pos      journey.Pos
}

// A ContactSpec is a contact of a test: a sample contact by id, or one
// written in the test (optionally starting from a sample contact).
type ContactSpec struct {
	ID         string
	Base       string
	Consent    map[string]bool
	Topics     map[string]bool
	Attributes map[string]any
	AttrPos    map[string]journey.Pos
	// Interactions are past ones (at: -3d before the start, or a time).
	Interactions []PastInteraction
	Pos          journey.Pos
}

// A PastInteraction is something a test contact did or received before
// the test starts (segment conditions and frequency caps read them).
type PastInteraction struct {
	Type     string
	At       sim.When
	Channel  string
	Template string
	Form     string
	Journey  string
}

// Expect is what a test expects of one contact. Unset parts are not
// checked.
type Expect struct {
	Contact  string
	Path     []string
	Messages []Message
	Log      []LogEntry
	Status   string
	Reason   string
	Pos      journey.Pos
	has      map[string]bool
}

// Checks reports whether the expectation checks a part (path, messages,
// log, status, reason).
func (e Expect) Checks(part string) bool { return e.has[part] }

// A Message is a message a contact receives.
type Message struct {
	Step     string `json:"step"`
	Channel  string `json:"channel"`
	Template string `json:"template"`
	At       string `json:"at"` // "+2h" after entry, or an RFC 3339 time; "" is not checked
}

// A LogEntry is a step log entry: what a step did and why.
type LogEntry struct {
	Step    string `json:"step"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// Final states a test may expect.
const NotEnrolled = "not-enrolled"

var statuses = []string{"completed", "goal", "exited", "failed", "stopped", "active", NotEnrolled}

var contactIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ReadFile reads and checks a journey test file's shape (steps and
// contacts are checked against the journey when it runs).
func ReadFile(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read journey test: %w", err)
	}
	r := &sim.Reader{File: path}
	f := &File{Path: path, Journey: strings.TrimSuffix(filepath.Base(path), Suffix), Until: 30 * 24 * time.Hour}
	if root := r.Parse(src); root != nil {
		startSet := false
		r.Mapping(root, "journey test", []string{"journey", "start", "until", "event", "tests"}, func(key string, _, v *yaml.Node) {
			switch key {
			case "event":
				m, ok := r.Value(v, key).(map[string]any)
				if !ok {
					r.Add(v, "write event: {webinarTitle: Forecasting}", "event: expected a mapping of attribute names to values")
				}
				f.Event = m
			case "journey":
				f.Journey = r.String(v, "journey")
			case "start":
				w, err := sim.ParseWhen(r.String(v, "start"))
				if err != nil || w.Abs.IsZero() {
					r.Add(v, "a time like 2026-12-01T09:00:00Z", "start: %q is not a time", v.Value)
				}
				f.Start, startSet = w.Abs, true
			case "until":
				d, err := journey.ParseDuration(r.String(v, "until"))
				if err != nil || d <= 0 {
					r.Add(v, "write 30d", "until: %q is not a duration", v.Value)
				}
				f.Until = d
			case "tests":
				r.Sequence(v, "tests", func(_ int, item *yaml.Node) {
					if c := readCase(r, item); c != nil {
						f.Tests = append(f.Tests, c)
					}
				})
			}
		})
		if !startSet {
			r.Add(root, "write start: 2026-12-01T09:00:00Z", "journey test: missing \"start\" (tests run on a virtual clock)")
		}
		if len(f.Tests) == 0 && len(r.Problems) == 0 {
			r.Add(root, "", "journey test: no tests")
		}
	}
	if len(r.Problems) > 0 {
		return nil, r.Problems.Sort()
	}
	return f, nil
}

func readCase(r *sim.Reader, n *yaml.Node) *Case {
	c := &Case{Pos: r.Pos(n)}
	r.Mapping(n, "test", []string{"name", "contacts", "events", "failures", "expect"}, func(key string, _, v *yaml.Node) {
		switch key {
		case "name":
			c.Name = r.String(v, "name")
		case "contacts":
			r.Sequence(v, "contacts", func(_ int, item *yaml.Node) {
				c.Contacts = append(c.Contacts, readContact(r, item))
			})
		case "events":
			c.Events = r.Events(v)
		case "failures":
			r.Sequence(v, "failures", func(_ int, item *yaml.Node) {
				c.Failures = append(c.Failures, readFailure(r, item))
			})
		case "expect":
			r.Mapping(v, "expect", keysOf(v), func(contact string, k, e *yaml.Node) {
				c.Expect = append(c.Expect, readExpect(r, contact, k, e))
			})
		}
	})
	if n.Kind != yaml.MappingNode {
		return nil
	}
	if c.Name == "" {
		r.Add(n, "", "test: missing \"name\"")
	}
	if len(c.Contacts) == 0 {
		r.Add(n, "", "test %q: no contacts", c.Name)
	}
	ids := map[string]bool{}
	for _, k := range c.Contacts {
		if ids[k.ID] {
			r.Problems.Add(k.Pos, "", "test %q: contact %q is listed twice", c.Name, k.ID)
		}
		ids[k.ID] = true
	}
	for _, e := range c.Expect {
		if !ids[e.Contact] {
			r.Problems.Add(e.Pos, "", "test %q: expectation for %q, which is not one of the test's contacts", c.Name, e.Contact)
		}
	}
	for _, f := range c.Failures {
		if f.Contact != "" && !ids[f.Contact] {
			r.Problems.Add(f.Pos, "", "test %q: failure for %q, which is not one of the test's contacts", c.Name, f.Contact)
		}
	}
	for _, ev := range c.Events {
		if ev.Contact != sim.AllContacts && !ids[ev.Contact] {
			r.Problems.Add(ev.Pos, "", "test %q: event for %q, which is not one of the test's contacts", c.Name, ev.Contact)
		}
	}
	return c
}

func keysOf(n *yaml.Node) []string {
	var out []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			out = append(out, n.Content[i].Value)
		}
	}
	return out
}

func readContact(r *sim.Reader, n *yaml.Node) ContactSpec {
	c := ContactSpec{Pos: r.Pos(n)}
	if n.Kind == yaml.ScalarNode {
		c.ID = r.String(n, "contact")
		c.Base = c.ID
		return c
	}
	r.Mapping(n, "contact", []string{"id", "base", "consent", "topics", "attributes", "interactions"}, func(key string, _, v *yaml.Node) {
		switch key {
		case "id":
			c.ID = r.String(v, "id")
		case "base":
			c.Base = r.String(v, "base")
		case "consent":
			c.Consent = readSwitches(r, v, "consent", "consent")
		case "topics":
			c.Topics = readSwitches(r, v, "topics", "topic")
		case "interactions":
			r.Sequence(v, "interactions", func(_ int, item *yaml.Node) {
				c.Interactions = append(c.Interactions, readPast(r, item))
			})
		case "attributes":
			c.Attributes, c.AttrPos = map[string]any{}, map[string]journey.Pos{}
			r.Mapping(v, "attributes", keysOf(v), func(name string, _, a *yaml.Node) {
				c.Attributes[name] = r.Value(a, name)
				c.AttrPos[name] = r.Pos(a)
			})
		}
	})
	if c.ID == "" {
		r.Add(n, "", "contact: missing \"id\"")
	} else if !contactIDRE.MatchString(c.ID) {
		r.Add(n, "letters, digits, '.', '_' and '-'", "contact id %q is not valid", c.ID)
	}
	return c
}

// readSwitches reads a mapping of names to true or false (consent per
// channel, per topic); what names an entry in messages.
func readSwitches(r *sim.Reader, v *yaml.Node, field, what string) map[string]bool {
	out := map[string]bool{}
	r.Mapping(v, field, keysOf(v), func(name string, _, b *yaml.Node) {
		on, isBool := r.Value(b, field).(bool)
		if !isBool {
			r.Add(b, "true or false", "%s %s: expected true or false", what, name)
		}
		out[name] = on
	})
	return out
}

func readPast(r *sim.Reader, n *yaml.Node) PastInteraction {
	var p PastInteraction
	r.Mapping(n, "interaction", []string{"type", "at", "channel", "template", "form", "journey"}, func(key string, _, v *yaml.Node) {
		s := r.String(v, key)
		switch key {
		case "type":
			p.Type = s
		case "at":
			w, err := sim.ParseWhen(s)
			if err != nil {
				r.Add(v, "", "at: %v", err)
			}
			p.At = w
		case "channel":
			p.Channel = s
		case "template":
			p.Template = s
		case "form":
			p.Form = s
		case "journey":
			p.Journey = s
		}
	})
	if p.Type == "" || !p.At.Set {
		r.Add(n, "{type: email.opened, at: -3d}", "interaction: \"type\" and \"at\" are required")
	}
	return p
}

// readFailure reads a failure of a step's outbound call (the journey's
// steps are checked when the test runs).
func readFailure(r *sim.Reader, n *yaml.Node) sim.Failure {
	f := sim.Failure{Pos: r.Pos(n)}
	number := func(v *yaml.Node, key string) int {
		i, err := strconv.Atoi(r.String(v, key))
		if err != nil {
			r.Add(v, "a whole number", "%s: %q is not a number", key, v.Value)
		}
		return i
	}
	r.Mapping(n, "failure", []string{"step", "contact", "status", "times"}, func(key string, _, v *yaml.Node) {
		switch key {
		case "step":
			f.Step = r.String(v, key)
		case "contact":
			f.Contact = r.String(v, key)
		case "status":
			if f.Status = number(v, key); f.Status < 400 || f.Status > 599 {
				r.Add(v, "400 to 599: a 4xx fails for good, 429 and 5xx for now", "status: %s is not a failure", v.Value)
			}
		case "times":
			if f.Times = number(v, key); f.Times < 1 {
				r.Add(v, "leave it out for every call", "times: %s is not a positive number", v.Value)
			}
		}
	})
	if n.Kind == yaml.MappingNode && (f.Step == "" || f.Status == 0) {
		r.Add(n, "{step: crm, status: 500}", "failure: \"step\" and \"status\" are required")
	}
	return f
}

func readExpect(r *sim.Reader, contact string, k, n *yaml.Node) Expect {
	e := Expect{Contact: contact, Pos: r.Pos(k), has: map[string]bool{}}
	r.Mapping(n, "expect "+contact, []string{"path", "messages", "log", "status", "reason"}, func(key string, _, v *yaml.Node) {
		e.has[key] = true
		switch key {
		case "path":
			e.Path = []string{}
			r.Sequence(v, "path", func(_ int, s *yaml.Node) { e.Path = append(e.Path, r.String(s, "path step")) })
		case "messages":
			e.Messages = []Message{}
			r.Sequence(v, "messages", func(_ int, m *yaml.Node) { e.Messages = append(e.Messages, readMessage(r, m)) })
		case "log":
			e.Log = []LogEntry{}
			r.Sequence(v, "log", func(_ int, l *yaml.Node) { e.Log = append(e.Log, readLog(r, l)) })
		case "status":
			e.Status = r.String(v, "status")
			if !contains(statuses, e.Status) {
				r.Add(v, "one of "+strings.Join(statuses, ", "), "status: unknown %q", e.Status)
			}
		case "reason":
			e.Reason = r.String(v, "reason")
		}
	})
	return e
}

func readMessage(r *sim.Reader, n *yaml.Node) Message {
	var m Message
	r.Mapping(n, "message", []string{"step", "channel", "template", "at"}, func(key string, _, v *yaml.Node) {
		s := r.String(v, key)
		switch key {
		case "step":
			m.Step = s
		case "channel":
			m.Channel = s
		case "template":
			m.Template = s
		case "at":
			if w, err := sim.ParseWhen(s); err != nil {
				r.Add(v, "", "at: %v", err)
			} else {
				m.At = w.String()
			}
		}
	})
	if m.Step == "" {
		r.Add(n, "", "message: missing \"step\"")
	}
	return m
}

func readLog(r *sim.Reader, n *yaml.Node) LogEntry {
	var l LogEntry
	r.Mapping(n, "log entry", []string{"step", "outcome", "reason"}, func(key string, _, v *yaml.Node) {
		s := r.String(v, key)
		switch key {
		case "step":
			l.Step = s
		case "outcome":
			l.Outcome = s
		case "reason":
			l.Reason = s
		}
	})
	if l.Step == "" || l.Outcome == "" {
		r.Add(n, "", "log entry: \"step\" and \"outcome\" are required")
	}
	return l
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
