package compile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// BenchmarkValidateCompile parses, checks and compiles the largest example
// journey (the library of schema and segments loaded once, as the CLI does).
func BenchmarkValidateCompile(b *testing.B) {
	root := testsvc.Root(b)
	lib := loadLib(b, filepath.Join(root, "journeys"))
	var file string
	var size int64
	for _, f := range examples(b, root) {
		if st, err := os.Stat(f); err == nil && st.Size() > size {
			file, size = f, st.Size()
		}
	}
	src, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("largest example: %s", filepath.Base(file))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		j, probs := journey.ParseJourney(file, src)
		checked, more := journey.Check(j, lib)
		if len(probs)+len(more) > 0 {
			b.Fatal(append(probs, more...))
		}
		if _, err := compile.Compile(checked, compile.Options{Source: file}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "compiles/s")
}

// FuzzCompile: whatever passes the checker compiles to a machine whose
// states all have names and positions.
func FuzzCompile(f *testing.F) {
	root := testsvc.Root(f)
	for _, file := range examples(f, root) {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	cases, _ := filepath.Glob("testdata/*.yaml")
	for _, c := range cases {
		if src, err := os.ReadFile(c); err == nil {
			f.Add(src)
		}
	}
	lib := loadLib(f, "testdata")
	northwind := loadLib(f, filepath.Join(root, "journeys"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<15 {
			return
		}
		for _, l := range []*journey.Library{lib, northwind} {
			j, probs := journey.ParseJourney("f.journey.yaml", src)
			if len(probs) > 0 {
				continue
			}
			checked, more := journey.Check(j, l)
			if len(more) > 0 {
				continue
			}
			res, err := compile.Compile(checked, compile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkMachine(t, res)
		}
	})
}
