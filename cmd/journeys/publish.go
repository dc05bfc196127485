package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/publish"
)

func runPublish(c *cli, args []string) int {
	fs := c.newFlagSet("publish", "[--by NAME] [--require-approval] [--root DIR] [--api URL] FILE")
	by := fs.String("by", "", "who publishes, for the version record and the audit log (the API adds the caller)")
	approval := fs.Bool("require-approval", false, "hold the new version until a publish approval is approved")
	root := fs.String("root", "", "the journeys folder holding schema/, segments/ and content/ (default: found from the file)")
	api := addAPIFlags(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(c.stderr, "journeys publish: give one journey file (journeys/<id>.journey.yaml)")
		return exitUsage
	}
	file := fs.Arg(0)
	lib, probs := newLibraries(*root).forFile(file)
	checked, more := journey.ReadJourney(file, lib)
	if probs = append(probs, more...); len(probs) > 0 {
		fmt.Fprint(c.stderr, probs.Sort().Format(0))
		return exitInvalid
	}
	b, err := journey.NewBundle(checked, lib)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys publish: %v\n", err)
		return exitFailed
	}
	b = relativeNames(b)
	ctx := context.Background()
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys publish: %v\n", err)
		return exitUsage
	}
	res, err := client.Publish(ctx, manage.PublishRequest{Bundle: b, By: *by, RequireApproval: *approval})
	if err != nil {
		return c.apiFailed("publish", err)
	}
	if *api.asJSON {
		return c.printJSON(res)
	}
	c.printPublished(res)
	return exitOK
}

// relativeNames names the bundle's files by their path from the journeys
// folder's parent (journeys/welcome.journey.yaml), as the compiled
// machine's Comment and problem positions show them.
func relativeNames(b journey.Bundle) journey.Bundle {
	name := func(p string) string {
		p = filepath.ToSlash(filepath.Clean(p))
		if i := strings.LastIndex(p, "journeys/"); i >= 0 {
			return p[i:]
		}
		return p
	}
	b.Journey.Name, b.Schema.Name = name(b.Journey.Name), name(b.Schema.Name)
	for i := range b.Segments {
		b.Segments[i].Name = name(b.Segments[i].Name)
	}
	return b
}

func (c *cli) printPublished(res publish.Result) {
	switch res.Status {
	case publish.StatusPending:
		fmt.Fprintf(c.stdout, "%s v%d recorded, waiting for approval", res.Journey, res.Version)
		if res.Approval != "" {
			fmt.Fprintf(c.stdout, " %s", res.Approval)
		}
		if res.Execution != "" {
			fmt.Fprintf(c.stdout, " (%s)", res.Execution)
		}
		fmt.Fprintln(c.stdout)
		return
	case publish.StatusRolledBack:
		fmt.Fprintf(c.stdout, "%s rolled back to v%d\n", res.Journey, res.Version)
	default:
		fmt.Fprintf(c.stdout, "%s v%d published\n", res.Journey, res.Version)
	}
	fmt.Fprintf(c.stdout, "  state machine version %s\n", res.VersionArn)
	if res.AliasArn != "" {
		fmt.Fprintf(c.stdout, "  alias %s -> v%d\n", res.AliasArn, res.Version)
	}
	if res.Stats.States > 0 {
		fmt.Fprintf(c.stdout, "  %d states; per contact %d transitions, %d Lambda invocations (typical)\n",
			res.Stats.States, res.Stats.TypicalTransitions, res.Stats.TypicalLambda)
	}
	if len(res.Content) > 0 {
		fmt.Fprintf(c.stdout, "  content pinned: %d template and block versions\n", len(res.Content))
	}
	if len(res.Pruned) > 0 {
		fmt.Fprintf(c.stdout, "  pruned state machine versions %v\n", res.Pruned)
	}
	if res.Launch != "" {
		fmt.Fprintf(c.stdout, "  segment launch started: %s\n", res.Launch)
	}
}
