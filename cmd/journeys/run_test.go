package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func runJourneys(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestRunCommand simulates the welcome journey on the sample contacts
// with a scripted events file and checks the report's shape: the funnel,
// the trace and the JSON form.
func TestRunCommand(t *testing.T) {
	events := filepath.Join(t.TempDir(), "welcome.events.yaml")
	if err := os.WriteFile(events, []byte("events:\n  - {contact: c-0005, after: 1h, type: email.opened, step: send-intro}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runJourneys(t, "run", "--root", "../../journeys", "welcome", "--events", events, "--trace", "c-0005", "--start", "2026-12-01T09:00:00Z")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"journey welcome v1: 36 contacts,",
		"wait-open       waitFor",
		"goal sales-qualified:",
		"trace c-0005 (entered 2026-12-01 09:00 UTC):",
		"wait-open          email.opened → send-resources",
		"scripted events: 1 applied, 0 found nothing to act on",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "simulated 36 contacts over 30d") {
		t.Errorf("stderr: %s", errOut)
	}
	code, out, _ = runJourneys(t, "run", "--root", "../../journeys", "../../journeys/reengage.journey.yaml", "--json", "--generate", "200", "--start", "2026-12-01T09:00:00Z")
	if code != exitOK {
		t.Fatalf("json run: exit %d", code)
	}
	var rep struct {
		Contacts int
		Splits   []struct {
			Step     string
			Variants []struct {
				Name     string
				Contacts int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Contacts != 200 || len(rep.Splits) != 1 || len(rep.Splits[0].Variants) != 3 || rep.Splits[0].Variants[2].Name != "holdout" {
		t.Fatalf("json report: %+v", rep)
	}
}

// TestRunTraceReasons: the trace of c-0005 under the bundled events says
// what every step did and why, sends written at the same instant as the
// next step's entry included, and that the offer it has no consent for is
// skipped at once rather than held by the frequency cap.
func TestRunTraceReasons(t *testing.T) {
	code, out, errOut := runJourneys(t, "run", "--root", "../../journeys", "welcome", "--events", "../../internal/local/sim/testdata/welcome.events.yaml",
		"--trace", "c-0005", "--start", "2026-12-01T09:00:00Z")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	_, tr, _ := strings.Cut(out, "trace c-0005 (entered 2026-12-01 09:00 UTC):\n")
	want := `  12-01 09:00  send-intro         entered send
  12-01 09:00  send-intro         sent: sent on email
  12-01 09:00  wait-open          entered waitFor
  12-01 09:00  wait-open          waited: waiting for email.opened or email.clicked
  12-04 09:00  wait-open          no email.opened or email.clicked within 3d → send-reminder
  12-04 09:00  send-reminder      entered send
  12-04 09:00  send-reminder      sent: sent on email
  12-04 09:00  pause              entered wait
  12-06 09:00  send-resources     entered send
  12-06 09:00  send-resources     sent: sent on email
  12-06 09:00  warm-lead          entered if
  12-06 09:00  warm-lead          contact.leadScore >= 60 && contact.lifecycleStage != "customer" does not hold → send-offer
  12-06 09:00  send-offer         entered send
  12-06 09:00  send-offer         skipped: no consent for topic offers
  12-06 09:00  done               entered end
  12-06 09:00  done               ended: completed
`
	if diff := cmp.Diff(want, tr); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
}

func TestRunCommandUsage(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		code int
		err  string
	}{
		"no journey":    {[]string{"run"}, exitUsage, "give one journey"},
		"bad until":     {[]string{"run", "--root", "../../journeys", "welcome", "--until", "soon"}, exitUsage, "--until"},
		"missing file":  {[]string{"run", "--root", "../../journeys", "nothing"}, exitInvalid, "nothing.journey.yaml"},
		"bad events":    {[]string{"run", "--root", "../../journeys", "welcome", "--events", "testdata/asl-input.json"}, exitInvalid, "asl-input.json"},
		"unknown trace": {[]string{"run", "--root", "../../journeys", "welcome", "--trace", "nobody", "--start", "2026-12-01T09:00:00Z"}, exitOK, ""},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runJourneys(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.err) {
				t.Fatalf("exit %d, stderr %q; want %d and %q\n%s", code, errOut, tc.code, tc.err, out)
			}
		})
	}
}

// TestTestCommand runs a journey's test file, then one that fails: exit
// 1 with the diff.
func TestTestCommand(t *testing.T) {
	code, out, errOut := runJourneys(t, "test", "../../journeys/welcome.test.yaml")
	if code != exitOK || !strings.Contains(out, "ok   ../../journeys/welcome.test.yaml") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	dir := t.TempDir()
	for _, sub := range []string{"schema", "segments", "content", "settings", "contacts"} {
		if err := os.Symlink(mustAbs(t, filepath.Join("../../journeys", sub)), filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
	}
	src, err := os.ReadFile("../../journeys/welcome.journey.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "welcome.journey.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	failing := "start: 2026-12-01T09:00:00Z\ntests:\n  - name: wrong path\n    contacts: [c-0005]\n    expect:\n      c-0005: {path: [send-intro, ask-sales]}\n"
	if err := os.WriteFile(filepath.Join(dir, "welcome.test.yaml"), []byte(failing), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runJourneys(t, "test", dir)
	if code != exitFailed || !strings.Contains(out, "--- FAIL") || !strings.Contains(out, `"ask-sales",`) {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestDemoCommand is make run. On a virtual clock (--start) the demo is
// the same run every time, so its whole funnel is compared; on the real
// clock make run uses, only what no timing can change is: who enrols, how
// they end, and that it finishes.
func TestDemoCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	t.Run("virtual clock", func(t *testing.T) {
		code, out, errOut := runJourneys(t, "demo", "--root", "../../journeys", "--data", t.TempDir(), "--start", "2026-12-01T09:00:00Z")
		if code != exitOK {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		want := []string{
			"journey welcome v1: 8 contacts, 7 enrolled",
			"journey time 2026-12-01 09:00 UTC → 2026-12-08 09:00 UTC (7d)",
			"step kind entered what it did where they went",
			"send-intro send 7 sent 6 (sent on email 6), deferred 1 (quiet hours until 08:00 1) → wait-open 6; ended goal 1 (goal sales-qualified 1)",
			"wait-open waitFor 6 waited 6 (waiting for email.opened or email.clicked 6) → send-resources (email.opened|email.clicked) 4, → send-reminder (timeout) 2",
			"send-reminder send 2 sent 2 (sent on email 2) → pause 2",
			"pause wait 2 - → send-resources 2",
			"send-resources send 6 sent 6 (sent on email 6) → warm-lead 6",
			"warm-lead if 6 - → ask-sales (then) 3, → send-offer (else) 3",
			"ask-sales approval 3 - → handoff-task (approve) 1, → send-offer (reject) 1, → send-offer (timeout) 1",
			"handoff-task salesTask 1 created 1 (task for owner u-sales-031 1) → done 1",
			"send-offer send 5 sent 3 (sent on email 3), skipped 2 (no consent for topic offers 2) → done 5",
			"done end 6 - ended completed 6",
			"at the end: completed 6, goal 1",
			"goal sales-qualified: 1 of 7 enrolled (14.3%)",
			"delivered: email 17",
			"the contacts opened 2 and clicked 2 emails through their tracking URLs; the flow decided 2 approvals; 1 sales tasks",
		}
		if diff := cmp.Diff(want, demoReport(out)); diff != "" {
			t.Errorf("demo report (-want +got):\n%s\n%s", diff, out)
		}
	})
	t.Run("real clock", func(t *testing.T) {
		code, out, errOut := runJourneys(t, "demo", "--root", "../../journeys", "--data", t.TempDir())
		if code != exitOK {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		for _, want := range []string{"subscribed (challenge answered)", "journey welcome v1: 8 contacts, 7 enrolled",
			"at the end: completed 6, goal 1", "messages in the outbox", "demo done in"} {
			if !strings.Contains(out, want) {
				t.Errorf("demo output lacks %q:\n%s", want, out)
			}
		}
	})
}

// demoReport returns the report's lines from the funnel's title on,
// blanks, the outbox's path and the wall time left out, with runs of
// spaces made one.
func demoReport(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.Join(strings.Fields(l), " ")
		switch {
		case len(lines) == 0 && !strings.HasPrefix(l, "journey welcome"):
		case l == "", strings.Contains(l, "messages in the outbox"), strings.HasPrefix(l, "demo done in"):
		default:
			lines = append(lines, l)
		}
	}
	return lines
}
