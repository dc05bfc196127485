package launch

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A Schedule is a segment trigger's schedule, in EventBridge Scheduler's
// syntax: rate(7 days), cron(0 9 1 * ? *) or at(2026-03-01T09:00:00), in
// UTC. It is immutable and safe for concurrent use.
type Schedule struct {
	src    string
	every  time.Duration // rate
	at     time.Time     // at
	fields []cronField   // cron: minute, hour, day of month, month, day of week, year
}

// maxWindow bounds the span Fires walks minute by minute.
const maxWindow = 7 * 24 * time.Hour

// ParseSchedule parses a schedule expression.
func ParseSchedule(expr string) (Schedule, error) {
	s := Schedule{src: expr}
	kind, arg, ok := strings.Cut(strings.TrimSpace(expr), "(")
	if !ok || !strings.HasSuffix(arg, ")") {
		return s, fmt.Errorf("schedule %q: write rate(...), cron(...) or at(...)", expr)
	}
	arg = strings.TrimSpace(strings.TrimSuffix(arg, ")"))
	switch kind {
	case "rate":
		d, err := parseRate(arg)
		if err != nil {
			return s, fmt.Errorf("schedule %q: %w", expr, err)
		}
		s.every = d
	case "at":
		t, err := time.Parse("2006-01-02T15:04:05", arg)
		if err != nil {
			return s, fmt.Errorf("schedule %q: at() takes yyyy-mm-ddThh:mm:ss", expr)
		}
		s.at = t
	case "cron":
		fs, err := parseCron(arg)
		if err != nil {
			return s, fmt.Errorf("schedule %q: %w", expr, err)
		}
		s.fields = fs
	default:
		return s, fmt.Errorf("schedule %q: write rate(...), cron(...) or at(...)", expr)
	}
	return s, nil
}

func parseRate(arg string) (time.Duration, error) {
	n, unit, ok := strings.Cut(arg, " ")
	v, err := strconv.Atoi(n)
	if !ok || err != nil || v < 1 {
		return 0, fmt.Errorf("rate() takes a positive whole number and a unit")
	}
	units := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour,
		"day": 24 * time.Hour, "days": 24 * time.Hour}
	u, ok := units[strings.TrimSpace(unit)]
	if !ok {
		return 0, fmt.Errorf("rate() units are minutes, hours or days")
	}
	return time.Duration(v) * u, nil
}

// String returns the expression.
func (s Schedule) String() string { return s.src }

// Fires returns the schedule's fire times in (from, to], none before
// anchor, oldest first. A rate fires at anchor and every period after it
// (anchor is when the journey was first published). A window longer than
// a week is cut to its last week.
func (s Schedule) Fires(anchor, from, to time.Time) []time.Time {
	anchor, from, to = anchor.UTC(), from.UTC(), to.UTC()
	if to.Sub(from) > maxWindow {
		from = to.Add(-maxWindow)
	}
	var out []time.Time
	switch {
	case s.every > 0:
		k := int64(0)
		if from.After(anchor) {
			k = int64(from.Sub(anchor) / s.every)
		}
		for t := anchor.Add(time.Duration(k) * s.every); !t.After(to); t = t.Add(s.every) {
			if t.After(from) {
				out = append(out, t)
			}
		}
	case !s.at.IsZero():
		if s.at.After(from) && !s.at.After(to) && !s.at.Before(anchor) {
			out = append(out, s.at)
		}
	default:
		for t := from.Truncate(time.Minute).Add(time.Minute); !t.After(to); t = t.Add(time.Minute) {
			if !t.Before(anchor) && s.matches(t) {
				out = append(out, t)
			}
		}
	}
	return out
}

func (s Schedule) matches(t time.Time) bool {
	for _, f := range s.fields {
		if !f.match(t) {
			return false
		}
	}
	return true
}

// A cronField matches one part of a time.
type cronField struct {
	part  int // minute, hour, dom, month, dow, year
	any   bool
	set   map[int]bool
	last  bool // dom L; dow NL (last weekday N of the month)
	near  int  // dom NW: the weekday nearest day N
	nth   int  // dow N#k: the k-th weekday N
	value int  // the weekday of NL and N#k
}

const (
	partMinute = iota
	partHour
	partDOM
	partMonth
	partDOW
	partYear
)

var cronRanges = [6][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {1, 7}, {1970, 2199}}

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

