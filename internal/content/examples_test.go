package content

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/journeys-oss/journeys/internal/testsvc"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// exampleLibrary loads the example content library in journeys/content.
func exampleLibrary(t testing.TB) (*Library, *FileSource) {
	t.Helper()
	dir := filepath.Join(testsvc.Root(t), "journeys", "content")
	src, problems := LoadFiles(os.DirFS(dir), "journeys/content")
	if len(problems) > 0 {
		t.Fatalf("load journeys/content:\n%v", problems)
	}
	schema := testSchema()
	delete(schema.Contact, "email") // the example schema has no email attribute in templates
	schema.Event = &EventSchema{Names: []string{"joinUrl", "webinarStartsAt", "webinarTitle"}}
	return NewLibrary(src, Options{Schema: schema, Links: testLinks(t)}), src
}

// The example ids other packages refer to.
var exampleTemplates = []string{
	"welcome-intro", "welcome-resources", "welcome-offer", "welcome-reminder",
	"webinar-confirmation", "webinar-reminder", "webinar-recording", "webinar-missed",
	"reengage-a", "reengage-b", "reengage-last-chance", "handoff-intro",
	"newsletter-monthly", "account-notice",
	"webinar-reminder-sms", "newsletter-sms-digest", "push-welcome",
}

var exampleBlocks = []string{"header", "footer", "legal-gdpr", "product-card", "cta-button", "owner-signature"}

func TestExampleContentChecks(t *testing.T) {
	l, src := exampleLibrary(t)
	if ps := l.Check(context.Background(), "northwind"); len(ps) > 0 {
		t.Fatalf("journeys/content has problems:\n%v", ps)
	}
	idx, _ := src.List(context.Background(), "northwind")
	have := map[string]bool{}
	for _, e := range idx.Templates {
		have["template "+e.ID] = true
	}
	for _, e := range idx.Blocks {
		have[fmt.Sprintf("block %s", e.Name)] = true
		have[fmt.Sprintf("block %s@%d", e.Name, e.Version)] = true
	}
	want := []string{"block footer@1", "block footer@2"}
	for _, id := range exampleTemplates {
		want = append(want, "template "+id)
	}
	for _, b := range exampleBlocks {
		want = append(want, "block "+b)
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("journeys/content lacks %s", w)
		}
	}
}

// sampleContact is the contact every example template is rendered for.
func sampleContact() map[string]any {
	return map[string]any{
		"firstName": "Ada", "lastName": "Lovelace", "company": "Analytical Engines Ltd",
		"jobTitle": "Head of Data", "country": "United Kingdom", "locale": "en-GB",
		"timezone": "Europe/London", "lifecycleStage": "customer", "industry": "Manufacturing",
		"plan": "pro", "leadScore": 72,
	}
}

func sampleEvent() map[string]any {
	return map[string]any{
		"webinarTitle":    "Building a metrics layer your CFO trusts",
		"webinarStartsAt": "2026-03-12T16:00:00Z",
		"joinUrl":         "https://events.northwind-analytics.example/j/8812-4471",
	}
}

// TestExampleGolden renders every example template (and the German
// variants) for the sample contact and compares with testdata/golden.
// Run with -update to rewrite the files; review the diff like code.
func TestExampleGolden(t *testing.T) {
	l, _ := exampleLibrary(t)
	cases := []struct{ id, locale string }{{"welcome-intro", "de"}, {"welcome-intro", "de-AT"}, {"welcome-intro", "de-CH"}}
	for _, id := range exampleTemplates {
		cases = append(cases, struct{ id, locale string }{id, ""})
	}
	for _, c := range cases {
		name := c.id
		if c.locale != "" {
			name += "." + c.locale
		}
		t.Run(name, func(t *testing.T) {
			req := Request{
				BU: "northwind", Template: c.id, Locale: c.locale, ContactID: "c-81f2",
				MessageID: "msg-0001", Contact: sampleContact(), Event: sampleEvent(),
				Journey: JourneyInfo{ID: "welcome", Name: "Welcome", Version: 3}, Step: "send-" + c.id,
				Owner: Owner{Name: "Grace Hopper", Email: "grace.hopper@northwind-analytics.example"},
			}
			m := mustRender(t, l, req)
			got := formatMessage(m)
			path := filepath.Join("testdata", "golden", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
			}
		})
	}
}

// formatMessage prints a message as the golden files hold it.
func formatMessage(m *Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "template: %s v%d locale=%q channel=%s kind=%s topic=%s\n", m.Template, m.Version, m.Locale, m.Channel, m.Kind, m.Topic)
	if m.Subject != "" {
		fmt.Fprintf(&b, "subject: %s\npreheader: %s\n", m.Subject, m.Preheader)
	}
	for _, h := range m.Headers {
		fmt.Fprintf(&b, "header %s: %s\n", h.Name, h.Value)
	}
	for _, u := range m.TrackedLinks {
		fmt.Fprintf(&b, "tracked: %s\n", u)
	}
	if m.SMS != nil {
		fmt.Fprintf(&b, "sms: %s, %d units, %d segment(s) of %d\n", m.SMS.Encoding, m.SMS.Units, m.SMS.Count, m.SMS.PerSegment)
	}
	if m.Payload != nil {
		fmt.Fprintf(&b, "payload: %s\n", m.Payload)
	}
	if m.Text != "" {
		fmt.Fprintf(&b, "\n--- text\n%s", m.Text)
		if !strings.HasSuffix(m.Text, "\n") {
			b.WriteString("\n")
		}
	}
	if m.HTML != "" {
		fmt.Fprintf(&b, "\n--- html\n%s", m.HTML)
	}
	return b.String()
}
