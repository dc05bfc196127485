package main

import (
	"context"
	"fmt"
)

func runLaunch(c *cli, args []string) int {
	fs := c.newFlagSet("launch", "[--launch ID] [--api URL] JOURNEY")
	launchID := fs.String("launch", "", "the launch id, the entry everyone is enrolled under (default manual-<time>); launching an id again enrols only who was missed")
	api := addAPIFlags(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	id, ok := c.oneJourney("launch", fs.Args())
	if !ok {
		return exitUsage
	}
	ctx := context.Background()
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys launch: %v\n", err)
		return exitUsage
	}
	res, err := client.Launch(ctx, id, *launchID)
	if err != nil {
		return c.apiFailed("launch", err)
	}
	if *api.asJSON {
		return c.printJSON(res)
	}
	fmt.Fprintf(c.stdout, "launch %s of %s started (%s); its report goes to the audit log\n", res.Launch, id, res.Execution)
	return exitOK
}
