package sim_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/local/sim"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// bundledRun simulates a journey of the journeys folder on its business
// unit's bundled contacts, watching every one of them; edit, when set,
// changes the contacts first.
func bundledRun(t *testing.T, id, events string, edit func(seeds []local.Seed), failures ...sim.Failure) *sim.Result {
	t.Helper()
	root := filepath.Join(testsvc.Root(t), "journeys")
	file := filepath.Join(root, id+journey.SuffixJourney)
	lib, probs := journey.LoadDir(root)
	checked, more := journey.ReadJourney(file, lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	_, seeds, err := local.ReadSeeds(filepath.Join(root, "contacts", checked.Journey.BusinessUnit+journey.SuffixContacts), lib, start)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(seeds)
	}
	var evs []sim.Event
	if events != "" {
		if evs, err = sim.ReadEvents(events); err != nil {
			t.Fatal(err)
		}
	}
	res, err := sim.Run(context.Background(), sim.Options{Root: root, Journey: file, Contacts: seeds, Events: evs,
		Until: 30 * 24 * time.Hour, Seed: 1, Start: start, Watch: func(string) bool { return true }, Failures: failures})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contacts) != len(seeds) {
		t.Fatalf("%d contacts watched, want %d", len(res.Contacts), len(seeds))
	}
	return res
}

// TestTraceHasEveryStepLog: every step log entry of every bundled contact
// appears in its trace, in the order written, under a visit of its own
// step (the last "entered" line before it names the entry's step).
// sales-handoff is not here: no bundled contact is a hot lead.
func TestTraceHasEveryStepLog(t *testing.T) {
	events := filepath.Join(testsvc.Root(t), "internal", "local", "sim", "testdata", "welcome.events.yaml")
	failing := []sim.Failure{{Step: "send-reminder", Status: 400}, {Step: "send-resources", Status: 503, Times: 1}}
	for _, tc := range []struct {
		name, journey, events string
		failures              []sim.Failure
	}{
		{"welcome with events", "welcome", events, nil},
		{"welcome", "welcome", "", nil},
		{"welcome with failing sends", "welcome", events, failing},
		{"newsletter", "newsletter", "", nil},
		{"reengage", "reengage", "", nil},
		{"webinar", "webinar", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := bundledRun(t, tc.journey, tc.events, nil, tc.failures...)
			logs := 0
			for id, c := range res.Contacts {
				if c.Status == sim.NotEnrolledStatus {
					continue
				}
				logs += len(c.Logs)
				if problem := traceMisses(c); problem != "" {
					t.Errorf("contact %s: %s\ntrace:\n%s", id, problem, traceText(c.Trace))
				}
			}
			if logs == 0 {
				t.Fatal("no step logs at all: the property holds vacuously")
			}
			if tc.failures != nil && !hasLine(res.Contacts["c-0005"].Trace, "send-reminder", "failed: provider refused the message") {
				t.Errorf("c-0005's trace lacks the refused reminder:\n%s", traceText(res.Contacts["c-0005"].Trace))
			}
		})
	}
}

// traceMisses says which step log entry of c its trace lacks or places
// under another step ("" when none).
func traceMisses(c *sim.ContactResult) string {
	lines := c.Trace.Lines
	i := 0
	for _, l := range c.Logs {
		if l.Outcome == store.StepEntered || l.Outcome == store.StepFinished {
			continue
		}
		what := string(l.Outcome)
		if l.Reason != "" {
			what += ": " + l.Reason
		}
		for i < len(lines) && !(lines[i].Step == l.Step && lines[i].What == what && lines[i].At.Equal(l.At)) {
			i++
		}
		if i == len(lines) {
			return "missing (or out of order) " + l.At.Format(time.RFC3339) + " " + l.Step + " " + what
		}
		if step := enteredBefore(lines, i); step != l.Step && contains(c.Path, l.Step) {
			return "entry " + l.Step + " " + what + " placed under step " + step
		}
		i++
	}
	return ""
}

// enteredBefore names the step of the last "entered" line before line i.
func enteredBefore(lines []sim.TraceLine, i int) string {
	for ; i >= 0; i-- {
		if strings.HasPrefix(lines[i].What, "entered ") {
			return lines[i].Step
		}
	}
	return ""
}

