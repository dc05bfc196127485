package main

import (
	"encoding/json"
	"fmt"

	"github.com/journeys-oss/journeys/internal/journey"
)

func runValidate(c *cli, args []string) int {
	fs := c.newFlagSet("validate", "[--root DIR] [--json] FILE...")
	root := fs.String("root", "", "the journeys folder holding schema/ and segments/ (default: found from each file)")
	asJSON := fs.Bool("json", false, "print the problems as JSON")
	max := fs.Int("max", journey.MaxReported, "show at most this many problems")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(c.stderr, "journeys validate: give at least one file (journeys/*.journey.yaml, segments, schema, contacts)")
		return exitUsage
	}
	libs := newLibraries(*root)
	var all journey.Problems
	for _, f := range fs.Args() {
		lib, libProbs := libs.forFile(f)
		all = append(all, libProbs...)
		all = append(all, journey.ValidateFile(f, lib)...)
	}
	all = all.Sort()
	if len(all) == 0 {
		return exitOK
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			fmt.Fprintf(c.stderr, "journeys validate: %v\n", err)
			return exitFailed
		}
		return exitInvalid
	}
	fmt.Fprint(c.stderr, all.Format(*max))
	return exitInvalid
}
