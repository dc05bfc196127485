package journey

import (
	"fmt"
	"slices"
	"time"
)

// HistoryLimit is the number of events Step Functions keeps in one
// execution's history; an execution that needs more fails.
const HistoryLimit = 25_000

// TaskMaxAttempts is how many times a compiled machine retries a task on
// Journey.Transient and Lambda's transient errors (the Retry MaxAttempts).
const TaskMaxAttempts = 4

// History events per state, as Step Functions writes them.
const (
	eventsTask     = 5 // TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited
	eventsRetry    = 3 // TaskScheduled, TaskStarted, TaskFailed again
	eventsTokenAdd = 1 // TaskSubmitted, for waitForTaskToken
	eventsState    = 2 // entered, exited: Pass, Choice, Wait, Succeed
)

// worstTask is a Lambda task at its worst: retried to the limit, deferred
// once (Pass, Wait) and called again.
const worstTask = eventsTask + TaskMaxAttempts*eventsRetry + 2*eventsState + eventsTask

// worstEvents is the most history events a step writes, as compiled.
func worstEvents(s *Step) int {
	switch {
	case s.End:
		return worstTask + eventsState
	case s.Wait != nil && s.Wait.TimeOfDay.IsSet():
		return worstTask + eventsState
	case s.Wait != nil:
		return eventsState
	case s.WaitFor != nil, s.Approval != nil:
		return worstTask + eventsTokenAdd + eventsState
	case s.If != nil, s.Switch != nil:
		return worstTask + eventsState
	case s.Split != nil:
		return 2 * eventsState
	}
	return worstTask
}

// A Loop is a set of steps a contact can go round, with the most rounds
// one contact can make: the estimate that both the history bound and the
// compiler's worst-case stats multiply a loop by.
type Loop struct {
	Steps  []int // indexes in Journey.Steps, ascending
	Rounds int
}

// LoopRounds is the most rounds of a loop whose every round surely waits
// at least least, within maxDuration: maxDuration/least, plus the round
// under way when the time runs out.
func LoopRounds(maxDuration, least time.Duration) int {
	return int(maxDuration/least) + 1
}

// Rounds returns how many times at most a contact runs step i: the
// rounds of its loop, or 1 for a step in no loop.
func (c *Checked) Rounds(i int) int {
	for _, l := range c.Loops {
		if _, ok := slices.BinarySearch(l.Steps, i); ok {
			return l.Rounds
		}
	}
	return 1
}

// checkHistory bounds the history events of the longest path. A loop runs
// at most maxDuration / (its shortest sure wait) times; a loop that can go
// round without a fixed wait (only waiting for events) has no bound.
func (c *checker) checkHistory(sccs []scc, reach []bool) {
	comp := componentOf(sccs, len(c.j.Steps))
	weight := make([]int, len(sccs))
	for k, sc := range sccs {
		if !reach[sc.steps[0]] {
			continue
		}
		for _, i := range sc.steps {
			weight[k] += worstEvents(c.j.Steps[i])
		}
		if !sc.loop {
			continue
		}
		least := c.leastLoopWait(sc)
		if least < 0 { // a wait that could not be read was reported
			return
		}
		if least == 0 {
			s := c.j.Steps[minStep(sc.steps)]
			c.add(s.Pos, "add a wait with a duration to the loop", "step %q: this loop can go round without a fixed wait, so its history has no bound", s.ID)
			return
		}
		rounds := LoopRounds(c.out.MaxDuration, least)
		weight[k] *= rounds
		c.out.Loops = append(c.out.Loops, Loop{Steps: slices.Sorted(slices.Values(sc.steps)), Rounds: rounds})
	}
	slices.SortFunc(c.out.Loops, func(a, b Loop) int { return a.Steps[0] - b.Steps[0] })
	best := make([]int, len(sccs))
	longest := 0
	for k := len(sccs) - 1; k >= 0; k-- {
		if !reach[sccs[k].steps[0]] {
			continue
		}
		total := best[k] + weight[k]
		longest = max(longest, total)
		for _, i := range sccs[k].steps {
			for _, e := range c.out.Edges[i] {
				if e.To >= 0 && comp[e.To] != k {
					best[comp[e.To]] = max(best[comp[e.To]], total)
				}
			}
		}
	}
	longest += 2 // ExecutionStarted, ExecutionSucceeded
	if longest > HistoryLimit {
		c.add(c.j.At("steps"), "shorten the journey or its loops, or split it into journeys",
			"the longest path may write %s history events, more than the %s Step Functions keeps per execution", thousands(longest), thousands(HistoryLimit))
	}
}

// leastLoopWait returns the least time one round of the loop surely
// waits, 0 when some round waits for nothing fixed, or -1 when a wait in
// the loop could not be read.
func (c *checker) leastLoopWait(sc scc) time.Duration {
	in := map[int]bool{}
	least := time.Duration(0)
	for _, i := range sc.steps {
		if unread(c.j.Steps[i]) {
			return -1
		}
	}
	for _, i := range sc.steps {
		if w := minWait(c.j.Steps[i]); w > 0 {
			if least == 0 || w < least {
				least = w
			}
			continue
		}
		in[i] = true
	}
	// A cycle among the steps that surely wait nothing?
	state := map[int]int{}
	var cyclic func(v int) bool
	cyclic = func(v int) bool {
		state[v] = 1
		for _, e := range c.out.Edges[v] {
			if !in[e.To] {
				continue
			}
			if state[e.To] == 1 || state[e.To] == 0 && cyclic(e.To) {
				return true
			}
		}
		state[v] = 2
		return false
	}
	for v := range in {
		if state[v] == 0 && cyclic(v) {
			return 0
		}
	}
	return least
}

// unread reports whether a wait step's wait could not be read (which was
// reported): how long it waits is unknown.
func unread(s *Step) bool {
	w := s.Wait
	return w != nil && w.Duration.D <= 0 && !w.Until.IsSet() && !w.TimeOfDay.IsSet()
}

func minStep(steps []int) int {
	m := steps[0]
	for _, s := range steps {
		m = min(m, s)
	}
	return m
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
