package leads

import (
	"context"
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

// Backfill walks the pager (the owner finder of a time range) and puts
// every lead through the same path as the webhook: a CREATED notification
// for the lead, accepted by the Inbox under the same dedupe key, so a lead
// the webhook delivered, or an earlier backfill queued, is a duplicate and
// the worker syncs each lead once. progress, when not nil, is called after
// every page. On error the stats say how far it got (Next).
func (in *Inbox) Backfill(ctx context.Context, pager Pager, start int, progress func(BackfillStats)) (BackfillStats, error) {
	st := BackfillStats{Next: start}
	for !pager.Done() {
		page, err := pager.Next(ctx)
		if err != nil {
			return st, fmt.Errorf("backfill at %d: %w", st.Next, err)
		}
		st.Pages++
		for _, l := range page.Leads {
			n, err := NotificationFor(l)
			if err != nil {
				return st, fmt.Errorf("backfill lead %s: %w", l.ID, err)
			}
			bu, ok := in.o.Routes.BU(n.Owner)
			if !ok {
				return st, fmt.Errorf("backfill lead %s: owner %s: %w", l.ID, n.Owner.URN, ErrUnknownOwner)
			}
			dup, err := in.accept(ctx, messageFor(bu, n, SourceBackfill, in.o.Now()), nil)
			if err != nil {
				return st, fmt.Errorf("backfill lead %s: %w", l.ID, err)
			}
			st.Leads++
			if dup {
				st.Duplicates++
			} else {
				st.Queued++
			}
		}
		st.Next = page.Start + len(page.Leads)
		if progress != nil {
			progress(st)
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
