package journey_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
)

// TestExampleFiles validates every file of the example journeys folder:
// journeys, segments, the contact schema and the sample contacts.
func TestExampleFiles(t *testing.T) {
	dir := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(dir)
	if len(probs) > 0 {
		t.Fatalf("library:\n%s", probs.Format(0))
	}
	var files []string
	for _, pattern := range []string{"*.journey.yaml", "segments/*.segment.yaml", "schema/*.schema.yaml", "contacts/*.contacts.yaml"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(m) == 0 {
			t.Errorf("no example matches %s", pattern)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if probs := journey.ValidateFile(f, lib); len(probs) > 0 {
				t.Errorf("%s", probs.Format(0))
			}
		})
	}
	if n := len(lib.Segments["northwind"]); n < 5 {
		t.Errorf("%d northwind segments, want the examples", n)
	}
	if s := lib.Schemas["northwind"]; s == nil || s.Company != "Northwind Analytics" {
		t.Errorf("northwind schema = %+v", s)
	}
}

// TestSampleContactsSegments evaluates the example segments on the sample
// contacts: the static list and the conditions pick plausible members.
func TestSampleContactsSegments(t *testing.T) {
	dir := filepath.Join("..", "..", "journeys")
	lib, _ := journey.LoadDir(dir)
	seg, err := lib.Segment("northwind", "strategic-accounts")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := seg.Contains("c-0003", nil, nil, now()); !ok {
		t.Error("c-0003 should be a strategic account")
	}
	cust, err := lib.Segment("northwind", "customers")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := cust.Contains("c-x", map[string]any{"lifecycleStage": "lead", "plan": "team"}, nil, now()); !ok || err != nil {
		t.Errorf("a lead on the team plan should be in customers: %v %v", ok, err)
	}
}

func now() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
