package sim_test

import (
	"path/filepath"
	"testing"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local/sim"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

func TestFailureCheck(t *testing.T) {
	root := filepath.Join(testsvc.Root(t), "journeys")
	lib, probs := journey.LoadDir(root)
	checked, more := journey.ReadJourney(filepath.Join(root, "sales-handoff"+journey.SuffixJourney), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	for _, tc := range []struct {
		name      string
		f         sim.Failure
		want      string
		permanent bool
	}{
		{"webhook 4xx", sim.Failure{Step: "crm", Status: 422}, "", true},
		{"webhook 5xx", sim.Failure{Step: "crm", Status: 503}, "", false},
		{"429 is for now", sim.Failure{Step: "intro", Status: 429}, "", false},
		{"send 400 twice", sim.Failure{Step: "intro", Status: 400, Times: 2}, "", true},
		{"unknown step", sim.Failure{Step: "crn", Status: 500}, `failure: no step "crn" in journey sales-handoff`, false},
		{"a step that calls nothing", sim.Failure{Step: "mark-sql", Status: 500}, `failure: step "mark-sql" (update) makes no outbound call; only send and webhook steps do`, false},
		{"not a failure", sim.Failure{Step: "crm", Status: 302}, "failure: status 302 is not a failure (400 to 599)", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.Check(checked); got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
			if tc.want == "" && tc.f.Permanent() != tc.permanent {
				t.Errorf("Permanent = %v", tc.f.Permanent())
			}
		})
	}
}
