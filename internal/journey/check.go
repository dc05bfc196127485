package journey

import (
	"fmt"
	"regexp"
	"time"

	"github.com/journeys-oss/journeys/internal/segment"
)

// Checked is a journey that Check accepted, with what the compiler needs:
// the steps' edges, the compiled conditions and the contact schema.
type Checked struct {
	Journey *Journey
	Schema  *Schema
	Env     *segment.Env
	// Index maps step ids to their index in Journey.Steps.
	Index map[string]int
	// Edges lists each step's outgoing edges, in a fixed order.
	Edges [][]Edge
	// Conditions holds the compiled condition of every Expr in the journey.
	Conditions map[*Expr]*segment.Condition
	// MaxDuration bounds one contact's time in the journey.
	MaxDuration time.Duration
	// Loops lists the journey's loops with their most rounds, ordered by
	// their first step.
	Loops []Loop
}

// End is the Edge.To of an edge that ends the journey.
const End = -1

// An Edge leads from a step to another (or to End).
type Edge struct {
	To    int
	Role  string // next, failure, then, else, event, timeout, case, default, variant, holdout, approve, reject
	Label string // the event name, case value or variant name
	Pos   Pos    // where the target is written (the step's position when implicit)
}

// Check checks a parsed journey against the library and returns every
// problem, sorted by position. The Checked value is nil when there are
// problems.
func Check(j *Journey, lib *Library) (*Checked, Problems) {
	c := &checker{j: j, lib: lib, out: &Checked{Journey: j, Index: map[string]int{}, Conditions: map[*Expr]*segment.Condition{}, MaxDuration: MaxWait}}
	if lib == nil {
		c.lib = NewLibrary()
	}
	c.checkHeader()
	c.checkTrigger()
	c.checkEntry()
	c.checkGoalExit()
	c.checkPolicies()
	c.checkLaunchAt()
	c.checkSteps()
	c.checkGraph()
	if len(c.probs) > 0 {
		for i, p := range c.probs {
			if !p.Pos.IsValid() { // a node the parser could not place
				c.probs[i].Pos = Pos{File: j.Pos.File, Line: max(j.Pos.Line, 1), Col: max(j.Pos.Col, 1)}
			}
		}
		return nil, c.probs.Sort()
	}
	return c.out, nil
}

type checker struct {
	j     *Journey
	lib   *Library
	out   *Checked
	env   *segment.Env
	probs Problems
	// unresolved holds the edges whose target is no step (reported, and
	// leading to End): the step the hint suggests, or noGuess.
	unresolved map[edgeRef]int
}

func (c *checker) add(pos Pos, hint, format string, args ...any) {
	c.probs.Add(pos, hint, format, args...)
}

