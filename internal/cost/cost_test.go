package cost_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/cost"
	"github.com/journeys-oss/journeys/internal/journey"
)

// compiled checks and compiles an example journey.
func compiled(t *testing.T, id string) (*journey.Journey, *compile.Result) {
	t.Helper()
	root := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(root)
	checked, more := journey.ReadJourney(filepath.Join(root, id+".journey.yaml"), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	res, err := compile.Compile(checked, compile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return checked.Journey, res
}

// measurements reads handlers.json from disk, which after -update may be
// newer than the copy embedded in this test binary.
func measurements(t *testing.T) cost.Measured {
	t.Helper()
	raw, err := os.ReadFile("handlers.json")
	if err != nil {
		t.Fatal(err)
	}
	var m cost.Measured
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEmbeddedMeasurement: the package embeds handlers.json as it is.
func TestEmbeddedMeasurement(t *testing.T) {
	if *update {
		return
	}
	if diff := cmp.Diff(measurements(t), cost.HandlerMeasurements()); diff != "" {
		t.Errorf("embedded handlers.json differs from the file (-file +embedded):\n%s", diff)
	}
}

// TestHandlersMeasurementPriced: every store method the measurement saw
// has a price in StoreUnits.
func TestHandlersMeasurementPriced(t *testing.T) {
	m := measurements(t)
	if m.Journey != "welcome" || len(m.Ops) == 0 {
		t.Fatalf("handlers.json: %+v", m)
	}
	for op, om := range m.Ops {
		for method := range om.Calls {
			if _, ok := cost.StoreUnits[method]; !ok {
				t.Errorf("op %s calls %s, which StoreUnits does not price", op, method)
			}
		}
	}
}

// TestTypicalPathMatchesStats: for every example journey, the typical path
// has the transitions and Lambda invocations compile.Stats reports.
func TestTypicalPathMatchesStats(t *testing.T) {
	for _, id := range []string{"welcome", "newsletter", "reengage", "sales-handoff", "webinar"} {
		t.Run(id, func(t *testing.T) {
			_, res := compiled(t, id)
			path, err := cost.TypicalPath(res.Definition)
			if err != nil {
				t.Fatal(err)
			}
			lambda := 0
			for _, ps := range path {
				if ps.Op != "" {
					lambda++
				}
			}
			if len(path) != res.Stats.TypicalTransitions || lambda != res.Stats.TypicalLambda {
				t.Errorf("path: %d states, %d tasks; stats: %d transitions, %d Lambda", len(path), lambda, res.Stats.TypicalTransitions, res.Stats.TypicalLambda)
			}
		})
	}
}

// TestWelcomeCost is the cost of the bundled welcome journey per contact
// and per 1,000 contacts (golden: testdata/welcome.cost.json; -update
// rewrites it).
func TestWelcomeCost(t *testing.T) {
	j, res := compiled(t, "welcome")
	e, err := measurements(t).Estimate(j, res.Definition)
	if err != nil {
		t.Fatal(err)
	}
	if e.Transitions != res.Stats.TypicalTransitions {
		t.Errorf("transitions %d, stats %d", e.Transitions, res.Stats.TypicalTransitions)
	}
	tot := e.Totals()
	// Task invocations, plus the LinkedIn webhook, the tracking pixel and
	// the approval callback.
	if want := float64(res.Stats.TypicalLambda + 3); tot.Invocations != want {
		t.Errorf("invocations %.2f, want %.0f", tot.Invocations, want)
	}
	if tot.HTTP != 3 {
		t.Errorf("HTTP requests %.0f, want 3 (lead notification, open pixel, approval callback)", tot.HTTP)
	}
	b := e.Price(cost.USEast(), 1000)
	if b.Total <= 0 || b.StepFunctions <= 0 || b.DynamoDBWrites <= 0 {
		t.Fatalf("breakdown %+v", b)
	}
	raw, _ := json.MarshalIndent(struct {
		Estimate  cost.Estimate  `json:"perContact"`
		Totals    cost.Line      `json:"totalsPerContact"`
		Breakdown cost.Breakdown `json:"per1000Contacts"`
	}{e, tot, b}, "", "  ")
	raw = append(raw, '\n')
	golden := filepath.Join("testdata", "welcome.cost.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./internal/cost -update)", err)
	}
	if !bytes.Equal(want, raw) {
		t.Errorf("%s is out of date (go test ./internal/cost -update and review):\n%s", golden, raw)
	}
}

// TestPriceScales: the price of n contacts is n times the price of one.
func TestPriceScales(t *testing.T) {
	j, res := compiled(t, "newsletter")
	e, err := measurements(t).Estimate(j, res.Definition)
	if err != nil {
		t.Fatal(err)
	}
	one, many := e.Price(cost.USEast(), 1), e.Price(cost.USEast(), 1_000_000)
	if d := many.Total - 1_000_000*one.Total; d > 1e-6 || d < -1e-6 {
		t.Errorf("1M contacts cost %.6f, one %.9f", many.Total, one.Total)
	}
	var names []string
	for _, l := range e.Lines {
		names = append(names, l.What)
	}
	sort.Strings(names)
	if e.Trigger != "segment" || names[0] == "" {
		t.Errorf("newsletter estimate %+v", e)
	}
}
