package leads

import (
	"context"
	"errors"
	"fmt"

	"github.com/journeys-oss/journeys/internal/linkedin"
)

// A Pager pages through leads (*linkedin.LeadPager).
type Pager interface {
	Next(ctx context.Context) (linkedin.Page, error)
	Done() bool
}

// BackfillStats counts what a backfill did.
type BackfillStats struct {
	Pages, Leads, Queued, Duplicates int
	// Next is the pager offset to resume from after an error.
	Next int
}

// PageStats counts what BackfillPage did with one page.
type PageStats struct {
	Leads      int `json:"leads"`
	Queued     int `json:"queued"`
	Duplicates int `json:"duplicates"`
}

// ErrForeignOwner: a backfilled lead's owner is not one of the business
// unit's LinkedIn owners (another unit's, or nobody's).
var ErrForeignOwner = errors.New("leads: the lead's owner is not one of the business unit's linkedin owners")

// A PageSink takes one page of leads and says what it did with them:
// Inbox.BackfillPage, or the management API's Client.Backfill for a
// deployed system.
type PageSink func(ctx context.Context, page []linkedin.Lead) (PageStats, error)

// PageSink is BackfillPage for bu as a PageSink: a lead the webhook
// delivered, or an earlier backfill queued, is a duplicate and the worker
// syncs each lead once.
func (in *Inbox) PageSink(bu string) PageSink {
	return func(ctx context.Context, page []linkedin.Lead) (PageStats, error) {
		return in.BackfillPage(ctx, bu, page)
	}
}

// BackfillTo walks the pager from offset start and hands every non-empty
// page to sink, counting what it did. progress, when not nil, is called
// after every page. On error the stats say how far it got: Next is the
// offset of the page that failed, to resume from (a page the sink took
// in part is found duplicate where it was queued).
func BackfillTo(ctx context.Context, pager Pager, start int, sink PageSink, progress func(BackfillStats)) (BackfillStats, error) {
	st := BackfillStats{Next: start}
	for !pager.Done() {
		page, err := pager.Next(ctx)
		if err != nil {
			return st, fmt.Errorf("backfill at %d: %w", st.Next, err)
		}
		st.Pages++
		if len(page.Leads) > 0 {
			ps, err := sink(ctx, page.Leads)
			st.Leads += ps.Leads
			st.Queued += ps.Queued
			st.Duplicates += ps.Duplicates
			if err != nil {
				return st, fmt.Errorf("backfill page at %d: %w", st.Next, err)
			}
		}
		st.Next = page.Start + len(page.Leads)
		if progress != nil {
			progress(st)
		}
	}
	return st, nil
}

// BackfillPage puts one page of leads (as LinkedIn's owner finder returns
// them) through the webhook's path: the CREATED notification LinkedIn
// would have pushed for each lead (NotificationFor), accepted under the
// same dedupe key and queued on the same queue, with source "backfill".
//
// Every lead is checked before any is queued. With bu empty, each lead
// goes to the business unit its owner routes to, and an owner no unit
// claims is ErrUnknownOwner. With bu set (a caller that may only write to
// that unit), a lead whose owner does not route to bu is ErrForeignOwner.
// Either way nothing of the page is queued then. An error while queueing
// leaves the leads before it queued; the stats count them, and a retry of
// the page finds them duplicates.
func (in *Inbox) BackfillPage(ctx context.Context, bu string, page []linkedin.Lead) (PageStats, error) {
	msgs := make([]Message, 0, len(page))
	now := in.o.Now()
	for _, l := range page {
		n, err := NotificationFor(l)
		if err != nil {
			return PageStats{}, fmt.Errorf("backfill lead %s: %w", l.ID, err)
		}
		owner, ok := in.o.Routes.BU(n.Owner)
		switch {
		case bu != "" && (!ok || owner != bu):
			return PageStats{}, fmt.Errorf("backfill lead %s: owner %s: %w", l.ID, n.Owner.URN, ErrForeignOwner)
		case !ok:
			return PageStats{}, fmt.Errorf("backfill lead %s: owner %s: %w", l.ID, n.Owner.URN, ErrUnknownOwner)
		}
		msgs = append(msgs, messageFor(owner, n, SourceBackfill, now))
	}
	var st PageStats
	for _, m := range msgs {
		dup, err := in.accept(ctx, m, nil)
		if err != nil {
			return st, fmt.Errorf("backfill lead %s: %w", m.Lead, err)
		}
		st.Leads++
		if dup {
			st.Duplicates++
		} else {
			st.Queued++
		}
	}
	return st, nil
}

// NotificationFor is the CREATED notification LinkedIn would have pushed
// for a lead, as the backfill feeds it to the Inbox.
func NotificationFor(l linkedin.Lead) (linkedin.Notification, error) {
	v, err := l.Version()
	if err != nil {
		return linkedin.Notification{}, err
	}
	n := linkedin.Notification{
		Type: linkedin.TypeLeadAction, LeadID: l.ID, LeadURN: linkedin.LeadURN(l.ID), Form: v, Owner: l.Owner,
		LeadType: l.LeadType, Action: linkedin.ActionCreated, OccurredAt: l.Submitted(),
	}
	if l.AssociatedEntity != nil {
		n.AssociatedEntity = *l.AssociatedEntity
	}
	return n, nil
}
