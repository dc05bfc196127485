package sim

import (
	"container/heap"
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"time"

	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/store"
)

// enter loads the contacts and enrols each at Start the way its trigger
// would: an event trigger through the event intake (its filter applies;
// the event carries Options.Event and the filter's attributes),
// a segment trigger for the segment's members only, a LinkedIn form
// trigger directly. Then it schedules the events.
func (r *run) enter(ctx context.Context) error {
	for i := r.first; i < r.last; i++ {
		s := r.seed(i)
		if err := local.LoadSeeds(ctx, r.sys.Store, r.bu, []local.Seed{s}); err != nil {
			return err
		}
		r.byID[s.ID] = len(r.contacts)
		r.contacts = append(r.contacts, contactRun{index: i, id: s.ID, entered: r.opts.Start})
	}
	for i := range r.contacts {
		if err := r.enrol(ctx, i); err != nil {
			return fmt.Errorf("enrol %s: %w", r.contacts[i].id, err)
		}
	}
	return r.scheduleEvents()
}

func (r *run) enrol(ctx context.Context, i int) error {
	c := &r.contacts[i]
	j := r.checked.Journey
	if t := j.Trigger.Event; t != nil {
		c.entry = "sim-entry-" + c.id // the event id is the entry
		attrs := map[string]any{}
		maps.Copy(attrs, r.opts.Event)
		maps.Copy(attrs, t.Attributes.Map())
		res, err := r.sys.Intake.Accept(ctx, intake.Event{
			BU: r.bu, Name: t.Name, ID: c.entry, Contact: c.id,
			Attributes: attrs, OccurredAt: r.clock.Now(),
		})
		if err != nil {
			return err
		}
		for _, s := range res.Started {
			if s.Journey == j.ID {
				c.exec = s.Execution
			}
		}
		for _, s := range res.Skipped {
			if s.Journey == j.ID {
				c.notEnrolled = s.Reason
			}
		}
		if c.exec == "" && c.notEnrolled == "" {
			c.notEnrolled = "the trigger event did not start the journey"
		}
	} else {
		if t := j.Trigger.Segment; t != nil {
			in, err := r.inSegment(ctx, c.id, t.Segment)
			if err != nil || !in {
				c.notEnrolled = "not in the segment " + t.Segment
				return err
			}
		}
		c.entry = simEntry
		out, err := r.sys.Enroller.Enrol(ctx, enrol.Request{BU: r.bu, Journey: j.ID, Contact: c.id, Entry: c.entry})
		if err != nil {
			return err
		}
		if out.Status == enrol.Skipped {
			c.notEnrolled = out.Reason
		}
		c.exec = out.Execution
	}
	if c.exec != "" {
		r.byExec[c.exec] = i
	}
	return nil
}

func (r *run) inSegment(ctx context.Context, contact, name string) (bool, error) {
	seg, err := r.sys.Library.Segment(r.bu, name)
	if err != nil {
		return false, err
	}
	ct, err := r.sys.Store.GetContact(ctx, r.bu, contact)
	if err != nil {
		return false, err
	}
	page, err := r.sys.Store.ListInteractions(ctx, r.bu, contact, store.InteractionQuery{Limit: store.MaxLimit})
	if err != nil {
		return false, err
	}
	return seg.Contains(contact, profile.Attributes(ct), profile.Interactions(page.Items), r.clock.Now())
}

// A scheduled event is one event for one contact at its time.
type scheduled struct {
	at      time.Time
	seq     int
	ev      *Event
	contact string
}

// eventQueue orders scheduled events by time, then by the order they were
// scheduled in.
type eventQueue []scheduled

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(scheduled)) }
func (q *eventQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

func (q eventQueue) peek() (time.Time, bool) {
	if len(q) == 0 {
		return time.Time{}, false
	}
	return q[0].at, true
}

// scheduleEvents queues the events with a time, for the contacts they
// apply to, and files the "after" events under the step they wait for.
func (r *run) scheduleEvents() error {
	for k := range r.opts.Events {
		ev := &r.opts.Events[k]
		if _, ours := r.byID[ev.Contact]; ev.Contact != AllContacts && !ours {
			continue // another batch's contact
		}
		if ev.Step != "" {
			if _, ok := r.checked.Index[ev.Step]; !ok {
				return fmt.Errorf("%s: event %s: journey %s has no step %q", ev.Pos, ev.Type, r.checked.Journey.ID, ev.Step)
			}
		}
		if ev.After > 0 {
			key := afterKey{ev.Step, afterKind(ev.Type)}
			r.after[key] = append(r.after[key], k)
			continue
		}
		for _, i := range r.targets(ev, k) {
			c := r.contacts[i]
			r.push(ev.At.Resolve(c.entered), ev, c.id)
		}
	}
	return nil
}

// afterKind is what an "after" event counts from: the message of an email
// event, the request of an approval decision, else the step entered.
func afterKind(typ string) string {
	switch typ {
	case TypeOpened, TypeClicked:
		return "message"
	case TypeApprove, TypeReject:
		return "approval"
	}
	return "step"
}

// targets lists the contacts (indexes) an event applies to: one, or the
// seed-chosen share of all.
func (r *run) targets(ev *Event, k int) []int {
	if ev.Contact != AllContacts {
		return []int{r.byID[ev.Contact]}
	}
	var out []int
	for i, c := range r.contacts {
		if r.chosen(ev, k, c.id) {
			out = append(out, i)
		}
	}
	return out
}

// chosen decides, the same way for the same seed, whether a contact is in
// an event's share.
func (r *run) chosen(ev *Event, k int, contact string) bool {
	if ev.Share >= 1 {
		return true
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%d\x00%s", r.opts.Seed, k, contact)
	return float64(mix(h.Sum64())>>11)/float64(1<<53) < ev.Share
}

// mix is SplitMix64's finaliser: FNV's high bits barely change between
// ids that differ in their last characters.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func (r *run) push(at time.Time, ev *Event, contact string) {
	r.seq++
	heap.Push(&r.queue, scheduled{at: at, seq: r.seq, ev: ev, contact: contact})
}

// scheduleReached queues the "after" events of the steps contacts reached.
func (r *run) scheduleReached() {
	for _, re := range r.world.takeReached() {
		for _, k := range r.after[afterKey{re.step, re.kind}] {
			ev := &r.opts.Events[k]
			if ev.Contact != AllContacts && ev.Contact != re.contact || !r.chosen(ev, k, re.contact) {
				continue
			}
			r.push(re.at.Add(ev.After), ev, re.contact)
		}
	}
}
