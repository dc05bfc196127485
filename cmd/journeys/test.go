package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/local/journeytest"
)

const testUsage = `[--run REGEXP] [--json] [DIR|FILE...]

Run journey test files (<journey id>.test.yaml next to the journey; every
*.test.yaml of the journeys folder by default). Each test gives contacts
and timed events and expects the path each contact takes, the messages it
receives, step log entries and its final state; tests run on a virtual
clock with the real handlers, and a failure prints a diff (-want +got).
The file format is in docs/local.md.`

func runTest(c *cli, args []string) int {
	fs := c.newFlagSet("test", testUsage)
	filter := fs.String("run", "", "run only the tests whose name matches this regular expression")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	re, err := regexp.Compile(*filter)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys test: --run: %v\n", err)
		return exitUsage
	}
	files, err := journeytest.Find(fs.Args())
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys test: %v\n", err)
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(c.stderr, "journeys test: no *.test.yaml files found")
		return exitUsage
	}
	code := exitOK
	var all []journeytest.CaseResult
	for _, f := range files {
		began := time.Now()
		results, err := journeytest.RunFile(context.Background(), f, re.MatchString)
		if err != nil {
			fmt.Fprintf(c.stderr, "%v\n", err)
			code = exitInvalid
			continue
		}
		all = append(all, results...)
		failed := 0
		for _, r := range results {
			if !r.Passed() {
				failed++
				if !*asJSON {
					c.printFailure(r)
				}
			}
		}
		if failed > 0 && code == exitOK {
			code = exitFailed
		}
		if !*asJSON {
			status := "ok  "
			if failed > 0 {
				status = "FAIL"
			}
			fmt.Fprintf(c.stdout, "%s %s  %d tests, %d failed  %s\n", status, f, len(results), failed, time.Since(began).Round(time.Millisecond))
		}
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			return exitFailed
		}
	}
	return code
}

func (c *cli) printFailure(r journeytest.CaseResult) {
	fmt.Fprintf(c.stdout, "--- FAIL %s  %s\n", r.Pos, r.Name)
	for _, f := range r.Failures {
		fmt.Fprintf(c.stdout, "    %s %s (-want +got):\n", f.Contact, f.Part)
		for _, line := range strings.Split(strings.TrimRight(f.Diff, "\n"), "\n") {
			fmt.Fprintf(c.stdout, "      %s\n", line)
		}
	}
}
