package leads_test

import (
	"context"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
)

// TestBackfillJoinsTheWebhookPath backfills a range of which the webhook
// already delivered some leads: those are duplicates, the rest are queued,
// and the worker syncs every lead once.
func TestBackfillJoinsTheWebhookPath(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const total = 25
	for n := 1; n <= total; n++ {
		l := makeLead(leadSpec{n: n, email: emailOf(n), consent: true})
		f.li.AddLead(l)
		if n%3 == 0 {
			f.notify(l, linkedin.ActionCreated)
		}
	}
	f.drain()
	client, err := linkedin.NewClient(linkedin.ClientOptions{BaseURL: f.li.URL, Version: "202601", Tokens: linkedin.StaticToken(f.li.Token())})
	if err != nil {
		t.Fatal(err)
	}
	q := linkedin.LeadQuery{
		Owner: linkedin.Union{Kind: "sponsoredAccount", URN: owner},
		Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), PageSize: 4,
	}
	var pages []int
	st, err := f.inbox.Backfill(ctx, client.Leads(q, 0), 0, func(s leads.BackfillStats) { pages = append(pages, s.Next) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Leads != total || st.Duplicates != total/3 || st.Queued != total-total/3 || st.Next != total || len(pages) != st.Pages {
		t.Errorf("stats %+v (pages %v)", st, pages)
	}
	f.drain()
	again, err := f.inbox.Backfill(ctx, client.Leads(q, 0), 0, nil)
	if err != nil || again.Queued != 0 || again.Duplicates != total {
		t.Errorf("second backfill: %+v, %v; want every lead a duplicate", again, err)
	}
	if got := len(f.allContacts()); got != total {
		t.Errorf("%d contacts, want %d", got, total)
	}
	for name, calls := range f.starter.calls {
		if calls != 1 {
			t.Errorf("%s started %d times", name, calls)
		}
	}
	if len(f.starter.calls) != total {
		t.Errorf("%d executions, want %d", len(f.starter.calls), total)
	}
}
