package launch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/segment"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// A TaskFailure is the error a page task failed with after the machine's
// retries, caught into the iteration's state.
type TaskFailure struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// Page reads one page of the iteration's shard, enrols the segment's
// members and returns the iteration with the shard moved on. When time
// runs out mid-page (PageBudget, the context's deadline) the shard's Skip
// remembers how far it got. An error means nothing of the page counted
// and the task may be retried.
func (l *Launcher) Page(ctx context.Context, p PageState) (PageState, error) {
	if p.V != 1 || p.BU == "" || p.Journey == "" || p.Launch == "" || p.Version < 1 || p.Segments < 1 || p.PageSize < 1 {
		return p, wire.Errorf(wire.ErrInvalidPayload, "segment launch page v%d: incomplete iteration state", p.V)
	}
	seg, loads, err := l.segment(ctx, p.BU, p.Journey, p.Version)
	if err != nil {
		return p, err
	}
	page, err := l.store.ListContacts(ctx, p.BU, store.ContactScan{Segment: p.Shard.Segment, Segments: p.Segments, Cursor: p.Shard.Cursor, Limit: p.PageSize})
	if err != nil {
		return p, fmt.Errorf("launch %s: list contacts of segment %d: %w", p.Launch, p.Shard.Segment, err)
	}
	skip := min(p.Shard.Skip, len(page.Items))
	members := page.Items[skip:]
	w := &pageWork{l: l, p: p, seg: seg, loads: loads, bucket: newBucket(p.Rate, l.now, l.sleep), start: l.now()}
	if err := w.readAhead(ctx, members); err != nil {
		return p, err
	}
	results, done := w.run(ctx, members)

	var tally Totals
	var failed, attempted int
	var firstErr error
	for _, r := range results {
		if r.unfinished {
			continue
		}
		attempted++
		r.count(&tally)
		if r.err != nil {
			failed++
			if firstErr == nil {
				firstErr = r.err
			}
		}
	}
	if attempted >= 10 && failed == attempted {
		return p, fmt.Errorf("launch %s: every enrolment of a page of segment %d failed: %w", p.Launch, p.Shard.Segment, firstErr)
	}
	p.Shard.Totals.Add(tally)
	if done == len(members) {
		p.Shard.Cursor, p.Shard.Skip, p.Shard.Done = page.Next, 0, page.Next == ""
	} else {
		p.Shard.Skip = skip + done
	}
	p.Pages++
	p.Shard.Failures, p.Shard.Error = 0, ""
	return p, nil
}

// segment returns the journey version's trigger segment and whether its
// condition reads interactions (then they are loaded per contact).
func (l *Launcher) segment(ctx context.Context, bu, id string, version int) (*segment.Segment, bool, error) {
	v, err := l.catalog.Version(ctx, bu, id, version)
	if err != nil {
		return nil, false, fmt.Errorf("launch %s: %w", id, err)
	}
	t := v.Journey().Trigger.Segment
	if t == nil {
		return nil, false, wire.Errorf(wire.ErrInvalidPayload, "journey %s v%d is not triggered by a segment", id, version)
	}
	seg, err := v.Library.Segment(bu, t.Segment)
	if err != nil {
		return nil, false, fmt.Errorf("launch %s: %w", id, err)
	}
	return seg, seg.Condition != nil && readsInteractions(seg.Condition.Source()), nil
}

var identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// interactionNames are the CEL names that read a contact's interactions.
var interactionNames = map[string]bool{
	"interactions": true, "opened": true, "clicked": true, "received": true,
	"submitted": true, "happened": true, "times": true,
}

// readsInteractions reports whether a condition may read interactions. It
// errs on the side of yes (a word in a string literal counts), which costs
// a read, never a wrong answer.
func readsInteractions(src string) bool {
	for _, id := range identifier.FindAllString(src, -1) {
		if interactionNames[id] {
			return true
		}
	}
	return false
}

// pageWork enrols one page's contacts.
type pageWork struct {
	l          *Launcher
	p          PageState
	seg        *segment.Segment
	loads      bool
	bucket     *bucket
	start      time.Time
	journey    *store.Journey
	enrolments map[string][]store.Enrolment
}

// readAhead reads once for the page what the enroller would otherwise
// read for each member: the journey's record (so a pause or stop takes
// effect from the next page) and the contacts' enrolments in the journey
// (a few index queries instead of two reads per contact).
func (w *pageWork) readAhead(ctx context.Context, members []store.Contact) error {
	j, err := w.l.store.GetJourney(ctx, w.p.BU, w.p.Journey)
	if err != nil {
		return fmt.Errorf("launch %s: %w", w.p.Launch, err)
	}
	ids := make([]string, len(members))
	for i, c := range members {
		ids[i] = c.ID
	}
	if w.enrolments, err = w.l.store.EnrolmentsOf(ctx, w.p.BU, w.p.Journey, ids); err != nil {
		return fmt.Errorf("launch %s: %w", w.p.Launch, err)
	}
	w.journey = &j
	return nil
}

