package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

// defaultStorePath is the local runtime's store.
const defaultStorePath = ".journeys/store.db"

// backfillOptions are the flags of `journeys linkedin backfill`.
type backfillOptions struct {
	api          linkedInAPI
	since, until string
	owner, bu    string
	leadType     string
	storePath    string
	pageSize     int
	start        int
	testOnly     bool
}

func (o *backfillOptions) register(fs *flag.FlagSet, getenv func(string) string) {
	o.api.register(fs, getenv)
	fs.StringVar(&o.since, "since", "", "first submission time: YYYY-MM-DD (UTC) or RFC 3339 (required)")
	fs.StringVar(&o.until, "until", "", "end of the range, exclusive: YYYY-MM-DD or RFC 3339 (default: now)")
	fs.StringVar(&o.owner, "owner", "", "owner URN: urn:li:sponsoredAccount:N or urn:li:organization:N (required)")
	fs.StringVar(&o.bu, "bu", "", "business unit the owner's leads belong to (required)")
	fs.StringVar(&o.leadType, "lead-type", linkedin.LeadTypeSponsored, "SPONSORED, EVENT, COMPANY or ORGANIZATION_PRODUCT")
	fs.StringVar(&o.storePath, "store", defaultStorePath, "the local runtime's store file")
	fs.IntVar(&o.pageSize, "page-size", 10, "leads per page (count)")
	fs.IntVar(&o.start, "start", 0, "offset to resume from (printed by an interrupted run)")
	fs.BoolVar(&o.testOnly, "test-leads", false, "only test leads (limitedToTestLeads=true)")
}

// linkedInBackfill pulls the leads of a time range with the owner finder
// and puts each through the webhook's path (the Inbox: same dedupe key,
// same queue), so leads already pushed are duplicates and the worker syncs
// every lead once.
func linkedInBackfill(c *cli, args []string, getenv func(string) string) int {
	fs := c.newFlagSet("linkedin backfill", "--since DATE [--until DATE] --owner URN --bu BU [--store PATH]")
	var o backfillOptions
	o.register(fs, getenv)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	q, err := o.query(time.Now())
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin backfill: %v\n", err)
		return exitUsage
	}
	cl, ok := o.api.client(c)
	if !ok {
		return exitUsage
	}
	st, err := embedded.Open(o.storePath, store.Config{}, embedded.Options{})
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin backfill: %v\n", err)
		return exitFailed
	}
	defer st.Close()
	inbox, err := leads.NewInbox(leads.InboxOptions{Store: st, Queue: queue.NewStore(st, leads.QueueName, queue.StoreOptions{}),
		Routes: leads.Routes{o.owner: o.bu}})
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin backfill: %v\n", err)
		return exitFailed
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	stats, err := inbox.Backfill(ctx, cl.Leads(q, o.start), o.start, func(s leads.BackfillStats) {
		fmt.Fprintf(c.stderr, "page %d: %d leads so far\n", s.Pages, s.Leads)
	})
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin backfill: %v (resume with --start %d)\n", err, stats.Next)
		return exitFailed
	}
	if o.api.json {
		return c.printJSON(map[string]int{"pages": stats.Pages, "leads": stats.Leads, "queued": stats.Queued, "duplicates": stats.Duplicates})
	}
	fmt.Fprintf(c.stdout, "%d leads in %d pages: %d queued for sync, %d already known (store %s)\n",
		stats.Leads, stats.Pages, stats.Queued, stats.Duplicates, filepath.Clean(o.storePath))
	return exitOK
}

// query checks the flags and builds the finder query.
func (o *backfillOptions) query(now time.Time) (linkedin.LeadQuery, error) {
	if o.since == "" || o.owner == "" || o.bu == "" {
		return linkedin.LeadQuery{}, fmt.Errorf("--since, --owner and --bu are required")
	}
	owner, err := linkedin.OwnerFromURN(o.owner)
	if err != nil {
		return linkedin.LeadQuery{}, fmt.Errorf("--owner: %w", err)
	}
	if err := store.CheckID("bu", o.bu); err != nil {
		return linkedin.LeadQuery{}, fmt.Errorf("--bu: %w", err)
	}
	since, err := parseWhen(o.since)
	if err != nil {
		return linkedin.LeadQuery{}, fmt.Errorf("--since: %w", err)
	}
	until := now.UTC()
	if o.until != "" {
		if until, err = parseWhen(o.until); err != nil {
			return linkedin.LeadQuery{}, fmt.Errorf("--until: %w", err)
		}
	}
	if !since.Before(until) {
		return linkedin.LeadQuery{}, fmt.Errorf("--since must be before --until")
	}
	if o.pageSize < 1 || o.start < 0 {
		return linkedin.LeadQuery{}, fmt.Errorf("--page-size must be positive and --start not negative")
	}
	return linkedin.LeadQuery{Owner: owner, LeadType: o.leadType, TestLeadsOnly: o.testOnly, Since: since, Until: until, PageSize: o.pageSize}, nil
}

// parseWhen reads a date (midnight UTC) or an RFC 3339 time.
func parseWhen(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	return t.UTC(), nil
}
