package journey

import (
	"os"
	"path/filepath"
	"testing"
)

// seedJourneys adds the example journeys and the table cases as seeds.
func seedJourneys(f *testing.F) {
	files, _ := filepath.Glob("../../journeys/*.journey.yaml")
	more, _ := filepath.Glob("testdata/check/*.journey.yaml")
	files = append(files, more...)
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(header + "  - id: a\n    send: {channel: email, template: hello}\n"))
	f.Add([]byte("id: [a\n"))
	f.Add([]byte("a: &a [x, *a]\n"))
}

func checkPositions(t *testing.T, probs Problems) {
	for _, p := range probs {
		if p.Pos.File != "f.journey.yaml" || p.Pos.Line < 1 || p.Pos.Col < 0 || p.Message == "" {
			t.Fatalf("problem without a position or message: %#v", p)
		}
	}
}

// FuzzParseJourney: any input gives a journey or problems with positions,
// never a panic.
func FuzzParseJourney(f *testing.F) {
	seedJourneys(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		j, probs := ParseJourney("f.journey.yaml", src)
		if j == nil {
			t.Fatal("ParseJourney returned no journey")
		}
		checkPositions(t, probs)
	})
}

// FuzzCheck: parsing then checking any input reports problems with
// positions, or gives a Checked journey whose edges all lead somewhere.
func FuzzCheck(f *testing.F) {
	seedJourneys(f)
	lib := testLib(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		j, probs := ParseJourney("f.journey.yaml", src)
		c, more := Check(j, lib)
		checkPositions(t, probs)
		checkPositions(t, more)
		if c == nil {
			return
		}
		for i, es := range c.Edges {
			for _, e := range es {
				if e.To != End && (e.To < 0 || e.To >= len(j.Steps)) {
					t.Fatalf("step %d has an edge to %d", i, e.To)
				}
			}
		}
		checkFlowchart(t, Mermaid(c), len(j.Steps))
	})
}
