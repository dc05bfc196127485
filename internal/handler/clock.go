package handler

import (
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
)

// NextTimeOfDay returns the first instant strictly after now at which the
// wall clock in loc shows t, on one of weekdays ("mon".."sun"; any day
// when empty). Across a daylight-saving change it follows time.Date: a
// wall time that does not exist that day (skipped by spring forward)
// becomes the instant it would have been, an hour later on the clock.
func NextTimeOfDay(now time.Time, loc *time.Location, t journey.TimeOfDay, weekdays []string) time.Time {
	local := now.In(loc)
	allowed := map[time.Weekday]bool{}
	for _, d := range weekdays {
		if wd, ok := weekdayNames[d]; ok {
			allowed[wd] = true
		}
	}
	for i := 0; i < 8; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, t.Hour, t.Minute, 0, 0, loc)
		if !day.After(now) {
			continue
		}
		if len(allowed) > 0 && !allowed[day.Weekday()] {
			continue
		}
		return day
	}
	return now // unreachable: some day of the next eight is allowed
}

var weekdayNames = map[string]time.Weekday{
	"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday,
}

// QuietUntil reports whether now falls in the quiet hours [from, to) of
// the wall clock in loc, and if so when they end. A window whose from is
// after its to spans midnight (21:00 to 08:00). A window with from equal
// to to is empty.
func QuietUntil(now time.Time, loc *time.Location, from, to journey.TimeOfDay) (time.Time, bool) {
	local := now.In(loc)
	minutes := local.Hour()*60 + local.Minute()
	f, e := from.Hour*60+from.Minute, to.Hour*60+to.Minute
	var quiet bool
	switch {
	case f == e:
		return time.Time{}, false
	case f < e:
		quiet = minutes >= f && minutes < e
	default:
		quiet = minutes >= f || minutes < e
	}
	if !quiet {
		return time.Time{}, false
	}
	return NextTimeOfDay(now, loc, to, nil), true
}
