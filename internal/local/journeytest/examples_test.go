package journeytest_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local/journeytest"
	"github.com/journeys-oss/journeys/internal/local/sim"
)

// knownGaps reads testdata/known-gaps.txt: "<file>: <test name>" → reason.
func knownGaps(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/known-gaps.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gaps := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, _ := strings.Cut(line, " -- ")
		gaps[key] = reason
	}
	return gaps
}

// TestExamples runs every journey test file of the journeys folder, and
// proves each example journey's tests take every edge of its step graph:
// every branch, failure path, timeout and event.
func TestExamples(t *testing.T) {
	files, err := journeytest.Find([]string{"../../../journeys"})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("found %d journey test files, want one per example journey", len(files))
	}
	gaps := knownGaps(t)
	for _, f := range files {
		results, err := journeytest.RunFile(context.Background(), f, nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		taken := map[sim.EdgeTaken]bool{}
		for _, r := range results {
			key := filepath.Base(f) + ": " + r.Name
			t.Run(key, func(t *testing.T) {
				reason, known := gaps[key]
				switch {
				case known && r.Passed():
					t.Fatalf("passes now: remove it from testdata/known-gaps.txt")
				case known:
					t.Skipf("known gap: %s", reason)
				}
				for _, fl := range r.Failures {
					t.Errorf("%s: %s %s (-want +got):\n%s", r.Pos, fl.Contact, fl.Part, fl.Diff)
				}
			})
			if r.Passed() {
				for _, e := range r.Edges {
					taken[e] = true
				}
			}
		}
		t.Run(filepath.Base(f)+": every edge", func(t *testing.T) {
			for _, e := range sim.Edges(journeyOf(t, f)) {
				if !taken[e] {
					t.Errorf("no passing test takes the edge %s", e)
				}
			}
		})
	}
}

// journeyOf reads and checks the journey a test file tests.
func journeyOf(t *testing.T, testFile string) *journey.Checked {
	t.Helper()
	tf, err := journeytest.ReadFile(testFile)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(filepath.Dir(testFile), tf.Journey+journey.SuffixJourney)
	lib, probs := journey.LoadDir(journey.Root(file))
	checked, more := journey.ReadJourney(file, lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	return checked
}
