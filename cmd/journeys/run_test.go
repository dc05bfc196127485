package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		"wait-open          email.opened|email.clicked → send-resources",
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

// TestDemoCommand is make run: the demo must finish, under a minute.
func TestDemoCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	code, out, errOut := runJourneys(t, "demo", "--root", "../../journeys", "--data", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"subscribed (challenge answered)", "journey welcome v1: 8 contacts", "messages in the outbox", "demo done in"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
