package journeytest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/local/journeytest"
)

// releasedMachines lists the frozen compiled machines of every release
// (internal/publish/testdata/releases/<release>/<journey>.asl.json).
func releasedMachines(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "publish", "testdata", "releases", "*", "*.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("found %d released machines, want the five examples of v1 at least", len(files))
	}
	return files
}

// TestReleasedMachines is the behavioural contract with deployed
// versions: each example journey's tests run on the machine a released
// version compiled from it, with today's functions in-process on the
// virtual clock, and every contact still takes the expected path to the
// expected outcome. Executions keep their machine for up to a year, so a
// new release of the functions must not break the machines already
// deployed; TestReleasedPayloads (internal/publish) checks their payloads
// field by field, this checks what the functions do with them. Known gaps
// of today's machines (testdata/known-gaps.txt) are skipped here too.
func TestReleasedMachines(t *testing.T) {
	gaps := knownGaps(t)
	for _, m := range releasedMachines(t) {
		release, id := filepath.Base(filepath.Dir(m)), strings.TrimSuffix(filepath.Base(m), ".asl.json")
		machine, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join("..", "..", "..", "journeys", id+journeytest.Suffix)
		results, err := journeytest.RunFileOn(context.Background(), file, machine, nil)
		if err != nil {
			t.Fatalf("%s on release %s: %v", file, release, err)
		}
		if len(results) == 0 {
			t.Fatalf("%s has no tests to run on release %s's machine", file, release)
		}
		for _, r := range results {
			key := filepath.Base(file) + ": " + r.Name
			t.Run(release+"/"+key, func(t *testing.T) {
				if reason, known := gaps[key]; known && !r.Passed() {
					t.Skipf("known gap: %s", reason)
				}
				for _, fl := range r.Failures {
					t.Errorf("%s: %s %s (-want +got):\n%s", r.Pos, fl.Contact, fl.Part, fl.Diff)
				}
			})
		}
	}
}

// TestRunFileOnRunsTheMachine: RunFileOn runs the machine it is given,
// not the journey compiled today. The welcome release machine with its
// two-day pause cut to one second sends the resources two days early, so
// a test fails.
func TestRunFileOnRunsTheMachine(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "publish", "testdata", "releases", "v1", "welcome.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	const pause = `"Seconds": 172800,`
	if bytes.Count(raw, []byte(pause)) != 1 {
		t.Fatalf("the v1 welcome machine does not hold one %s", pause)
	}
	broken := bytes.Replace(raw, []byte(pause), []byte(`"Seconds": 1,`), 1)
	file := filepath.Join("..", "..", "..", "journeys", "welcome"+journeytest.Suffix)
	for _, tt := range []struct {
		name    string
		machine []byte
		fail    bool
	}{
		{"released", raw, false},
		{"pause cut short", broken, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			results, err := journeytest.RunFileOn(context.Background(), file, tt.machine, nil)
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for _, r := range results {
				if !r.Passed() {
					failed++
				}
			}
			if got := failed > 0; got != tt.fail || len(results) == 0 {
				t.Fatalf("%d of %d tests failed; want failures: %t", failed, len(results), tt.fail)
			}
		})
	}
}
