package main

import (
	"context"
	"fmt"
)

func runResume(c *cli, args []string) int {
	fs := c.newFlagSet("resume", "[--api URL] JOURNEY")
	api := addAPIFlags(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	id, ok := c.oneJourney("resume", fs.Args())
	if !ok {
		return exitUsage
	}
	ctx := context.Background()
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys resume: %v\n", err)
		return exitUsage
	}
	j, err := client.Resume(ctx, id)
	if err != nil {
		return c.apiFailed("resume", err)
	}
	if *api.asJSON {
		return c.printJSON(j)
	}
	fmt.Fprintf(c.stdout, "%s is active again\n", id)
	return exitOK
}
