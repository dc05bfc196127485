package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
)

func runVersions(c *cli, args []string) int {
	fs := c.newFlagSet("versions", "[--api URL] [--json] JOURNEY")
	api := addAPIFlags(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	id, ok := c.oneJourney("versions", fs.Args())
	if !ok {
		return exitUsage
	}
	ctx := context.Background()
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys versions: %v\n", err)
		return exitUsage
	}
	vs, err := client.Versions(ctx, id)
	if err != nil {
		return c.apiFailed("versions", err)
	}
	if *api.asJSON {
		return c.printJSON(vs)
	}
	w := tabwriter.NewWriter(c.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "version\tpublished\tby\tstate machine version\t")
	for _, v := range vs {
		note := ""
		switch {
		case v.Current:
			note = "current"
		case v.Pruned != nil && *v.Pruned:
			note = "pruned"
		}
		fmt.Fprintf(w, "v%d\t%s\t%s\t%s\t%s\n", v.Version, v.PublishedAt.UTC().Format(time.RFC3339), v.PublishedBy, v.StateMachineVersion, note)
	}
	w.Flush()
	return exitOK
}