func parseCron(arg string) ([]cronField, error) {
	parts := strings.Fields(arg)
	if len(parts) != 6 {
		return nil, fmt.Errorf("cron() takes six fields: minutes hours day-of-month month day-of-week year")
	}
	if (parts[partDOM] == "?") == (parts[partDOW] == "?") {
		return nil, fmt.Errorf("cron(): give '?' in exactly one of day-of-month and day-of-week")
	}
	fields := make([]cronField, 6)
	for i, p := range parts {
		f, err := parseField(i, strings.ToUpper(p))
		if err != nil {
			return nil, fmt.Errorf("cron() field %d %q: %w", i+1, p, err)
		}
		fields[i] = f
	}
	return fields, nil
}

func parseField(part int, p string) (cronField, error) {
	f := cronField{part: part}
	switch {
	case p == "*" || p == "?":
		f.any = true
		return f, nil
	case part == partDOM && p == "L":
		f.last = true
		return f, nil
	case part == partDOM && strings.HasSuffix(p, "W"):
		n, err := number(part, strings.TrimSuffix(p, "W"))
		f.near = n
		return f, err
	case part == partDOW && strings.HasSuffix(p, "L") && len(p) > 1:
		n, err := number(part, strings.TrimSuffix(p, "L"))
		f.last, f.value = true, n
		return f, err
	case part == partDOW && strings.Contains(p, "#"):
		d, k, _ := strings.Cut(p, "#")
		n, err := number(part, d)
		if err != nil {
			return f, err
		}
		f.value = n
		if f.nth, err = strconv.Atoi(k); err != nil || f.nth < 1 || f.nth > 5 {
			return f, fmt.Errorf("#k takes 1 to 5")
		}
		return f, nil
	}
	f.set = map[int]bool{}
	for _, item := range strings.Split(p, ",") {
		if err := f.addItem(part, item); err != nil {
			return f, err
		}
	}
	return f, nil
}

// addItem adds n, a-b, */s, n/s or a-b/s.
func (f *cronField) addItem(part int, item string) error {
	rng, stepText, stepped := strings.Cut(item, "/")
	step := 1
	if stepped {
		var err error
		if step, err = strconv.Atoi(stepText); err != nil || step < 1 {
			return fmt.Errorf("step %q is not a positive number", stepText)
		}
	}
	lo, hi := cronRanges[part][0], cronRanges[part][1]
	switch a, b, isRange := strings.Cut(rng, "-"); {
	case rng == "*":
	case isRange:
		var err error
		if lo, err = number(part, a); err != nil {
			return err
		}
		if hi, err = number(part, b); err != nil {
			return err
		}
		if hi < lo {
			return fmt.Errorf("range %s runs backwards", rng)
		}
	default:
		n, err := number(part, rng)
		if err != nil {
			return err
		}
		lo = n
		if !stepped {
			hi = n
		}
	}
	for v := lo; v <= hi; v += step {
		f.set[v] = true
	}
	return nil
}

func number(part int, s string) (int, error) {
	if part == partMonth {
		if n, ok := monthNames[s]; ok {
			return n, nil
		}
	}
	if part == partDOW {
		if n, ok := dayNames[s]; ok {
			return n, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < cronRanges[part][0] || n > cronRanges[part][1] {
		return 0, fmt.Errorf("%q is not in %d-%d", s, cronRanges[part][0], cronRanges[part][1])
	}
	return n, nil
}

func (f cronField) match(t time.Time) bool {
	if f.any {
		return true
	}
	last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	dow := int(t.Weekday()) + 1 // EventBridge: 1 is Sunday
	switch {
	case f.part == partDOM && f.last:
		return t.Day() == last
	case f.part == partDOM && f.near > 0:
		return t.Day() == nearestWeekday(t, min(f.near, last))
	case f.part == partDOW && f.last:
		return dow == f.value && t.Day()+7 > last
	case f.part == partDOW && f.nth > 0:
		return dow == f.value && (t.Day()-1)/7+1 == f.nth
	}
	v := map[int]int{partMinute: t.Minute(), partHour: t.Hour(), partDOM: t.Day(), partMonth: int(t.Month()), partDOW: dow, partYear: t.Year()}[f.part]
	return f.set[v]
}

// nearestWeekday is the day of t's month nearest to day that falls on a
// weekday, never crossing into another month.
func nearestWeekday(t time.Time, day int) int {
	d := time.Date(t.Year(), t.Month(), day, 0, 0, 0, 0, time.UTC)
	last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	switch d.Weekday() {
	case time.Saturday:
		if day == 1 {
			return 3
		}
		return day - 1
	case time.Sunday:
		if day == last {
			return day - 2
		}
		return day + 1
	}
	return day
}