func hasLine(t *sim.ContactTrace, step, what string) bool {
	for _, l := range t.Lines {
		if l.Step == step && l.What == what {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func traceText(t *sim.ContactTrace) string {
	var b strings.Builder
	for _, l := range t.Lines {
		b.WriteString("  " + l.At.Format("01-02 15:04") + "  " + l.Step + "  " + l.What + "\n")
	}
	return b.String()
}

// TestTraceSendOffer: c-0005 has had three welcome emails in six days
// when it reaches send-offer. Without consent to the offers topic (as
// bundled) the trace says the offer is skipped at once, not held by the
// frequency cap first; with it, the trace shows the frequency-cap
// deferral and the send two days later.
func TestTraceSendOffer(t *testing.T) {
	events := filepath.Join(testsvc.Root(t), "internal", "local", "sim", "testdata", "welcome.events.yaml")
	offers := func(seeds []local.Seed) {
		for i := range seeds {
			if seeds[i].ID == "c-0005" {
				seeds[i].Patch.Topics = map[string]store.Consent{"offers": {Status: store.ConsentGranted, Source: "test",
					At: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}}
			}
		}
	}
	for _, tc := range []struct {
		name string
		edit func([]local.Seed)
		want []string
	}{
		{"bundled: no consent for offers", nil, []string{
			"12-04 09:00 send-reminder entered send",
			"12-04 09:00 send-reminder sent: sent on email",
			"12-06 09:00 send-resources entered send",
			"12-06 09:00 send-resources sent: sent on email",
			"12-06 09:00 send-offer entered send",
			"12-06 09:00 send-offer skipped: no consent for topic offers",
		}},
		{"with consent for offers", offers, []string{
			"12-04 09:00 send-reminder entered send",
			"12-04 09:00 send-reminder sent: sent on email",
			"12-06 09:00 send-resources entered send",
			"12-06 09:00 send-resources sent: sent on email",
			"12-06 09:00 send-offer entered send",
			"12-06 09:00 send-offer deferred: frequency cap: 3 email per 7d",
			"12-08 09:00 send-offer sent: sent on email",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := bundledRun(t, "welcome", events, tc.edit).Contacts["c-0005"]
			var got []string
			for _, l := range c.Trace.Lines {
				if strings.HasPrefix(l.Step, "send-") && l.Step != "send-intro" {
					got = append(got, l.At.Format("01-02 15:04")+" "+l.Step+" "+l.What)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("trace of the sends after the intro (-want +got):\n%s\ntrace:\n%s", diff, traceText(c.Trace))
			}
		})
	}
}

// TestTraceFailurePath: a webhook whose next step and failure path are the
// same step is traced as a failed call only when it failed, and the edge
// taken says which.
func TestTraceFailurePath(t *testing.T) {
	hot := func(seeds []local.Seed) {
		for i := range seeds {
			if seeds[i].ID == "c-0003" {
				seeds[i].Patch.Attributes["leadScore"] = store.NumberValue(82)
				seeds[i].Interactions = append(seeds[i].Interactions, local.Interaction("c-0003", "email.opened",
					time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), "email", "", nil))
			}
		}
	}
	for _, tc := range []struct {
		name     string
		failures []sim.Failure
		decision string // the crm step's decision line, "" for none
		edge     string
	}{
		{"the CRM answers", nil, "", "crm --next--> mark-sql"},
		{"the CRM refuses", []sim.Failure{{Step: "crm", Status: 409}}, "delivery failed → mark-sql", "crm --failure--> mark-sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := bundledRun(t, "sales-handoff", "", hot, tc.failures...).Contacts["c-0003"]
			decision := ""
			for _, l := range c.Trace.Lines {
				if l.Step == "crm" && strings.Contains(l.What, "→") {
					decision = l.What
				}
			}
			if decision != tc.decision {
				t.Errorf("crm decision %q, want %q\n%s", decision, tc.decision, traceText(c.Trace))
			}
			var edges []string
			for _, e := range c.Edges {
				edges = append(edges, e.String())
			}
			if !contains(edges, tc.edge) {
				t.Errorf("edges %q lack %q", edges, tc.edge)
			}
		})
	}
}
