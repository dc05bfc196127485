package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
)

// A Report is what a simulation found: the funnel through the journey's
// steps, how contacts left, split results and deliveries. It holds counts
// and ids, never personal data; its JSON form is what `journeys run
// --json` prints.
type Report struct {
	Journey  string    `json:"journey"`
	Version  int       `json:"version"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Contacts int       `json:"contacts"`
	Enrolled int       `json:"enrolled"`
	// NotEnrolled counts the contacts the entry policy refused, by reason.
	NotEnrolled []Count      `json:"notEnrolled,omitempty"`
	Steps       []StepReport `json:"steps"`
	// Outcomes counts how enrolled contacts stand at the end: completed,
	// goal, exited, failed, or active (still in the journey).
	Outcomes []Count `json:"outcomes"`
	// Goal is the journey goal's result, when it has one.
	Goal   *GoalReport   `json:"goal,omitempty"`
	Splits []SplitReport `json:"splits,omitempty"`
	// Deliveries counts the messages delivered, by channel.
	Deliveries []Count `json:"deliveries"`
	// Events counts the scripted events applied, and those that found
	// nothing to act on (a message never sent, an approval never asked).
	EventsApplied int `json:"eventsApplied"`
	EventsMissed  int `json:"eventsMissed"`
	// Trace is one contact's path, when asked for.
	Trace *ContactTrace `json:"trace,omitempty"`
}

// A Count is a number of contacts (or messages) with something in common.
type Count struct {
	What   string `json:"what"`
	Reason string `json:"reason,omitempty"`
	N      int    `json:"n"`
}

// A StepReport is one step's line of the funnel.
type StepReport struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Entered int    `json:"entered"`
	// Outcomes counts what the step did (sent, skipped, deferred, failed,
	// created, updated, called, waited, resumed), by reason.
	Outcomes []Count `json:"outcomes,omitempty"`
	// Branches counts where contacts went next.
	Branches []Branch `json:"branches,omitempty"`
	// Ended counts the contacts whose journey ended at this step, by how.
	Ended []Count `json:"ended,omitempty"`
}

// A Branch is one way out of a step and how many took it.
type Branch struct {
	To    string `json:"to"`              // a step id, or "end"
	Label string `json:"label,omitempty"` // then/else, a case, a variant, an event, timeout, approve...
	N     int    `json:"n"`
}

// A GoalReport is how many enrolled contacts reached the journey's goal.
type GoalReport struct {
	Name    string  `json:"name"`
	Reached int     `json:"reached"`
	Rate    float64 `json:"rate"`
}

// A SplitReport gives each variant of a split (and its holdout) the
// contacts it got and their goal rate: the A/B test's result.
type SplitReport struct {
	Step     string          `json:"step"`
	Variants []VariantReport `json:"variants"`
}

// A VariantReport is one arm of a split.
type VariantReport struct {
	Name     string  `json:"name"` // the variant's name, or "holdout"
	Contacts int     `json:"contacts"`
	Goal     int     `json:"goal"`
	Rate     float64 `json:"rate"`
}

// A contactRun is what the simulation knows of one contact at the end.
type contactRun struct {
	index       int // among all the run's contacts
	id          string
	exec        string
	entry       string // the enrolment's entry id
	entered     time.Time
	notEnrolled string // the entry policy's reason, when not enrolled
	path        path
	status      store.EnrolmentStatus
	reason      string
	logs        []store.StepLog // watched contacts only
	messages    []Delivered     // watched contacts only
	resumed     map[int]string  // hop index → the scripted event applied while it waited (watched only)
}

// counter counts by (what, reason) and lists the counts in a stable order.
type counter map[[2]string]int

func (c counter) add(what, reason string, n int) { c[[2]string{what, reason}] += n }

func (c counter) list(order ...string) []Count {
	out := make([]Count, 0, len(c))
	for k, n := range c {
		out = append(out, Count{What: k[0], Reason: k[1], N: n})
	}
	rank := func(w string) int {
		if i := slices.Index(order, w); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(rank(a.What), rank(b.What)), strings.Compare(a.What, b.What),
			cmp.Compare(b.N, a.N), strings.Compare(a.Reason, b.Reason))
	})
	return out
}

var outcomeOrder = []string{"sent", "skipped", "deferred", "failed", "created", "updated", "called", "waited", "resumed", "timedOut", "branched"}
var endOrder = []string{"completed", "goal", "exited", "failed", "stopped", "active"}

// A logBook keeps what the handlers' step logs said: counts by step,
// outcome and reason for everyone, and the entries themselves for the
// contacts a run watches (a trace, a journey test). It is safe for
// concurrent use.
type logBook struct {
	mu     sync.Mutex
	counts map[[3]string]int
	watch  func(contact string) bool
	kept   map[string][]store.StepLog
}

func newLogBook(watch func(string) bool) *logBook {
	return &logBook{counts: map[[3]string]int{}, watch: watch, kept: map[string][]store.StepLog{}}
}

func (b *logBook) add(l store.StepLog) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if l.Outcome != store.StepFinished && l.Outcome != store.StepEntered {
		b.counts[[3]string{l.Step, string(l.Outcome), l.Reason}]++
	}
	if b.watch(l.Contact) {
		b.kept[l.Contact] = append(b.kept[l.Contact], l)
	}
}

// release forgets the kept entries of contacts the run does not watch.
func (b *logBook) release(watch func(string) bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.kept {
		if !watch(c) {
			delete(b.kept, c)
		}
	}
}

func (b *logBook) logs(contact, execution string) []store.StepLog {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []store.StepLog
	for _, l := range b.kept[contact] {
		if l.Execution == execution {
			out = append(out, l)
		}
	}
	return out
}

// funnel builds the report's counts from the contacts' runs and the step
// log counts.
func funnel(c *journey.Checked, runs []contactRun, book *logBook) Report {
	j := c.Journey
	rep := Report{Journey: j.ID, Contacts: len(runs)}
	steps := make([]StepReport, len(j.Steps))
	outcomes := make([]counter, len(j.Steps))
	branches := make([]map[[2]string]int, len(j.Steps))
	ended := make([]counter, len(j.Steps))
	for i, s := range j.Steps {
		steps[i] = StepReport{ID: s.ID, Kind: s.Kind()}
		outcomes[i], ended[i], branches[i] = counter{}, counter{}, map[[2]string]int{}
	}
	index := c.Index
	notEnrolled, ends := counter{}, counter{}
	for _, r := range runs {
		if r.notEnrolled != "" {
			notEnrolled.add("skipped", r.notEnrolled, 1)
			continue
		}
		rep.Enrolled++
		status := string(r.status)
		ends.add(status, "", 1)
		seen := map[int32]bool{}
		for k, h := range r.path.hops {
			if !seen[h.step] {
				seen[h.step] = true
				steps[h.step].Entered++
			}
			to, label := "", ""
			switch {
			case k+1 < len(r.path.hops):
				nx := r.path.hops[k+1].step
				to, label = j.Steps[nx].ID, narrowLabel(edgeLabel(c, int(h.step), int(nx)), h.exit)
			case h.holdout:
				to, label = "end", "holdout"
			case r.status != store.EnrolmentActive:
				reason := r.reason
				if reason == status {
					reason = ""
				}
				ended[h.step].add(status, reason, 1)
				if r.status == store.EnrolmentCompleted && !j.Steps[h.step].End {
					to, label = "end", narrowLabel(edgeLabel(c, int(h.step), journey.End), h.exit)
				}
			}
			if to != "" {
				branches[h.step][[2]string{to, label}]++
			}
		}
	}
	book.mu.Lock()
	for k, n := range book.counts {
		if i, ok := index[k[0]]; ok {
			outcomes[i].add(k[1], k[2], n)
		}
	}
	book.mu.Unlock()
	for i := range steps {
		steps[i].Outcomes = outcomes[i].list(outcomeOrder...)
		steps[i].Ended = ended[i].list(endOrder...)
		steps[i].Branches = branchList(branches[i])
	}
	rep.Steps, rep.NotEnrolled, rep.Outcomes = steps, notEnrolled.list(), ends.list(endOrder...)
	if j.Goal != nil {
		g := &GoalReport{Name: j.Goal.Name, Reached: ends[[2]string{string(store.EnrolmentGoal), ""}]}
		g.Rate = rate(g.Reached, rep.Enrolled)
		rep.Goal = g
	}
	rep.Splits = splits(c, runs)
	return rep
}

func branchList(m map[[2]string]int) []Branch {
	out := make([]Branch, 0, len(m))
	for k, n := range m {
		out = append(out, Branch{To: k[0], Label: k[1], N: n})
	}
	slices.SortFunc(out, func(a, b Branch) int {
		return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.To, b.To), strings.Compare(a.Label, b.Label))
	})
	return out
}

func rate(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// edgeLabel names the edges from step i to step to (journey.End for the
// end): their labels (an event, a case, a variant) or roles (then, else,
// timeout, approve, reject), joined by "|" when several lead there. A
// plain "next" edge has no label.
func edgeLabel(c *journey.Checked, i, to int) string {
	var labels []string
	for _, e := range c.Edges[i] {
		if e.To != to {
			continue
		}
		l := e.Label
		if l == "" {
			l = e.Role
		}
		if l == "next" || slices.Contains(labels, l) {
			continue
		}
		labels = append(labels, l)
	}
	return strings.Join(labels, "|")
}

// narrowLabel keeps of an edge label ("failure", "reject|timeout") the
// part the step's exit chose: the failure, reject or timeout edge when
// the task ended so, else the others ("" for a plain next edge).
func narrowLabel(label string, x exit) string {
	parts := strings.Split(label, "|")
	role := map[exit]string{exitFailed: "failure", exitRejected: "reject", exitTimeout: "timeout"}[x]
	if role != "" && slices.Contains(parts, role) {
		return role
	}
	kept := slices.DeleteFunc(parts, func(p string) bool { return p == "failure" || p == "reject" || p == "timeout" })
	return strings.Join(kept, "|")
}

// splits computes each split's arms: a contact's arm is the variant whose
// edge leads to the step it went to next (or the holdout).
func splits(c *journey.Checked, runs []contactRun) []SplitReport {
	var out []SplitReport
	for i, s := range c.Journey.Steps {
		if s.Split == nil {
			continue
		}
		arms := map[string]*VariantReport{}
		var order []string
		for _, v := range s.Split.Variants {
			arms[v.Name] = &VariantReport{Name: v.Name}
			order = append(order, v.Name)
		}
		if s.Split.Holdout != nil {
			arms["holdout"] = &VariantReport{Name: "holdout"}
			order = append(order, "holdout")
		}
		for _, r := range runs {
			arm := armOf(c, i, r.path)
			if a := arms[arm]; a != nil {
				a.Contacts++
				if r.status == store.EnrolmentGoal {
					a.Goal++
				}
			}
		}
		sr := SplitReport{Step: s.ID}
		for _, name := range order {
			a := arms[name]
			a.Rate = rate(a.Goal, a.Contacts)
			sr.Variants = append(sr.Variants, *a)
		}
		out = append(out, sr)
	}
	return out
}

func armOf(c *journey.Checked, split int, p path) string {
	for k, h := range p.hops {
		if int(h.step) != split {
			continue
		}
		if h.holdout {
			return "holdout"
		}
		to := journey.End
		if k+1 < len(p.hops) {
			to = int(p.hops[k+1].step)
		}
		for _, e := range c.Edges[split] {
			if e.To == to {
				if e.Role == "holdout" {
					return "holdout"
				}
				return e.Label
			}
		}
	}
	return ""
}

// percent formats a rate.
func percent(r float64) string { return fmt.Sprintf("%.1f%%", 100*r) }
