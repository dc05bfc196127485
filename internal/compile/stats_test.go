package compile_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
)

// loopJourney sends, waits a week and goes round again while the tier is
// high; maxDuration is the policy.
func loopJourney(maxDuration string) string {
	return `id: loop
name: Loop
businessUnit: acme
trigger: {linkedinForm: {}}
policies: {maxDuration: ` + maxDuration + `}
steps:
  - id: hello
    send: {channel: email, template: hello}
  - id: week
    wait: {duration: 7d}
  - id: again
    if: {condition: contact.tier > 2, then: hello}
  - id: done
    end: true
`
}

func compileSource(t *testing.T, src string) (*journey.Checked, *compile.Result) {
	t.Helper()
	j, probs := journey.ParseJourney("loop.journey.yaml", []byte(src))
	checked, more := journey.Check(j, loadLib(t, "testdata"))
	if probs = probs.Merge(more); len(probs) > 0 {
		t.Fatalf("does not validate:\n%s", probs.Format(0))
	}
	res, err := compile.Compile(checked, compile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return checked, res
}

// TestStatsLoop: the worst case runs a loop as many rounds as the history
// check allows (maxDuration over the loop's shortest wait, plus one), not
// once.
func TestStatsLoop(t *testing.T) {
	tests := []struct {
		maxDuration string
		rounds      int
		want        compile.Stats
	}{
		// Loop states: the send task (8 transitions, 6 invocations at
		// worst), the week Wait, the attrs task and the native Choice.
		// Then the end task and Succeed. Typical takes the first branch,
		// back to hello, and stops there: the loop once.
		{"7d", 2, compile.Stats{States: 15, TypicalTransitions: 4, WorstTransitions: 2*(8+1+8+1) + 8 + 1, TypicalLambda: 2, WorstLambda: 2*(6+6) + 6}},
		{"30d", 5, compile.Stats{States: 15, TypicalTransitions: 4, WorstTransitions: 5*(8+1+8+1) + 8 + 1, TypicalLambda: 2, WorstLambda: 5*(6+6) + 6}},
		{"365d", 53, compile.Stats{States: 15, TypicalTransitions: 4, WorstTransitions: 53*(8+1+8+1) + 8 + 1, TypicalLambda: 2, WorstLambda: 53*(6+6) + 6}},
	}
	for _, tt := range tests {
		t.Run("maxDuration="+tt.maxDuration, func(t *testing.T) {
			checked, res := compileSource(t, loopJourney(tt.maxDuration))
			wantLoops := []journey.Loop{{Steps: []int{0, 1, 2}, Rounds: tt.rounds}}
			if diff := cmp.Diff(wantLoops, checked.Loops); diff != "" {
				t.Errorf("loops (-want +got):\n%s", diff)
			}
			if got := checked.Rounds(3); got != 1 {
				t.Errorf("Rounds(done) = %d, want 1", got)
			}
			if res.Stats != tt.want {
				t.Errorf("Stats = %+v, want %+v\nstates: %s", res.Stats, tt.want, stateList(t, res.Definition))
			}
		})
	}
}

func stateList(t *testing.T, def []byte) string {
	var m struct{ States map[string]json.RawMessage }
	if err := json.Unmarshal(def, &m); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range m.States {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
