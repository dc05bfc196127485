package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/journeys-oss/journeys/internal/manage"
)

func runStatus(c *cli, args []string) int {
	fs := c.newFlagSet("status", "[--api URL] [--json] JOURNEY")
	api := addAPIFlags(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	id, ok := c.oneJourney("status", fs.Args())
	if !ok {
		return exitUsage
	}
	ctx := context.Background()
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys status: %v\n", err)
		return exitUsage
	}
	st, err := client.Status(ctx, id)
	if err != nil {
		return c.apiFailed("status", err)
	}
	if *api.asJSON {
		return c.printJSON(st)
	}
	c.printStatus(st)
	return exitOK
}

func (c *cli) printStatus(st manage.JourneyStatus) {
	j := st.Journey
	fmt.Fprintf(c.stdout, "%s (%s): %s", j.ID, j.Name, j.Status)
	if j.Reason != "" {
		fmt.Fprintf(c.stdout, " (%s)", j.Reason)
	}
	fmt.Fprintln(c.stdout)
	if v := st.Version; v != nil {
		fmt.Fprintf(c.stdout, "version    v%d, published by %s at %s\n", v.Version, v.PublishedBy, v.PublishedAt.UTC().Format(time.RFC3339))
		fmt.Fprintf(c.stdout, "machine    %s\n", v.StateMachineVersion)
	}
	if st.Alias != "" {
		fmt.Fprintf(c.stdout, "alias      %s -> %s\n", st.Alias, st.AliasTarget)
	}
	more := ""
	if st.Capped {
		more = "+"
	}
	fmt.Fprintf(c.stdout, "active     %d%s enrolments\n", st.Active, more)
	if len(st.Funnel) == 0 {
		fmt.Fprintln(c.stdout, "funnel     (no contact has reached a step yet)")
		return
	}
	fmt.Fprintln(c.stdout, "funnel:")
	w := tabwriter.NewWriter(c.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "  version\tstep\toutcome\tcontacts")
	for _, f := range st.Funnel {
		fmt.Fprintf(w, "  v%d\t%s\t%s\t%d\n", f.Version, f.Step, f.Outcome, f.Count)
	}
	w.Flush()
}
