package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
)

func runCompile(c *cli, args []string) int {
	fs := c.newFlagSet("compile", "[--out DIR] [--stats [--json]] [--root DIR] FILE...")
	out := fs.String("out", "", "write DIR/<journey-id>.asl.json for each file instead of printing the ASL")
	stats := fs.Bool("stats", false, "print states, transitions and Lambda invocations per contact instead of the ASL")
	asJSON := fs.Bool("json", false, "with --stats: print the stats as JSON")
	root := fs.String("root", "", "the journeys folder holding schema/ and segments/ (default: found from each file)")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(c.stderr, "journeys compile: give a journey file (journeys/<id>.journey.yaml)")
		return exitUsage
	}
	if fs.NArg() > 1 && *out == "" && !*stats {
		fmt.Fprintln(c.stderr, "journeys compile: several files need --out DIR (or --stats)")
		return exitUsage
	}
	libs := newLibraries(*root)
	var results []*compile.Result
	var problems journey.Problems
	for _, f := range fs.Args() {
		lib, libProbs := libs.forFile(f)
		problems = append(problems, libProbs...)
		checked, probs := journey.ReadJourney(f, lib)
		if len(probs) > 0 {
			problems = append(problems, probs...)
			continue
		}
		res, err := compile.Compile(checked, compile.Options{Source: filepath.ToSlash(f)})
		if err != nil {
			fmt.Fprintf(c.stderr, "journeys compile: %v\n", err)
			return exitFailed
		}
		results = append(results, res)
	}
	if len(problems) > 0 {
		fmt.Fprint(c.stderr, problems.Sort().Format(0))
		return exitInvalid
	}
	switch {
	case *stats:
		return c.printStats(results, *asJSON)
	case *out != "":
		return c.writeMachines(results, *out)
	}
	if _, err := c.stdout.Write(results[0].Definition); err != nil {
		return exitFailed
	}
	return exitOK
}

func (c *cli) printStats(results []*compile.Result, asJSON bool) int {
	if asJSON {
		m := map[string]compile.Stats{}
		for _, r := range results {
			m[r.Journey] = r.Stats
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m); err != nil {
			return exitFailed
		}
		return exitOK
	}
	for _, r := range results {
		if err := r.Stats.Write(c.stdout, r.Journey); err != nil {
			return exitFailed
		}
	}
	return exitOK
}

func (c *cli) writeMachines(results []*compile.Result, dir string) int {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(c.stderr, "journeys compile: %v\n", err)
		return exitFailed
	}
	for _, r := range results {
		p := filepath.Join(dir, r.Journey+".asl.json")
		if err := os.WriteFile(p, r.Definition, 0o644); err != nil {
			fmt.Fprintf(c.stderr, "journeys compile: write %s: %v\n", p, err)
			return exitFailed
		}
		fmt.Fprintf(c.stderr, "wrote %s\n", p)
	}
	return exitOK
}