// run enrols members with the configured workers, in order, and stops
// dispatching when time runs out. It returns every dispatched result and
// how many leading contacts are finished.
func (w *pageWork) run(ctx context.Context, members []store.Contact) ([]result, int) {
	results := make([]result, len(members))
	var wg sync.WaitGroup
	sem := make(chan struct{}, w.l.cfg.Workers)
	dispatched := 0
	for i, c := range members {
		if w.outOfTime(ctx) {
			break
		}
		sem <- struct{}{}
		dispatched++
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = w.one(ctx, c) // each goroutine writes its own element
		}()
	}
	wg.Wait()
	results = results[:dispatched]
	done := dispatched
	for i, r := range results {
		if r.unfinished {
			done = i
			break
		}
	}
	return results, done
}

// outOfTime reports that the page must stop dispatching: its budget on
// the launcher's clock is spent, or the context's deadline is near.
func (w *pageWork) outOfTime(ctx context.Context) bool {
	if ctx.Err() != nil || w.l.now().Sub(w.start) >= w.l.cfg.PageBudget {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < w.l.cfg.DeadlineMargin
}

// A result is what happened to one contact of a page.
type result struct {
	member     bool
	unfinished bool // time ran out before it was decided: the next page task redoes it
	status     string
	reason     string
	err        error
	throttled  int
	limitHits  int
	retried    bool // a start was pushed back before it succeeded
}

func (r result) count(t *Totals) {
	t.Listed++
	t.Throttled += int64(r.throttled)
	t.LimitHits += int64(r.limitHits)
	if r.err != nil {
		t.Failed++
		return
	}
	if !r.member {
		return
	}
	t.Members++
	switch r.status {
	case enrol.Enrolled:
		t.Enrolled++
	case enrol.Already:
		if r.retried {
			t.Enrolled++ // this launch's own start, completed after a throttle
		} else {
			t.Already++
		}
	case enrol.Skipped:
		t.skip(r.reason, 1)
	}
}

// one decides one contact: is it in the segment, and if so enrol it,
// absorbing throttles with backoff.
func (w *pageWork) one(ctx context.Context, c store.Contact) result {
	var r result
	var in []segment.Interaction
	known := &enrol.Known{Contact: c, Journey: w.journey, Enrolments: w.enrolments[c.ID]}
	if known.Enrolments == nil {
		known.Enrolments = []store.Enrolment{} // read: none
	}
	if w.loads {
		page, err := w.l.store.ListInteractions(ctx, w.p.BU, c.ID, store.InteractionQuery{Limit: 1000, NewestFirst: true})
		if err != nil {
			r.err = fmt.Errorf("contact %s: %w", c.ID, err)
			return r
		}
		in = profile.Interactions(page.Items)
		known.Interactions = append(page.Items[:0:0], page.Items...)
	}
	ok, err := w.seg.Contains(c.ID, profile.Attributes(c), in, w.l.now())
	if errors.Is(err, segment.ErrEval) {
		r.member, r.status, r.reason = true, enrol.Skipped, "the segment condition could not be evaluated"
		return r
	}
	if err != nil || !ok {
		r.err = err
		return r
	}
	r.member = true
	for attempt := 0; ; attempt++ {
		if err := w.bucket.wait(ctx); err != nil {
			r.unfinished = true
			return r
		}
		out, err := w.l.enroller.Enrol(ctx, enrol.Request{BU: w.p.BU, Journey: w.p.Journey, Contact: c.ID, Entry: w.p.Launch, Known: known})
		if errors.Is(err, workflow.ErrThrottled) {
			r.throttled++
			r.retried = true
			limit := errors.Is(err, workflow.ErrExecutionLimit)
			if limit {
				r.limitHits++
			}
			if w.outOfTime(ctx) || w.l.sleep(ctx, backoff(attempt, limit)) != nil {
				r.unfinished = true
				return r
			}
			continue
		}
		if err != nil {
			r.err = err
			w.l.log.WarnContext(ctx, "enrolment failed", "bu", w.p.BU, "journey", w.p.Journey, "launch", w.p.Launch, "contact", c.ID, "error", err)
			return r
		}
		r.status, r.reason = out.Status, out.Reason
		return r
	}
}

// backoff is the wait before retrying a throttled start: exponential with
// full jitter, from 200 ms for a rate throttle and from 5 s for the
// open-execution quota (only closing executions free room), at most 60 s.
func backoff(attempt int, limit bool) time.Duration {
	base := 200 * time.Millisecond
	if limit {
		base = 5 * time.Second
	}
	d := base << min(attempt, 10)
	d = min(d, 60*time.Second)
	return d/2 + rand.N(d/2+1)
}
