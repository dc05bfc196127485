package journey

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"empty file", "", []string{"j.journey.yaml:1:1: the file is empty"}},
		{"not yaml", "id: [a\n", []string{"j.journey.yaml:1:1: invalid YAML: did not find expected ',' or ']'"}},
		{"top level list", "- a\n- b\n", []string{"j.journey.yaml:1:1: expected a mapping (key: value) for the journey, got a list"}},
		{"duplicate key", "id: a\nid: b\n", []string{`j.journey.yaml:2:1: duplicate key "id"`}},
		{"unknown top-level key", "id: a\nbusinesUnit: x\n", []string{`j.journey.yaml:2:1: unknown key "businesUnit" in the journey (did you mean "businessUnit"?)`}},
		{"string expected", "id: 12\n", []string{"j.journey.yaml:1:5: expected a string, got the number 12"}},
		{"bool expected", "id: a\nsteps: [{id: x, end: yes}]\n", []string{`j.journey.yaml:2:22: expected true or false, got the string "yes"`}},
		{"time of day", "policies: {quietHours: {from: 25:00, to: \"8h\"}}\n", []string{
			`j.journey.yaml:1:31: expected a time of day, got the string "25:00" (write it as HH:MM on a 24-hour clock, quoted, e.g. "09:30")`,
			`j.journey.yaml:1:42: expected a time of day, got the string "8h" (write it as HH:MM on a 24-hour clock, quoted, e.g. "09:30")`,
		}},
		{"go duration", "goal: {within: 90m30s}\n", nil},
		{"go style duration", "goal: {within: 1.5h}\n", []string{`j.journey.yaml:1:16: "1.5h" is not a duration (units are s, m, h, d and w, without fractions; write it like 90m or 1d12h)`}},
		{"date", "policies: {start: tomorrow}\n", []string{`j.journey.yaml:1:19: expected a date, got the string "tomorrow" (write a date like 2026-03-01 or a time like 2026-03-01T09:00:00Z)`}},
		{"alias bomb", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n", []string{
			`j.journey.yaml:1:1: unknown key "a" in the journey (allowed: businessUnit, description, entry, exit, goal, id, name, policies, steps, trigger)`,
			`j.journey.yaml:2:1: unknown key "b" in the journey (allowed: businessUnit, description, entry, exit, goal, id, name, policies, steps, trigger)`,
			`j.journey.yaml:3:1: unknown key "c" in the journey (allowed: businessUnit, description, entry, exit, goal, id, name, policies, steps, trigger)`,
			`j.journey.yaml:4:1: unknown key "d" in the journey (allowed: businessUnit, description, entry, exit, goal, id, name, policies, steps, trigger)`,
			`j.journey.yaml:5:1: unknown key "e" in the journey (allowed: businessUnit, description, entry, exit, goal, id, name, policies, steps, trigger)`,
			`j.journey.yaml:6:1: unknown key "f" in the journey (allowed: businessUnit, description, entry, exit, goal, id, name, policies, steps, trigger)`,
			`j.journey.yaml:7:1: unknown key "g" in the journey (allowed: businessUnit, description, entry, exit, goal, id, name, policies, steps, trigger)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := ParseJourney("j.journey.yaml", []byte(tt.src))
			if diff := cmp.Diff(tt.want, problemLines(probs)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePositionsAndValues(t *testing.T) {
	src := header + `  - id: w
    wait: {duration: 1d12h}
  - id: s
    send:
      channel: email
      template: hello
`
	j, probs := ParseJourney("j.journey.yaml", []byte(src))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if got := j.Steps[0].Wait.Duration.D; got != 36*time.Hour {
		t.Errorf("duration = %v, want 36h", got)
	}
	want := []Pos{{"j.journey.yaml", 6, 5}, {"j.journey.yaml", 8, 5}, {"j.journey.yaml", 11, 17}}
	got := []Pos{j.Steps[0].Pos, j.Steps[1].Pos, j.Steps[1].Send.At("template")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
}

func TestSchemaAndSegmentProblems(t *testing.T) {
	lib := NewLibrary()
	probs := lib.AddSchema("s.schema.yaml", []byte("businessUnit: acme\nattributes:\n  plan: {type: strng}\n  score: {type: int, values: [a]}\n  bad-name: {type: bool}\n  empty:\n"))
	probs = append(probs, lib.AddSegment("x.segment.yaml", []byte("name: x\nbusinessUnit: acme\ncondition: contact.score == \"x\"\n"))...)
	probs = append(probs, lib.AddSegment("y.segment.yaml", []byte("name: y\nbusinessUnit: acme\n"))...)
	want := []string{
		`s.schema.yaml:3:16: attribute "plan": unknown type "strng" (did you mean "string"?)`,
		`s.schema.yaml:4:30: attribute "score": values given for a int (only string attributes list allowed values)`,
		`s.schema.yaml:5:13: attribute name "bad-name" is not valid (letters, digits and _, starting with a letter (camelCase))`,
		`s.schema.yaml:6:9: attribute "empty": missing "type" (allowed: bool, double, int, list, string, timestamp)`, // found by FuzzSchemaFile: unplaced
		`x.segment.yaml:3:26: segment "x": found no matching overload for '_==_' applied to '(int, string)'`,
		`y.segment.yaml:1:1: segment "y" has neither "condition" nor "contacts" (add a CEL condition, or a static list of contact ids)`,
	}
	if diff := cmp.Diff(want, problemLines(probs.Sort())); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestContactsProblems(t *testing.T) {
	lib := testLib(t)
	c, probs := ParseContacts("c.contacts.yaml", []byte(`businessUnit: acme
contacts:
  - id: c-1
    consent: {email: true, sms: false, push: true, custom: true, Fax: true}
    attributes: {plan: gold, leadScore: "9", contry: DE}
  - id: c-1
    attributes: {}
`))
	probs = probs.Merge(lib.CheckContacts(c))
	want := []string{
		`c.contacts.yaml:4:14: contact "c-1": consent channel "Fax" is not a valid channel name (email, sms, or a custom channel's name such as push)`,
		`c.contacts.yaml:4:14: contact "c-1": "custom" is not a channel to consent to (name the custom channel as its sends do, e.g. push: true)`,
		`c.contacts.yaml:5:24: contact "c-1": "gold" is not a value of attribute "plan" (allowed: free, pro, team)`,
		`c.contacts.yaml:5:41: contact "c-1": value does not fit int attribute "leadScore"`,
		`c.contacts.yaml:5:46: contact "c-1": unknown attribute "contry" (did you mean "country"?)`,
		`c.contacts.yaml:6:9: duplicate contact id "c-1"`,
	}
	if diff := cmp.Diff(want, problemLines(probs)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestProblemsFormatCaps(t *testing.T) {
	var ps Problems
	for i := 0; i < 25; i++ {
		ps.Add(Pos{File: "f", Line: 25 - i, Col: 1}, "", "problem %d", i)
	}
	out := ps.Sort().Format(0)
	lines := splitLines(out)
	if len(lines) != MaxReported+1 || lines[0] != "f:1:1: problem 24" || lines[MaxReported] != "and 5 more" {
		t.Errorf("Format =\n%s", out)
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}
