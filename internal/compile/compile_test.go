package compile_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
)

var update = flag.Bool("update", false, "rewrite the golden .asl.json files")

// compileFile validates and compiles a journey file against the library
// in its journeys folder.
func compileFile(t testing.TB, file string, lib *journey.Library) *compile.Result {
	t.Helper()
	checked, probs := journey.ReadJourney(file, lib)
	if len(probs) > 0 {
		t.Fatalf("%s does not validate:\n%s", file, probs.Format(0))
	}
	res, err := compile.Compile(checked, compile.Options{Source: filepath.ToSlash(file)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func loadLib(t testing.TB, dir string) *journey.Library {
	t.Helper()
	lib, probs := journey.LoadDir(dir)
	if len(probs) > 0 {
		t.Fatalf("library %s:\n%s", dir, probs.Format(0))
	}
	return lib
}

// TestGolden compiles testdata/<case>.yaml and compares the machine with
// testdata/<case>.asl.json byte for byte (-update rewrites them).
func TestGolden(t *testing.T) {
	lib := loadLib(t, "testdata")
	cases, _ := filepath.Glob("testdata/*.yaml")
	if len(cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, file := range cases {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			res := compileFile(t, file, lib)
			golden := strings.TrimSuffix(file, ".yaml") + ".asl.json"
			if *update {
				if err := os.WriteFile(golden, res.Definition, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/compile -update)", err)
			}
			if !bytes.Equal(want, res.Definition) {
				t.Errorf("%s differs from the compiled machine; review with -update and git diff", golden)
			}
			checkMachine(t, res)
		})
	}
}

// checkMachine checks what every compiled machine promises: the top-level
// Comment comes first, every state name is at most 80 characters and has
// a journey position, every payload carries ids only.
func checkMachine(t *testing.T, res *compile.Result) {
	t.Helper()
	if !bytes.HasPrefix(res.Definition, []byte("{\n  \"Comment\": ")) {
		t.Errorf("the machine does not start with its Comment")
	}
	var def struct {
		States map[string]json.RawMessage
	}
	if err := json.Unmarshal(res.Definition, &def); err != nil {
		t.Fatal(err)
	}
	if len(def.States) != len(res.States) || len(def.States) != res.Stats.States {
		t.Errorf("%d states, %d in the position table, stats say %d", len(def.States), len(res.States), res.Stats.States)
	}
	for name, raw := range def.States {
		if len([]rune(name)) > compile.MaxStateName {
			t.Errorf("state name %q is longer than %d", name, compile.MaxStateName)
		}
		if pos, ok := res.States[name]; !ok || !pos.IsValid() {
			t.Errorf("state %q has no journey position", name)
		}
		if bytes.Contains(raw, []byte("$.contact.")) || bytes.Contains(raw, []byte("Payload.email")) {
			t.Errorf("state %q reads contact data", name)
		}
	}
	checkAttrsFresh(t, res.Definition)
}

func TestDeterministic(t *testing.T) {
	lib := loadLib(t, "testdata")
	a := compileFile(t, "testdata/branches.yaml", lib)
	b := compileFile(t, "testdata/branches.yaml", loadLib(t, "testdata"))
	if !bytes.Equal(a.Definition, b.Definition) {
		t.Fatal("two compilations differ")
	}
}

func TestStats(t *testing.T) {
	res := compileFile(t, "testdata/sends.yaml", loadLib(t, "testdata"))
	// 6 action tasks with their defer Pass and Wait (18), the end task, 4
	// finish tasks and Completed, Exited, Failed, Finish failed (26).
	// Worst: 7 tasks x (1 + 4 retries + Pass, Wait, again) + Succeed.
	want := compile.Stats{States: 26, TypicalTransitions: 8, WorstTransitions: 57, TypicalLambda: 7, WorstLambda: 42}
	if res.Stats != want {
		t.Errorf("Stats = %+v, want %+v", res.Stats, want)
	}
}
