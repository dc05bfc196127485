package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/cost"
	"github.com/journeys-oss/journeys/internal/journey"
)

func runCost(c *cli, args []string) int {
	fs := c.newFlagSet("cost", "[--contacts N] [--root DIR] [--json] JOURNEY|FILE")
	contacts := fs.Int("contacts", 1000, "how many contacts to price")
	root := fs.String("root", "journeys", "where a journey id is looked up (<root>/<id>.journey.yaml)")
	asJSON := fs.Bool("json", false, "print the estimate and the prices as JSON")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 || *contacts < 1 {
		fmt.Fprintln(c.stderr, "journeys cost: give one journey (an id in journeys/ or a file) and --contacts of at least 1")
		return exitUsage
	}
	file := fs.Arg(0)
	if !strings.HasSuffix(file, ".yaml") {
		file = filepath.Join(*root, file+".journey.yaml")
	}
	if _, err := os.Stat(file); err != nil {
		fmt.Fprintf(c.stderr, "journeys cost: %v\n", err)
		return exitUsage
	}
	lib, probs := newLibraries("").forFile(file)
	checked, more := journey.ReadJourney(file, lib)
	if probs = append(probs, more...); len(probs) > 0 {
		fmt.Fprint(c.stderr, probs.Sort().Format(0))
		return exitInvalid
	}
	res, err := compile.Compile(checked, compile.Options{Source: filepath.ToSlash(file)})
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys cost: %v\n", err)
		return exitFailed
	}
	e, err := cost.HandlerMeasurements().Estimate(checked.Journey, res.Definition)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys cost: %v\n", err)
		return exitFailed
	}
	b := e.Price(cost.USEast(), *contacts)
	if *asJSON {
		return c.printJSON(struct {
			Estimate  cost.Estimate  `json:"perContact"`
			Totals    cost.Line      `json:"totalsPerContact"`
			Breakdown cost.Breakdown `json:"cost"`
		}{e, e.Totals(), b})
	}
	c.printCost(e, b)
	return exitOK
}

func (c *cli) printCost(e cost.Estimate, b cost.Breakdown) {
	t := e.Totals()
	fmt.Fprintf(c.stdout, "%s (%s trigger), per contact on the typical path:\n", e.Journey, e.Trigger)
	fmt.Fprintf(c.stdout, "  state transitions   %d\n", e.Transitions)
	fmt.Fprintf(c.stdout, "  Lambda invocations  %.2f (%.0f ms billed at %.0f MB)\n", t.Invocations, t.Millis, cost.LambdaMemoryGB*1024)
	fmt.Fprintf(c.stdout, "  HTTP API requests   %.2f\n", t.HTTP)
	fmt.Fprintf(c.stdout, "  DynamoDB requests   %d (%.1f read units, %.1f write units)\n\n", t.Units.Requests, t.Units.RRU, t.Units.WRU)
	w := tabwriter.NewWriter(c.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "what\tfunction\tinvocations\tHTTP\tDynamoDB req\tRRU\tWRU\tstore calls\t")
	for _, l := range e.Lines {
		calls := "measured"
		if !l.Measured {
			calls = "assumed"
		}
		fmt.Fprintf(w, "%s\t%s\t%.2f\t%.0f\t%d\t%.1f\t%.1f\t%s\t\n", l.What, l.Function, l.Invocations, l.HTTP, l.Units.Requests, l.Units.RRU, l.Units.WRU, calls)
	}
	w.Flush()
	fmt.Fprintf(c.stdout, "\ncost of %d contacts:\n", b.Contacts)
	for _, r := range []struct {
		what string
		usd  float64
	}{
		{"Step Functions state transitions", b.StepFunctions}, {"Lambda requests", b.LambdaRequests},
		{"Lambda compute (arm64)", b.LambdaCompute}, {"DynamoDB reads (on-demand)", b.DynamoDBReads},
		{"DynamoDB writes (on-demand)", b.DynamoDBWrites}, {"HTTP API requests", b.HTTPAPI}, {"total", b.Total},
	} {
		fmt.Fprintf(c.stdout, "  %-34s $%10.4f\n", r.what, r.usd)
	}
	fmt.Fprintf(c.stdout, "prices: %s\n", b.Prices.Source)
}
