package journey

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEventScope: what each kind of trigger lets templates read as
// event.<name>, and the checks of the carries declaration.
func TestEventScope(t *testing.T) {
	tests := []struct {
		name    string
		trigger string // the trigger line (line 4)
		want    *EventScope
		probs   []string
	}{
		{"event with filters and carries",
			`trigger: {event: {name: webinar.registered, attributes: {webinarId: w1}, carries: [webinarTitle, joinUrl]}}`,
			&EventScope{Trigger: TriggerEvent, Event: "webinar.registered", Attributes: []string{"joinUrl", "webinarId", "webinarTitle"}, Pos: Pos{File: "j.journey.yaml", Line: 4, Col: 18}}, nil},
		{"event without attributes",
			`trigger: {event: {name: x.y}}`,
			&EventScope{Trigger: TriggerEvent, Event: "x.y", Attributes: []string{}, Pos: Pos{File: "j.journey.yaml", Line: 4, Col: 18}}, nil},
		{"linkedin form",
			`trigger: {linkedinForm: {form: f-1}}`,
			&EventScope{Trigger: TriggerLinkedIn, Pos: Pos{File: "j.journey.yaml", Line: 4, Col: 25}}, nil},
		{"segment",
			`trigger: {segment: {segment: engaged}}`,
			&EventScope{Trigger: TriggerSegment, Pos: Pos{File: "j.journey.yaml", Line: 4, Col: 20}}, nil},
		{"two kinds", `trigger: {segment: {segment: engaged}, event: {name: x.y}}`, nil,
			[]string{"j.journey.yaml:4:10: the trigger must have exactly one kind, it has 2 (allowed: segment, event, linkedinForm)"}},
		{"carries an invalid and a repeated name",
			`trigger: {event: {name: x.y, carries: [title, 2nd, title]}}`,
			&EventScope{Trigger: TriggerEvent, Event: "x.y", Attributes: []string{"2nd", "title"}, Pos: Pos{File: "j.journey.yaml", Line: 4, Col: 18}},
			[]string{
				`j.journey.yaml:4:39: event attribute name "2nd" is not valid (a name is a letter, then letters, digits or _)`,
				`j.journey.yaml:4:39: event attribute "title" is declared twice`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "id: j\nname: J\nbusinessUnit: acme\n" + tt.trigger + "\nsteps:\n  - id: a\n    end: true\n"
			j, probs := ParseJourney("j.journey.yaml", []byte(src))
			_, more := Check(j, testLib(t))
			if diff := cmp.Diff(tt.probs, problemLines(probs.Merge(more))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, j.EventScope()); diff != "" {
				t.Errorf("scope (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEventScopeReachesContent: a send step hands its journey's event
// scope to the content check, for the template and for block overrides.
func TestEventScopeReachesContent(t *testing.T) {
	src := "id: j\nname: J\nbusinessUnit: acme\ntrigger: {event: {name: x.y, carries: [title]}}\nsteps:\n" +
		"  - id: a\n    send: {channel: email, template: hello, blocks: {hero: footer}}\n"
	j, probs := ParseJourney("j.journey.yaml", []byte(src))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	rec := &recordingContent{}
	lib := testLib(t)
	lib.Content = rec
	if _, probs := Check(j, lib); len(probs) > 0 {
		t.Fatal(probs)
	}
	want := []string{"event:title", "event:title"}
	if diff := cmp.Diff(want, rec.keys); diff != "" {
		t.Errorf("scopes seen (-want +got):\n%s", diff)
	}
}

type recordingContent struct {
	fakeContent
	keys []string
}

func (r *recordingContent) CheckTemplate(ref TemplateRef, s *Schema) []Problem {
	r.keys = append(r.keys, ref.Event.Key())
	return r.fakeContent.CheckTemplate(ref, s)
}

func (r *recordingContent) CheckBlock(ref BlockRef, s *Schema) []Problem {
	r.keys = append(r.keys, ref.Event.Key())
	return r.fakeContent.CheckBlock(ref, s)
}
