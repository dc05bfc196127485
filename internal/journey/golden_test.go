package journey

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", file, diff)
	}
}

// TestCheckGolden checks each journey of testdata/check against the test
// library in one run; its .problems golden file lists every problem,
// uncapped.
func TestCheckGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "check", "*.journey.yaml"))
	if len(files) == 0 {
		t.Fatal("no journeys in testdata/check")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), SuffixJourney)
		t.Run(name, func(t *testing.T) {
			_, probs := ReadJourney(file, testLib(t))
			golden(t, strings.TrimSuffix(file, SuffixJourney)+".problems", probs.Format(len(probs)+1))
		})
	}
}