func (c *checker) checkHeader() {
	j := c.j
	requireString(&c.probs, j.Meta, "id", j.ID, "journey")
	if j.ID != "" && (!idRE.MatchString(j.ID) || len(j.ID) > maxIDLen) {
		c.add(j.At("id"), fmt.Sprintf("lower-case letters, digits and hyphens, starting with a letter, at most %d characters", maxIDLen), "journey id %q is not valid", j.ID)
	}
	requireString(&c.probs, j.Meta, "name", j.Name, "journey")
	requireString(&c.probs, j.Meta, "businessUnit", j.BusinessUnit, "journey")
	if !j.Has("trigger") {
		c.add(j.Pos, "segment, event or linkedinForm", "journey: missing \"trigger\"")
	}
	if len(j.Steps) == 0 {
		if j.Has("steps") {
			c.add(j.At("steps"), "", "journey: \"steps\" is empty")
		} else {
			c.add(j.Pos, "", "journey: missing \"steps\"")
		}
	}
	if len(j.Steps) > maxSteps {
		c.add(j.At("steps"), fmt.Sprintf("the limit is %d steps", maxSteps), "journey has %d steps", len(j.Steps))
	}
	if j.BusinessUnit == "" {
		return
	}
	s, ok := c.lib.Schemas[j.BusinessUnit]
	if !ok {
		c.add(j.At("businessUnit"), didYouMean(j.BusinessUnit, keys(c.lib.Schemas)), "business unit %q has no contact schema (journeys/schema/%s.schema.yaml)", j.BusinessUnit, j.BusinessUnit)
		return
	}
	env, err := c.lib.Env(j.BusinessUnit)
	if err != nil {
		c.add(j.At("businessUnit"), "", "%v", err)
		return
	}
	c.env, c.out.Schema, c.out.Env = env, s, env
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// condition compiles a condition, recording it for the compiler.
func (c *checker) condition(e *Expr, what string) {
	if c.env == nil || e == nil {
		return
	}
	cond, p := compileExpr(c.env, e, what)
	c.probs = append(c.probs, p...)
	if cond != nil {
		c.out.Conditions[e] = cond
	}
}

// segmentRef checks that a segment of the journey's business unit exists.
func (c *checker) segmentRef(name string, pos Pos, what string) {
	if name == "" || c.out.Schema == nil {
		return
	}
	segs := c.lib.Segments[c.j.BusinessUnit]
	if _, ok := segs[name]; !ok {
		c.add(pos, didYouMean(name, keys(segs)), "%s: unknown segment %q", what, name)
	}
}

func (c *checker) checkTrigger() {
	t := &c.j.Trigger
	kinds := 0
	for _, k := range []string{"segment", "event", "linkedinForm"} {
		if t.Has(k) {
			kinds++
		}
	}
	if c.j.Has("trigger") && kinds != 1 {
		c.add(c.j.At("trigger"), "allowed: segment, event, linkedinForm", "the trigger must have exactly one kind, it has %d", kinds)
	}
	if s := t.Segment; s != nil {
		requireString(&c.probs, s.Meta, "segment", s.Segment, "segment trigger")
		c.segmentRef(s.Segment, s.At("segment"), "trigger")
		if s.Schedule != "" && !scheduleRE.MatchString(s.Schedule) {
			c.add(s.At("schedule"), "write rate(7 days), cron(0 9 1 * ? *) or at(2026-03-01T09:00:00)", "schedule %q is not an EventBridge Scheduler expression", s.Schedule)
		}
	}
	if e := t.Event; e != nil {
		requireString(&c.probs, e.Meta, "name", e.Name, "event trigger")
		if e.Name != "" && !eventRE.MatchString(e.Name) {
			c.add(e.At("name"), "dotted lower-case names like webinar.registered", "event name %q is not valid", e.Name)
		}
		for _, f := range e.Attributes {
			if _, ok := f.Value.(map[string]any); ok {
				c.add(f.Pos, "", "event attribute %q: expected a plain value, got a mapping", f.Key)
			}
		}
		c.carries(e)
		if e.Condition != nil {
			c.condition(e.Condition, "trigger condition")
		}
	}
}

// carries checks the attribute names an event trigger declares.
func (c *checker) carries(e *EventTrigger) {
	seen := map[string]bool{}
	for _, n := range e.Carries {
		switch {
		case !attrRE.MatchString(n):
			c.add(e.At("carries"), "a name is a letter, then letters, digits or _", "event attribute name %q is not valid", n)
		case seen[n]:
			c.add(e.At("carries"), "", "event attribute %q is declared twice", n)
		}
		seen[n] = true
	}
}

var scheduleRE = regexp.MustCompile(`^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\))$`)

func (c *checker) checkEntry() {
	e := c.j.Entry
	if e == nil {
		return
	}
	modes := []string{ReentryNever, ReentryAlways, ReentryAfter}
	if e.Reentry != "" && !contains(modes, e.Reentry) {
		c.add(e.At("reentry"), didYouMean(e.Reentry, modes), "unknown re-entry policy %q", e.Reentry)
	}
	switch {
	case e.Reentry == ReentryAfter && !e.ReentryAfter.IsSet():
		c.add(e.At("reentry"), "give the period in reentryAfter, e.g. 90d", "re-entry \"after\" needs \"reentryAfter\"")
	case e.Reentry != ReentryAfter && e.ReentryAfter.IsSet():
		c.add(e.At("reentryAfter"), "set reentry: after", "\"reentryAfter\" is only used with reentry: after")
	}
	c.segmentRef(e.Exclude, e.At("exclude"), "entry exclusion")
}

func (c *checker) checkGoalExit() {
	if g := c.j.Goal; g != nil {
		requireString(&c.probs, g.Meta, "name", g.Name, "goal")
		if g.Condition == nil {
			c.add(g.Pos, "", "goal: missing \"condition\"")
		} else {
			c.condition(g.Condition, "goal")
		}
		c.duration(g.Within, "goal", "within", MaxWait)
	}
	names := map[string]bool{}
	for _, x := range c.j.Exit {
		if x == nil {
			continue
		}
		requireString(&c.probs, x.Meta, "name", x.Name, "exit criterion")
		if names[x.Name] && x.Name != "" {
			c.add(x.At("name"), "", "duplicate exit criterion %q", x.Name)
		}
		names[x.Name] = true
		what := "exit criterion " + quote(x.Name)
		switch {
		case x.Condition != nil && x.Segment != "":
			c.add(x.At("segment"), "give a condition or a segment", "%s has both \"condition\" and \"segment\"", what)
		case x.Condition != nil:
			c.condition(x.Condition, what)
		case x.Segment != "":
			c.segmentRef(x.Segment, x.At("segment"), what)
		default:
			c.add(x.Pos, "add a condition or a segment", "%s has no condition", what)
		}
	}
}

func (c *checker) checkPolicies() {
	p := c.j.Policies
	if p == nil {
		return
	}
	if q := p.QuietHours; q != nil {
		if !q.From.IsSet() || !q.To.IsSet() {
			c.add(q.Pos, `e.g. from: "21:00", to: "08:00"`, "quiet hours need \"from\" and \"to\"")
		} else if q.From == q.To {
			c.add(q.At("to"), "", "quiet hours start and end at the same time")
		}
		for _, ch := range q.Channels {
			if !contains(channels, ch) {
				c.add(q.At("channels"), didYouMean(ch, channels), "quiet hours: unknown channel %q", ch)
			}
		}
	}
	seen := map[string]bool{}
	for _, f := range p.FrequencyCap {
		if f == nil {
			continue
		}
		if !contains(channels, f.Channel) {
			c.add(f.At("channel"), didYouMean(f.Channel, channels), "frequency cap: unknown channel %q", f.Channel)
		} else if seen[f.Channel] {
			c.add(f.At("channel"), "", "frequency cap: channel %q is capped twice", f.Channel)
		}
		seen[f.Channel] = true
		if f.Max < 1 {
			c.add(f.At("max"), "at least 1 message", "frequency cap: max must be positive")
		}
		if !f.Per.IsSet() {
			c.add(f.Pos, "e.g. per: 7d", "frequency cap: missing \"per\"")
		}
		c.duration(f.Per, "frequency cap", "per", MaxWait)
		if f.Then != "" && f.Then != "skip" && f.Then != "delay" {
			c.add(f.At("then"), didYouMean(f.Then, []string{"skip", "delay"}), "frequency cap: unknown action %q", f.Then)
		}
	}
	if p.Start.IsSet() && p.End.IsSet() && !p.Start.T.Before(p.End.T) {
		c.add(p.At("end"), "", "the end date %s is not after the start date %s", p.End.Text, p.Start.Text)
	}
	if p.MaxDuration.IsSet() {
		c.duration(p.MaxDuration, "policies", "maxDuration", MaxWait)
		if p.MaxDuration.D > 0 && p.MaxDuration.D <= MaxWait {
			c.out.MaxDuration = p.MaxDuration.D
		}
	}
}

// duration checks a written duration against a limit.
func (c *checker) duration(d Duration, what, key string, limit time.Duration) {
	if !d.IsSet() || d.D == 0 && d.Text != "" && !durationRE.MatchString(d.Text) {
		return
	}
	if d.D <= 0 {
		c.add(d.Pos, "", "%s: %s must be longer than 0s", what, key)
		return
	}
	if d.D > limit {
		c.add(d.Pos, fmt.Sprintf("a Step Functions execution lives at most one year; the maximum is %s", FormatDuration(limit)), "%s: %s of %s exceeds the %s maximum", what, key, d.Text, FormatDuration(limit))
	}
}
