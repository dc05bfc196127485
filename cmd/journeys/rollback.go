package main

import (
	"context"
	"fmt"
)

func runRollback(c *cli, args []string) int {
	fs := c.newFlagSet("rollback", "--to VERSION [--api URL] JOURNEY")
	to := fs.Int("to", 0, "the version to go back to (see `journeys versions JOURNEY`)")
	api := addAPIFlags(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	id, ok := c.oneJourney("rollback", fs.Args())
	if !ok {
		return exitUsage
	}
	if *to < 1 {
		fmt.Fprintln(c.stderr, "journeys rollback: give --to VERSION (a version number, see `journeys versions`)")
		return exitUsage
	}
	ctx := context.Background()
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys rollback: %v\n", err)
		return exitUsage
	}
	res, err := client.Rollback(ctx, id, *to)
	if err != nil {
		return c.apiFailed("rollback", err)
	}
	if *api.asJSON {
		return c.printJSON(res)
	}
	c.printPublished(res)
	return exitOK
}
