package segment_test

import (
	"errors"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/segment"
)

// FuzzCompileEval: any condition text compiles or gives issues placed in
// the expression; a compiled condition evaluates for a sample contact to a
// result or an ErrEval, never a panic.
func FuzzCompileEval(f *testing.F) {
	for _, s := range []string{
		`contact.plan == "pro" && contact.leadScore > 50`,
		`opened(days(30)) || times("webinar.attended", days(7)) >= 2`,
		`"forecasting" in contact.interests`,
		`contact.signedUpAt < now - duration("720h")`,
		`has(contact.phone) && contact.phone.startsWith("+")`,
		`interactions.exists(i, i.type == "email.clicked" && i.url.contains("pricing"))`,
		`event.webinarId == "w-1"`,
		"contact.plan ==\n  ",
		`contact.leadScore / 0 > 1`,
		`int(contact.plan) > 0`,
	} {
		f.Add(s)
	}
	e := env(f)
	declared := map[string]bool{"email": true, "phone": true, "plan": true, "leadScore": true, "revenue": true, "unsubscribed": true, "signedUpAt": true, "interests": true}
	contact := map[string]any{
		"plan": "pro", "leadScore": 72, "revenue": 1200.5, "unsubscribed": false,
		"signedUpAt": "2026-01-15T10:00:00Z", "interests": []any{"forecasting"}, "email": "a@example.com",
	}
	interactions := []segment.Interaction{
		{Type: "email.opened", At: now.Add(-10 * 24 * time.Hour)},
		{Type: "email.clicked", At: now.Add(-time.Hour), URL: "https://example.com/pricing"},
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 256 { // nested comprehensions grow fast; conditions are short
			return
		}
		c, issues := e.Compile(src)
		for _, is := range issues {
			if is.Line < 1 || is.Col < 0 || is.Message == "" {
				t.Fatalf("issue without a place or message: %#v", is)
			}
		}
		if (c == nil) == (len(issues) == 0) {
			t.Fatalf("Compile gave a condition %v and %d issues", c != nil, len(issues))
		}
		if c == nil {
			return
		}
		for _, a := range c.Attributes() {
			if !declared[a] {
				t.Fatalf("condition reads undeclared attribute %q", a)
			}
		}
		c.Native()
		if _, err := c.Eval(contact, interactions, map[string]any{"webinarId": "w-1"}, now); err != nil && !errors.Is(err, segment.ErrEval) {
			t.Fatalf("Eval error %v does not wrap ErrEval", err)
		}
	})
}
