package sim_test

import (
	"context"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/local/sim"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

var benchContacts = flag.Int("contacts", 5000, "contacts of BenchmarkRunWelcome")

// welcomeOptions is the bench-local.sh simulation of the welcome journey
// with its scripted events, for n generated contacts.
func welcomeOptions(t testing.TB, n int) sim.Options {
	t.Helper()
	root := filepath.Join(testsvc.Root(t), "journeys")
	file := filepath.Join(root, "welcome"+journey.SuffixJourney)
	lib, probs := journey.LoadDir(root)
	checked, more := journey.ReadJourney(file, lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	_, seeds, err := local.ReadSeeds(filepath.Join(root, "contacts", checked.Journey.BusinessUnit+journey.SuffixContacts), lib, time.Unix(0, 0).UTC())
	if err != nil {
		t.Fatal(err)
	}
	events, err := sim.ReadEvents(filepath.Join(testsvc.Root(t), "internal", "local", "sim", "testdata", "welcome.events.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return sim.Options{Root: root, Journey: file, Contacts: seeds, Generate: n, Events: events,
		Until: 30 * 24 * time.Hour, Seed: 1, Start: sim.DefaultStart(checked.Journey, seeds, time.Now())}
}

// TestReportSameWhateverBatches: the report of a run does not depend on
// the batch size or on how many batches run at once.
func TestReportSameWhateverBatches(t *testing.T) {
	const n = 1200
	ctx := context.Background()
	one := welcomeOptions(t, n)
	one.Batch, one.Parallel = n, 1
	want, err := sim.Run(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name            string
		batch, parallel int
	}{
		{"batches of 500, one at a time", 500, 1},
		{"batches of 250, two at a time", 250, 2},
		{"batches of 100, three at a time", 100, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := welcomeOptions(t, n)
			o.Batch, o.Parallel = tc.batch, tc.parallel
			got, err := sim.Run(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.Report, got.Report); diff != "" {
				t.Errorf("report (-one batch +%s):\n%s", tc.name, diff)
			}
		})
	}
}

// BenchmarkRunWelcome simulates -contacts contacts through the welcome
// journey over 30 days with the scripted events (scripts/bench-local.sh's
// run, smaller).
func BenchmarkRunWelcome(b *testing.B) {
	o := welcomeOptions(b, *benchContacts)
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := sim.Run(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(*benchContacts)*float64(b.N)/time.Since(start).Seconds(), "contacts/s")
}
