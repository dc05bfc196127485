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
	"github.com/journeys-oss/journeys/internal/manage"
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
	manageURL    string // --api: the management API of a deployed system
	iam          bool
	storeSet     bool // --store was given
}

const backfillUsage = "--since DATE [--until DATE] --owner URN (--bu BU [--store PATH] | --api URL [--iam --bu BU])"

func (o *backfillOptions) register(fs *flag.FlagSet, getenv func(string) string) {
	o.api.register(fs, getenv)
	fs.StringVar(&o.since, "since", "", "first submission time: YYYY-MM-DD (UTC) or RFC 3339 (required)")
	fs.StringVar(&o.until, "until", "", "end of the range, exclusive: YYYY-MM-DD or RFC 3339 (default: now)")
	fs.StringVar(&o.owner, "owner", "", "owner URN: urn:li:sponsoredAccount:N or urn:li:organization:N (required)")
	fs.StringVar(&o.bu, "bu", "", "business unit the owner's leads belong to (required for the local store and with --iam; an API key names its own)")
	fs.StringVar(&o.leadType, "lead-type", linkedin.LeadTypeSponsored, "SPONSORED, EVENT, COMPANY or ORGANIZATION_PRODUCT")
	fs.StringVar(&o.storePath, "store", defaultStorePath, "the local runtime's store file (without --api)")
	fs.IntVar(&o.pageSize, "page-size", 10, fmt.Sprintf("leads per page (count; at most %d with --api)", manage.MaxBackfillLeads))
	fs.IntVar(&o.start, "start", 0, "offset to resume from (printed by an interrupted run)")
	fs.BoolVar(&o.testOnly, "test-leads", false, "only test leads (limitedToTestLeads=true)")
	fs.StringVar(&o.manageURL, "api", getenv(envAPI), "send the leads to a deployed system's management API at this root URL "+
		"(default $"+envAPI+"; the API key in $"+envAPIKey+" needs the scope "+manage.ScopeLeadsWrite+"); --api '' uses the local store")
	fs.BoolVar(&o.iam, "iam", false, "with --api: sign with your AWS credentials (IAM, /manage/<bu>/) instead of the API key")
}

// linkedInBackfill pulls the leads of a time range with the owner finder
// and puts each through the webhook's path (the Inbox: same dedupe key,
// same queue), so leads already pushed are duplicates and the worker syncs
// every lead once: the local runtime's store, or, with --api, a deployed
// system's through its management API, page by page.
func linkedInBackfill(c *cli, args []string, getenv func(string) string) int {
	fs := c.newFlagSet("linkedin backfill", backfillUsage)
	var o backfillOptions
	o.register(fs, getenv)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	fs.Visit(func(f *flag.Flag) { o.storeSet = o.storeSet || f.Name == "store" })
	q, err := o.query(time.Now())
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin backfill: %v\n", err)
		return exitUsage
	}
	cl, ok := o.api.client(c)
	if !ok {
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	sink, where, closeSink, err := o.sink(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin backfill: %v\n", err)
		return exitFailed
	}
	defer closeSink()
	stats, err := leads.BackfillTo(ctx, cl.Leads(q, o.start), o.start, sink, func(s leads.BackfillStats) {
		fmt.Fprintf(c.stderr, "page %d: %d leads so far\n", s.Pages, s.Leads)
	})
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin backfill: %v (resume with --start %d)\n", err, stats.Next)
		return exitFailed
	}
	if o.api.json {
		return c.printJSON(map[string]int{"pages": stats.Pages, "leads": stats.Leads, "queued": stats.Queued, "duplicates": stats.Duplicates})
	}
	fmt.Fprintf(c.stdout, "%d leads in %d pages: %d queued for sync, %d already known (%s)\n",
		stats.Leads, stats.Pages, stats.Queued, stats.Duplicates, where)
	return exitOK
}

// sink opens where the pages go: the management API with --api, else
// the local store's lead Inbox. where names it for the summary.
func (o *backfillOptions) sink(ctx context.Context) (sink leads.PageSink, where string, closeFn func(), err error) {
	if o.manageURL != "" {
		api := apiOptions{url: &o.manageURL, iam: &o.iam, bu: &o.bu, asJSON: &o.api.json}
		mc, err := api.client(ctx)
		if err != nil {
			return nil, "", nil, err
		}
		return mc.Backfill, "API " + o.manageURL, func() {}, nil
	}
	st, err := embedded.Open(o.storePath, store.Config{}, embedded.Options{})
	if err != nil {
		return nil, "", nil, err
	}
	inbox, err := leads.NewInbox(leads.InboxOptions{Store: st, Queue: queue.NewStore(st, leads.QueueName, queue.StoreOptions{}),
		Routes: leads.Routes{o.owner: o.bu}})
	if err != nil {
		st.Close()
		return nil, "", nil, err
	}
	return inbox.PageSink(o.bu), "store " + filepath.Clean(o.storePath), func() { st.Close() }, nil
}

// query checks the flags and builds the finder query.
func (o *backfillOptions) query(now time.Time) (linkedin.LeadQuery, error) {
	if err := o.target(); err != nil {
		return linkedin.LeadQuery{}, err
	}
	owner, err := linkedin.OwnerFromURN(o.owner)
	if err != nil {
		return linkedin.LeadQuery{}, fmt.Errorf("--owner: %w", err)
	}
	if o.bu != "" {
		if err := store.CheckID("bu", o.bu); err != nil {
			return linkedin.LeadQuery{}, fmt.Errorf("--bu: %w", err)
		}
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
	if o.manageURL != "" && o.pageSize > manage.MaxBackfillLeads {
		return linkedin.LeadQuery{}, fmt.Errorf("--page-size is at most %d with --api", manage.MaxBackfillLeads)
	}
	return linkedin.LeadQuery{Owner: owner, LeadType: o.leadType, TestLeadsOnly: o.testOnly, Since: since, Until: until, PageSize: o.pageSize}, nil
}

// target checks the flags that say where the leads go: the local store
// needs --bu; the API takes the business unit from the key, or from --bu
// with --iam.
func (o *backfillOptions) target() error {
	switch {
	case o.since == "" || o.owner == "":
		return fmt.Errorf("--since and --owner are required")
	case o.manageURL == "" && o.bu == "":
		return fmt.Errorf("--bu is required for the local store (or give --api URL)")
	case o.manageURL == "" && o.iam:
		return fmt.Errorf("--iam goes with --api URL")
	case o.manageURL != "" && o.storeSet:
		return fmt.Errorf("--store and --api exclude each other (--api '' uses the local store, whatever $%s says)", envAPI)
	case o.manageURL != "" && o.iam && o.bu == "":
		return fmt.Errorf("--iam needs --bu BU")
	case o.manageURL != "" && !o.iam && o.bu != "":
		return fmt.Errorf("--bu with --api goes with --iam: an API key names its own business unit")
	}
	return nil
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
