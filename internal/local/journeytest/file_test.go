package journeytest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local/journeytest"
	"github.com/journeys-oss/journeys/internal/local/sim"
)

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "welcome.test.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadFile(t *testing.T) {
	p := write(t, `start: 2026-12-01T09:00:00Z
until: 10d
event: {webinarTitle: Forecasting, seats: 2}
tests:
  - name: opened
    contacts:
      - c-0005
      - id: t-warm
        base: c-0005
        consent: {email: true}
        attributes: {leadScore: 80}
    events:
      - {contact: t-warm, after: 1h, type: email.opened, step: send-intro}
    failures:
      - {step: send-intro, status: 503, times: 2}
      - {step: send-offer, contact: t-warm, status: 400}
    expect:
      t-warm:
        path: [send-intro, wait-open]
        messages:
          - {step: send-intro, channel: email, template: welcome-intro, at: +0s}
        log:
          - {step: send-intro, outcome: sent}
        status: active
`)
	f, err := journeytest.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Journey != "welcome" || !f.Start.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) || f.Until != 10*24*time.Hour || len(f.Tests) != 1 {
		t.Fatalf("file %+v", f)
	}
	if diff := cmp.Diff(map[string]any{"webinarTitle": "Forecasting", "seats": 2}, f.Event); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	c := f.Tests[0]
	wantContacts := []journeytest.ContactSpec{
		{ID: "c-0005", Base: "c-0005"},
		{ID: "t-warm", Base: "c-0005", Consent: map[string]bool{"email": true}, Attributes: map[string]any{"leadScore": 80}},
	}
	if d := cmp.Diff(wantContacts, c.Contacts, cmpopts.IgnoreFields(journeytest.ContactSpec{}, "Pos", "AttrPos")); d != "" {
		t.Errorf("contacts (-want +got):\n%s", d)
	}
	if len(c.Events) != 1 || c.Events[0].Type != sim.TypeOpened || c.Events[0].After != time.Hour {
		t.Errorf("events %+v", c.Events)
	}
	wantFailures := []sim.Failure{{Step: "send-intro", Status: 503, Times: 2}, {Step: "send-offer", Contact: "t-warm", Status: 400}}
	if d := cmp.Diff(wantFailures, c.Failures, cmpopts.IgnoreFields(sim.Failure{}, "Pos")); d != "" {
		t.Errorf("failures (-want +got):\n%s", d)
	}
	e := c.Expect[0]
	if e.Contact != "t-warm" || !e.Checks("path") || e.Checks("reason") || e.Status != "active" ||
		!cmp.Equal(e.Messages, []journeytest.Message{{Step: "send-intro", Channel: "email", Template: "welcome-intro", At: "+0s"}}) {
		t.Errorf("expect %+v", e)
	}
	if e.Pos != (journey.Pos{File: p, Line: 18, Col: 7}) {
		t.Errorf("expect position %v", e.Pos)
	}
}

func TestReadFileProblems(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"no start": {"tests:\n  - {name: a, contacts: [c1]}\n", `welcome.test.yaml:1:1: journey test: missing "start" (tests run on a virtual clock) (write start: 2026-12-01T09:00:00Z)`},
		"unknown contact in expect": {"start: 2026-12-01T09:00:00Z\ntests:\n  - name: a\n    contacts: [c1]\n    expect:\n      c2: {status: active}\n",
			`welcome.test.yaml:6:7: test "a": expectation for "c2", which is not one of the test's contacts`},
		"bad status": {"start: 2026-12-01T09:00:00Z\ntests:\n  - name: a\n    contacts: [c1]\n    expect:\n      c1: {status: done}\n",
			`welcome.test.yaml:6:20: status: unknown "done" (one of completed, goal, exited, failed, stopped, active, not-enrolled)`},
		"event for a stranger": {"start: 2026-12-01T09:00:00Z\ntests:\n  - name: a\n    contacts: [c1]\n    events: [{contact: c9, at: +1h, type: x.y}]\n",
			`welcome.test.yaml:5:14: test "a": event for "c9", which is not one of the test's contacts`},
		"failure for a stranger": {"start: 2026-12-01T09:00:00Z\ntests:\n  - name: a\n    contacts: [c1]\n    failures: [{step: crm, contact: c9, status: 500}]\n",
			`welcome.test.yaml:5:16: test "a": failure for "c9", which is not one of the test's contacts`},
		"failure status not a failure": {"start: 2026-12-01T09:00:00Z\ntests:\n  - name: a\n    contacts: [c1]\n    failures: [{step: crm, status: 200}]\n",
			`welcome.test.yaml:5:36: status: 200 is not a failure (400 to 599: a 4xx fails for good, 429 and 5xx for now)`},
		"failure without status": {"start: 2026-12-01T09:00:00Z\ntests:\n  - name: a\n    contacts: [c1]\n    failures: [{step: crm}]\n",
			`welcome.test.yaml:5:16: failure: "step" and "status" are required ({step: crm, status: 500})`},
		"event not a mapping": {"start: 2026-12-01T09:00:00Z\nevent: [a]\ntests:\n  - {name: a, contacts: [c1]}\n",
			`welcome.test.yaml:2:8: event: expected a mapping of attribute names to values (write event: {webinarTitle: Forecasting})`},
		"failure times zero": {"start: 2026-12-01T09:00:00Z\ntests:\n  - name: a\n    contacts: [c1]\n    failures: [{step: crm, status: 500, times: 0}]\n",
			`welcome.test.yaml:5:48: times: 0 is not a positive number (leave it out for every call)`},
	} {
		t.Run(name, func(t *testing.T) {
			p := write(t, tc.text)
			_, err := journeytest.ReadFile(p)
			if err == nil {
				t.Fatal("no problem reported")
			}
			if got := strings.ReplaceAll(err.Error(), filepath.Dir(p)+string(filepath.Separator), ""); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
