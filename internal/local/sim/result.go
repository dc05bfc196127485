package sim

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// NotEnrolledStatus is a ContactResult's status when the entry policy
// kept the contact out.
const NotEnrolledStatus = "not-enrolled"

// collect reads how every contact of the part stands.
func (r *run) collect(ctx context.Context) error {
	j := r.checked.Journey
	for i := range r.contacts {
		c := &r.contacts[i]
		if c.exec == "" {
			continue
		}
		en, err := r.sys.Store.GetEnrolment(ctx, r.bu, j.ID, c.id, c.entry)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("enrolment of %s: %w", c.id, err)
		}
		c.status, c.reason = en.Status, en.Reason
		if c.status == "" {
			c.status = store.EnrolmentActive
		}
		c.path = r.recorder.path(c.exec)
		if r.opts.Watch(c.id) {
			c.logs = r.book.logs(c.id, c.exec)
			c.messages = r.world.messages[c.id]
		}
	}
	return nil
}

// merge builds the report of all parts, and the watched contacts'
// results.
func merge(runs []*run) (*Result, error) {
	first := runs[0]
	opts, checked := first.opts, first.checked
	var contacts []contactRun
	book := newLogBook(func(string) bool { return false })
	deliveries := counter{}
	applied, missed := 0, 0
	for _, r := range runs {
		contacts = append(contacts, r.contacts...)
		r.book.mu.Lock()
		for k, n := range r.book.counts {
			book.counts[k] += n
		}
		r.book.mu.Unlock()
		for _, d := range r.deliveries {
			deliveries.add(d.What, "", d.N)
		}
		applied, missed = applied+r.applied, missed+r.missed
	}
	sort.Slice(contacts, func(i, j int) bool { return contacts[i].index < contacts[j].index })
	rep := funnel(checked, contacts, book)
	rep.Version = 1
	rep.Start, rep.End = opts.Start, opts.Start.Add(opts.Until)
	rep.Deliveries = deliveries.list("email", "sms")
	rep.EventsApplied, rep.EventsMissed = applied, missed
	out := &Result{Report: &rep, Contacts: map[string]*ContactResult{}}
	for _, r := range runs {
		for _, c := range r.contacts {
			if opts.Trace != "" && c.id == opts.Trace {
				rep.Trace = trace(checked, c)
			}
			if opts.Watch(c.id) {
				out.Contacts[c.id] = r.contactResult(c)
			}
		}
	}
	if opts.Trace != "" && rep.Trace == nil {
		rep.Trace = &ContactTrace{Contact: opts.Trace}
	}
	return out, nil
}

func (r *run) contactResult(c contactRun) *ContactResult {
	cr := &ContactResult{ID: c.id, Execution: c.exec, Entered: c.entered, Status: string(c.status), Reason: c.reason,
		Logs: c.logs, Messages: c.messages, Trace: trace(r.checked, c),
		Edges: takenEdges(r.checked, c)}
	if c.notEnrolled != "" {
		cr.Status, cr.Reason = NotEnrolledStatus, c.notEnrolled
	}
	for _, h := range c.path.hops {
		cr.Path = append(cr.Path, r.checked.Journey.Steps[h.step].ID)
	}
	return cr
}

// Elapsed formats a wall-clock duration for progress and summaries.
func Elapsed(d time.Duration) string { return d.Round(time.Millisecond).String() }
