package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/journeys-oss/journeys/internal/manage"
)

func runStatus(c *cli, args []string) int {
	fs := c.newFlagSet("status", "[--api URL] [--json] [--contact ID] JOURNEY")
	api := addAPIFlags(fs)
	contact := fs.String("contact", "", "show where this contact is in the journey, and since when")
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
	if *contact != "" {
		return c.contactStatus(ctx, client, id, *contact, *api.asJSON)
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
	c.printAtSteps(st.AtSteps)
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

// printAtSteps prints where the active contacts are: the step each one's
// last task recorded, and since when the longest waiting one is there.
func (c *cli) printAtSteps(at []manage.StepCount) {
	if len(at) == 0 {
		return
	}
	fmt.Fprintln(c.stdout, "at steps (last task step reached; see --contact for plain waits):")
	w := tabwriter.NewWriter(c.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "  step\tcontacts\tlongest there since")
	for _, a := range at {
		step, since := a.Step, "-"
		if step == "" {
			step = "(entered, no step yet)"
		}
		if !a.Oldest.IsZero() {
			since = a.Oldest.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "  %s\t%d\t%s\n", step, a.Contacts, since)
	}
	w.Flush()
}

// contactStatus prints where one contact is in the journey: "at step X
// since T" for each active enrolment, from the contact's trace.
func (c *cli) contactStatus(ctx context.Context, client *manage.Client, journeyID, contact string, asJSON bool) int {
	tr, err := client.Trace(ctx, contact)
	if err != nil {
		return c.apiFailed("status", err)
	}
	ps := []manage.Position{}
	for _, p := range tr.Positions {
		if p.Journey == journeyID {
			ps = append(ps, p)
		}
	}
	if asJSON {
		return c.printJSON(ps)
	}
	if len(ps) == 0 {
		fmt.Fprintf(c.stdout, "%s is not active in %s\n", contact, journeyID)
		return exitOK
	}
	for _, p := range ps {
		fmt.Fprintf(c.stdout, "%s in %s v%d (entry %s): %s\n", contact, journeyID, p.Version, p.Entry, positionText(p))
	}
	return exitOK
}

// positionText says "at step X since T" (and until when a plain wait ends).
func positionText(p manage.Position) string {
	if p.Step == "" {
		return "entered, no step reached yet"
	}
	s := "at step " + p.Step
	if !p.Since.IsZero() {
		s += " since " + p.Since.UTC().Format(time.RFC3339)
	}
	if !p.Until.IsZero() {
		s += " (waits until " + p.Until.UTC().Format(time.RFC3339) + ")"
	}
	return s
}
