package journey

import (
	"fmt"
	"regexp"
	"time"
)

// opening is the earliest time a contact can enter the journey: the
// later of policies.start and the library's clock, when either is known.
type opening struct {
	T    time.Time
	What string // how the message names it: the journey's start date, or today
}

func (c *checker) opening() (opening, bool) {
	var o opening
	if p := c.j.Policies; p != nil && p.Start.IsSet() {
		o = opening{T: p.Start.T, What: "the journey's start date " + p.Start.Text}
	}
	if c.lib.Now != nil {
		if now := c.lib.Now().UTC(); now.After(o.T) {
			o = opening{T: now, What: "today (" + now.Format("2006-01-02") + ")"}
		}
	}
	return o, !o.T.IsZero()
}

// dateOnly matches a date without a time of day.
var dateOnly = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)

// checkUntil checks a wait until a date against the journey's start and
// end dates and its maximum duration (the machine's TimeoutSeconds): a
// contact waiting past it times out.
func (c *checker) checkUntil(s *Step) {
	u := s.Wait.Until
	if !u.IsSet() || u.T.IsZero() {
		return
	}
	if dateOnly.MatchString(u.Text) {
		c.stepErr(s, u.Pos, fmt.Sprintf("write the time and its offset, e.g. %sT09:00:00-05:00, or wait with timeOfDay in the contact's time zone", u.Text),
			"until %s means midnight UTC, not midnight where the contact is", u.Text)
	}
	p := c.j.Policies
	switch {
	case p != nil && p.End.IsSet() && u.T.After(p.End.T):
		c.stepErr(s, u.Pos, "the journey ends for everyone at its end date", "waits until %s, after the journey's end date %s", u.Text, p.End.Text)
		return
	case p != nil && p.Start.IsSet() && !u.T.After(p.Start.T):
		c.stepErr(s, u.Pos, "every contact enters after it, so the wait never waits; correct the date or remove the step",
			"waits until %s, not after the journey's start date %s", u.Text, p.Start.Text)
		return
	}
	open, ok := c.opening()
	if !ok || u.T.Sub(open.T) <= c.out.MaxDuration {
		return
	}
	limit := fmt.Sprintf("a Step Functions execution lives at most %s", FormatDuration(MaxWait))
	if c.out.MaxDuration < MaxWait {
		limit = fmt.Sprintf("an execution lives at most policies.maxDuration, %s (at most %s)", FormatDuration(c.out.MaxDuration), FormatDuration(MaxWait))
	}
	c.stepErr(s, u.Pos, limit+"; wait for a duration, or start the journey closer to the date",
		"waits until %s, %s after %s: contacts who enter before %s time out while waiting",
		u.Text, days(u.T.Sub(open.T)), open.What, u.T.Add(-c.out.MaxDuration).Format("2006-01-02"))
}

// untilWait is how long a contact entering at the opening waits at a wait
// until a date, or 0 when the date or the opening is unknown.
func (c *checker) untilWait(s *Step) time.Duration {
	if s.Wait == nil || !s.Wait.Until.IsSet() || s.Wait.Until.T.IsZero() {
		return 0
	}
	open, ok := c.opening()
	if !ok || !s.Wait.Until.T.After(open.T) {
		return 0
	}
	return s.Wait.Until.T.Sub(open.T)
}

// checkLaunchAt checks a one-time segment launch, at(...) in UTC as
// EventBridge Scheduler reads it without a time zone, against the
// journey's start and end dates.
func (c *checker) checkLaunchAt() {
	t, p := c.j.Trigger.Segment, c.j.Policies
	if t == nil || p == nil {
		return
	}
	m := launchAtRE.FindStringSubmatch(t.Schedule)
	if m == nil {
		return
	}
	at, err := time.Parse("2006-01-02T15:04:05", m[1])
	if err != nil {
		c.add(t.At("schedule"), "write at(2026-03-01T09:00:00)", "schedule %q is not a valid time: %v", t.Schedule, err)
		return
	}
	switch {
	case p.Start.IsSet() && at.Before(p.Start.T):
		c.add(t.At("schedule"), "contacts enter from the start date on; launch on or after it", "the segment launches at %s UTC, before the journey's start date %s", m[1], p.Start.Text)
	case p.End.IsSet() && !at.Before(p.End.T):
		c.add(t.At("schedule"), "launch before the end date", "the segment launches at %s UTC, when the journey has ended (end date %s)", m[1], p.End.Text)
	}
}

var launchAtRE = regexp.MustCompile(`^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$`)

// days formats a duration in whole days, rounded down.
func days(d time.Duration) string {
	return thousands(int(d/(24*time.Hour))) + "d"
}
