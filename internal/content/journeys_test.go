package content_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/journey"
)

// TestJourneyContent checks template references the way `journeys
// validate` does: against the example content library and contact schema.
func TestJourneyContent(t *testing.T) {
	root := filepath.Join("..", "..", "journeys")
	src, probs := content.LoadFiles(os.DirFS(filepath.Join(root, "content")), "content")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	lib, jprobs := journey.LoadDir(root)
	if len(jprobs) > 0 {
		t.Fatal(jprobs)
	}
	schema := lib.Schemas["northwind"]
	jc := content.NewJourneyContent(src)
	pos := journey.Pos{File: "j.journey.yaml", Line: 9, Col: 7}
	tests := []struct {
		name, channel, id string
		want              string // substring of the only problem; "" for none
	}{
		{"exists", "email", "welcome-intro", ""},
		{"sms", "sms", "webinar-reminder-sms", ""},
		{"misspelt", "email", "welcome-ofer", `unknown template "welcome-ofer" (did you mean "welcome-offer"?)`},
		{"wrong channel", "sms", "welcome-intro", `template "welcome-intro" is a email template, not sms`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := jc.CheckTemplate(journey.TemplateRef{Step: "s", Channel: tt.channel, ID: tt.id, Pos: pos}, schema)
			if tt.want == "" {
				if len(got) > 0 {
					t.Fatalf("problems: %v", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].String(), tt.want) || got[0].Pos != pos {
				t.Fatalf("problems %v, want one at %v containing %q", got, pos, tt.want)
			}
		})
	}
	if got := jc.CheckBlock(journey.BlockRef{Step: "s", ID: "footr", Pos: pos}, schema); len(got) != 1 || !strings.Contains(got[0].String(), `did you mean "footer"?`) {
		t.Fatalf("unknown block: %v", got)
	}
}

// TestJourneyContentUnknownVariable: a template reading an attribute the
// schema does not declare fails validation, not a send.
func TestJourneyContentUnknownVariable(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmpl := "---\nchannel: sms\nkind: transactional\n---\nHi {{ contact.favouriteColour }}\n"
	if err := os.WriteFile(filepath.Join(dir, "templates", "hi.liquid"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	src, probs := content.LoadFiles(os.DirFS(dir), dir)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	lib, _ := journey.LoadDir(filepath.Join("..", "..", "journeys"))
	got := content.NewJourneyContent(src).CheckTemplate(journey.TemplateRef{Step: "s", Channel: "sms", ID: "hi"}, lib.Schemas["northwind"])
	if len(got) == 0 || !strings.Contains(got[0].String(), "favouriteColour") || got[0].Pos.Line == 0 {
		t.Fatalf("problems %v, want the unknown variable with its line", got)
	}
}

// TestJourneyContentEventAttributes: event.<name> is checked against what
// the journey's trigger provides, with a hint saying what to do.
func TestJourneyContentEventAttributes(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmpl := "---\nchannel: sms\nkind: transactional\n---\n{{ event.webinarTitle }} starts soon: {{ event.joinUrl }}\n"
	if err := os.WriteFile(filepath.Join(dir, "templates", "hi.liquid"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	src, probs := content.LoadFiles(os.DirFS(dir), "content")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	lib, _ := journey.LoadDir(filepath.Join("..", "..", "journeys"))
	schema := lib.Schemas["northwind"]
	trig := journey.Pos{File: "j.journey.yaml", Line: 4, Col: 5}
	event := func(names ...string) *journey.EventScope {
		return &journey.EventScope{Trigger: journey.TriggerEvent, Event: "webinar.registered", Attributes: names, Pos: trig}
	}
	tests := []struct {
		name  string
		scope *journey.EventScope
		want  []string
	}{
		{"any when unknown", nil, nil},
		{"declared", event("joinUrl", "webinarId", "webinarTitle"), nil},
		{"misspelt", event("joinUrl", "webinarTittle"), []string{
			`content/templates/hi.liquid:5:4: template "hi" (used by step "s"): unknown event attribute "webinarTitle" (did you mean "webinarTittle"?)`,
		}},
		{"not declared", event("webinarTitle"), []string{
			`content/templates/hi.liquid:5:42: template "hi" (used by step "s"): unknown event attribute "joinUrl" (if every webinar.registered event carries it, declare it in the journey's event trigger (j.journey.yaml:4:5): carries: [joinUrl])`,
		}},
		{"segment trigger", &journey.EventScope{Trigger: journey.TriggerSegment, Pos: trig}, []string{
			`content/templates/hi.liquid:5:4: template "hi" (used by step "s"): unknown event attribute "webinarTitle" (the journey starts from a segment (j.journey.yaml:4:5), which gives no event: read contact attributes instead)`,
			`content/templates/hi.liquid:5:42: template "hi" (used by step "s"): unknown event attribute "joinUrl" (the journey starts from a segment (j.journey.yaml:4:5), which gives no event: read contact attributes instead)`,
		}},
		{"linkedin form trigger", &journey.EventScope{Trigger: journey.TriggerLinkedIn, Pos: trig}, []string{
			`content/templates/hi.liquid:5:4: template "hi" (used by step "s"): unknown event attribute "webinarTitle" (the journey starts from a LinkedIn form (j.journey.yaml:4:5), which gives no event: the lead's answers are contact attributes)`,
			`content/templates/hi.liquid:5:42: template "hi" (used by step "s"): unknown event attribute "joinUrl" (the journey starts from a LinkedIn form (j.journey.yaml:4:5), which gives no event: the lead's answers are contact attributes)`,
		}},
	}
	// One checker for all cases: its caches must keep the scopes apart.
	jc := content.NewJourneyContent(src)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := jc.CheckTemplate(journey.TemplateRef{Step: "s", Channel: "sms", ID: "hi", Event: tt.scope}, schema)
			var lines []string
			for _, p := range got {
				lines = append(lines, p.String())
			}
			if diff := cmp.Diff(tt.want, lines); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
