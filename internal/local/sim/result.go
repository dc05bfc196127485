package sim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// NotEnrolledStatus is a ContactResult's status when the entry policy
// kept the contact out.
const NotEnrolledStatus = "not-enrolled"

// result reads how every contact stands, builds the report and the
// watched contacts' results.
func (r *run) result(ctx context.Context) (*Result, error) {
	j := r.checked.Journey
	for i := range r.contacts {
		c := &r.contacts[i]
		if c.exec == "" {
			continue
		}
		en, err := r.sys.Store.GetEnrolment(ctx, r.bu, j.ID, c.id, c.entry)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("enrolment of %s: %w", c.id, err)
		}
		c.status, c.reason = en.Status, en.Reason
		if c.status == "" {
			c.status = store.EnrolmentActive
		}
		c.path = r.recorder.path(c.exec)
		if r.opts.Watch(c.id) {
			c.logs = r.book.logs(c.id, c.exec)
		}
	}
	rep := funnel(r.checked, r.contacts, r.book)
	rep.Version = 1
	rep.Start, rep.End = r.opts.Start, r.opts.Start.Add(r.opts.Until)
	rep.Deliveries = r.world.deliveries()
	rep.EventsApplied, rep.EventsMissed = r.applied, r.missed
	if r.opts.Trace != "" {
		if i, ok := r.byID[r.opts.Trace]; ok {
			rep.Trace = trace(r.checked, r.contacts[i])
		} else {
			rep.Trace = &ContactTrace{Contact: r.opts.Trace}
		}
	}
	out := &Result{Report: &rep, Contacts: map[string]*ContactResult{}}
	for _, c := range r.contacts {
		if !r.opts.Watch(c.id) {
			continue
		}
		cr := &ContactResult{ID: c.id, Execution: c.exec, Entered: c.entered, Status: string(c.status), Reason: c.reason,
			Logs: c.logs, Messages: r.world.messages[c.id]}
		if c.notEnrolled != "" {
			cr.Status, cr.Reason = NotEnrolledStatus, c.notEnrolled
		}
		for _, h := range c.path.hops {
			cr.Path = append(cr.Path, j.Steps[h.step].ID)
		}
		out.Contacts[c.id] = cr
	}
	return out, nil
}

// Elapsed formats a wall-clock duration for progress and summaries.
func Elapsed(d time.Duration) string { return d.Round(time.Millisecond).String() }
