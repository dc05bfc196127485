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
func bundledRun(t *testing.T, id, events string, edit func(seeds []local.Seed)) *sim.Result {
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
		Until: 30 * 24 * time.Hour, Seed: 1, Start: start, Watch: func(string) bool { return true }})
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
	for _, tc := range []struct{ journey, events string }{
		{"welcome", events}, {"welcome", ""}, {"newsletter", ""}, {"reengage", ""}, {"webinar", ""},
	} {
		name := tc.journey
		if tc.events != "" {
			name += " with events"
		}
		t.Run(name, func(t *testing.T) {
			res := bundledRun(t, tc.journey, tc.events, nil)
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
