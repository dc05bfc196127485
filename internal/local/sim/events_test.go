package sim_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local/sim"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadEvents(t *testing.T) {
	p := writeFile(t, "welcome.events.yaml", `events:
  - {contact: c-0001, at: +2h, type: email.opened, step: send-intro}
  - {contact: "*", share: 0.4, after: 30m, type: email.clicked, step: send-intro, url: "https://x.example.com/a"}
  - contact: c-0003
    at: 2026-12-03T10:00:00Z
    type: webinar.attended
    data: {webinarId: w-12, seats: 2}
  - {contact: c-0004, at: +3d, type: update, set: {lifecycleStage: sql}}
  - {contact: c-0001, after: 1h, type: reject, step: ask-sales}
`)
	got, err := sim.ReadEvents(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []sim.Event{
		{Contact: "c-0001", Share: 1, At: sim.When{Rel: 2 * time.Hour, Set: true}, Type: "email.opened", Step: "send-intro", Pos: journey.Pos{File: p, Line: 2, Col: 5}},
		{Contact: "*", Share: 0.4, After: 30 * time.Minute, Type: "email.clicked", Step: "send-intro", URL: "https://x.example.com/a", Pos: journey.Pos{File: p, Line: 3, Col: 5}},
		{Contact: "c-0003", Share: 1, At: sim.When{Abs: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), Set: true}, Type: "webinar.attended",
			Data: map[string]any{"webinarId": "w-12", "seats": 2}, Pos: journey.Pos{File: p, Line: 4, Col: 5}},
		{Contact: "c-0004", Share: 1, At: sim.When{Rel: 72 * time.Hour, Set: true}, Type: "update", Set: map[string]any{"lifecycleStage": "sql"}, Pos: journey.Pos{File: p, Line: 8, Col: 5}},
		{Contact: "c-0001", Share: 1, After: time.Hour, Type: "reject", Step: "ask-sales", Pos: journey.Pos{File: p, Line: 9, Col: 5}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("events (-want +got):\n%s", d)
	}
}

func TestReadEventsProblems(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"unknown key": {"events:\n  - {contact: c1, at: +1h, type: email.opened, step: s, when: x}\n",
			"f.yaml:2:57: event: unknown key \"when\" (known keys: after, at, contact, data, form, set, share, step, type, url)"},
		"no step": {"events:\n  - {contact: c1, at: +1h, type: email.opened}\n",
			"f.yaml:2:5: event email.opened: missing \"step\" (the send step whose email it is, or the approval step)"},
		"bad time": {"events:\n  - {contact: c1, at: tomorrow, type: x.y}\n",
			"f.yaml:2:23: at: \"tomorrow\" is neither +<duration> after entry nor a time like 2026-12-03T10:00:00Z"},
		"at and after": {"events:\n  - {contact: c1, at: +1h, after: 1h, step: s, type: x.y}\n",
			"f.yaml:2:5: event: give \"at\" or \"after\", not both"},
		"share of one": {"events:\n  - {contact: c1, share: 0.5, at: +1h, type: x.y}\n",
			"f.yaml:2:5: event: share applies to contact \"*\" only"},
		"bad share": {"events:\n  - {contact: \"*\", share: 2, at: +1h, type: x.y}\n",
			"f.yaml:2:27: share: \"2\" is not a fraction (a fraction of the contacts, 0 < share <= 1)"},
		"unknown type": {"events:\n  - {contact: c1, at: +1h, type: Opened}\n",
			"f.yaml:2:5: event: unknown type \"Opened\" (email.opened, email.clicked, form.submitted, approve, reject, update, unsubscribe, or a dotted custom event name)"},
		"syntax":     {"events:\n  - {contact: c1\n", "f.yaml:1:1: did not find expected ',' or '}'"},
		"not a list": {"events: {contact: c1}\n", "f.yaml:1:9: events: expected a list, got a mapping"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f.yaml")
			if err := os.WriteFile(p, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := sim.ReadEvents(p)
			if err == nil {
				t.Fatal("no problem reported")
			}
			got := err.Error()
			if rel, _ := filepath.Rel(dir, p); rel != "" {
				got = trimDir(got, dir+string(filepath.Separator))
			}
			if got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func trimDir(s, dir string) string {
	for len(s) >= len(dir) && s[:len(dir)] == dir {
		s = s[len(dir):]
	}
	return s
}
