package main

import (
	"context"
	"fmt"
)

func runPause(c *cli, args []string) int {
	fs := c.newFlagSet("pause", "[--reason TEXT] [--api URL] JOURNEY")
	reason := fs.String("reason", "", "why, for the journey record and the audit log")
	api := addAPIFlags(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	id, ok := c.oneJourney("pause", fs.Args())
	if !ok {
		return exitUsage
	}
	ctx := context.Background()
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys pause: %v\n", err)
		return exitUsage
	}
	j, err := client.Pause(ctx, id, *reason)
	if err != nil {
		return c.apiFailed("pause", err)
	}
	if *api.asJSON {
		return c.printJSON(j)
	}
	fmt.Fprintf(c.stdout, "%s paused: no new enrolments; contacts wait at their next step until `journeys resume %s`\n", id, id)
	return exitOK
}
