package leads_test

import (
	"context"
	"errors"
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
	st, err := leads.BackfillTo(ctx, client.Leads(q, 0), 0, f.inbox.PageSink(""), func(s leads.BackfillStats) { pages = append(pages, s.Next) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Leads != total || st.Duplicates != total/3 || st.Queued != total-total/3 || st.Next != total || len(pages) != st.Pages {
		t.Errorf("stats %+v (pages %v)", st, pages)
	}
	f.drain()
	again, err := leads.BackfillTo(ctx, client.Leads(q, 0), 0, f.inbox.PageSink(""), nil)
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

// TestBackfillPageForOneBusinessUnit: a page for a business unit is
// checked whole before anything is queued; a lead of another owner
// refuses the page.
func TestBackfillPageForOneBusinessUnit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	mine := []linkedin.Lead{makeLead(leadSpec{n: 1, email: emailOf(1)}), makeLead(leadSpec{n: 2, email: emailOf(2)})}
	foreign := makeLead(leadSpec{n: 3, email: emailOf(3)})
	foreign.Owner = linkedin.Union{Kind: "organization", URN: "urn:li:organization:99"}
	for _, tt := range []struct {
		name string
		bu   string
		page []linkedin.Lead
		want error
	}{
		{"another owner", bu, []linkedin.Lead{mine[0], foreign, mine[1]}, leads.ErrForeignOwner},
		{"another business unit", "contoso", mine, leads.ErrForeignOwner},
		{"routed by owner", "", []linkedin.Lead{mine[0], foreign}, leads.ErrUnknownOwner},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := f.inbox.BackfillPage(ctx, tt.bu, tt.page)
			if !errors.Is(err, tt.want) || st != (leads.PageStats{}) {
				t.Fatalf("BackfillPage = %+v, %v; want nothing done and %v", st, err, tt.want)
			}
			if n, _, err := f.q.Depth(ctx); err != nil || n != 0 {
				t.Fatalf("queue depth %d, %v: a refused page queued leads", n, err)
			}
		})
	}
	st, err := f.inbox.BackfillPage(ctx, bu, append(mine, mine[0]))
	if want := (leads.PageStats{Leads: 3, Queued: 2, Duplicates: 1}); err != nil || st != want {
		t.Fatalf("BackfillPage = %+v, %v; want %+v", st, err, want)
	}
}

// TestBackfillOfAnotherOwnersLead: a backfilled lead id whose lead LinkedIn
// says belongs to another owner is skipped by the worker, so a caller
// cannot pull another business unit's lead into its own by naming its id.
func TestBackfillOfAnotherOwnersLead(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	real := makeLead(leadSpec{n: 1, email: emailOf(1), consent: true})
	real.Owner = linkedin.Union{Kind: "organization", URN: "urn:li:organization:99"}
	f.li.AddLead(real)
	claimed := real
	claimed.Owner = linkedin.Union{Kind: "sponsoredAccount", URN: owner}
	if st, err := f.inbox.BackfillPage(ctx, bu, []linkedin.Lead{claimed}); err != nil || st.Queued != 1 {
		t.Fatalf("BackfillPage = %+v, %v", st, err)
	}
	f.drain()
	if got := f.allContacts(); len(got) != 0 {
		t.Errorf("%d contacts from another owner's lead, want none", len(got))
	}
	if len(f.starter.calls) != 0 {
		t.Errorf("executions started: %v", f.starter.calls)
	}
}
