package main

import (
	"context"
	"fmt"
	"strings"
)

func runStop(c *cli, args []string) int {
	fs := c.newFlagSet("stop", "--reason TEXT [--api URL] JOURNEY")
	reason := fs.String("reason", "", "why the journey ends for everyone (required; recorded on every enrolment)")
	api := addAPIFlags(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	id, ok := c.oneJourney("stop", fs.Args())
	if !ok {
		return exitUsage
	}
	if strings.TrimSpace(*reason) == "" {
		fmt.Fprintln(c.stderr, "journeys stop: give --reason: stopping ends the journey for every contact in it")
		return exitUsage
	}
	ctx := context.Background()
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys stop: %v\n", err)
		return exitUsage
	}
	res, err := client.Stop(ctx, id, *reason)
	if err != nil {
		return c.apiFailed("stop", err)
	}
	if *api.asJSON {
		return c.printJSON(res)
	}
	fmt.Fprintf(c.stdout, "%s stopped: %d running executions stopped", id, res.Stopped)
	if res.Remaining {
		fmt.Fprint(c.stdout, "; the scheduler stops the rest within minutes")
	}
	fmt.Fprintln(c.stdout)
	return exitOK
}
