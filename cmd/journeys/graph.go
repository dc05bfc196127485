package main

import (
	"fmt"

	"github.com/journeys-oss/journeys/internal/journey"
)

func runGraph(c *cli, args []string) int {
	fs := c.newFlagSet("graph", "[--root DIR] FILE")
	root := fs.String("root", "", "the journeys folder holding schema/ and segments/ (default: found from the file)")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(c.stderr, "journeys graph: give one journey file")
		return exitUsage
	}
	libs := newLibraries(*root)
	lib, libProbs := libs.forFile(fs.Arg(0))
	checked, probs := journey.ReadJourney(fs.Arg(0), lib)
	if probs = append(libProbs, probs...); len(probs) > 0 {
		fmt.Fprint(c.stderr, probs.Sort().Format(0))
		return exitInvalid
	}
	fmt.Fprint(c.stdout, journey.Mermaid(checked))
	return exitOK
}
