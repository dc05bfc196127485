package asl

import (
	"strconv"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// children are the Parallel branches or Map iterations of a thread.
type children struct {
	results  []any
	running  []*thread // by index; nil when not started or finished
	items    []any     // Map: the items
	next     int       // Map: the next item to start
	active   int
	done     int
	failures int
	maxConc  int
	tolCount int64
	tolPct   float64
	hasTol   bool
}

func (e *Engine) newChild(p *thread, g *graph, index int, input any) *thread {
	return &thread{
		x: p.x, g: g, parent: p, index: index, cur: g.startAt, phase: phEnter,
		input: input, scope: &scope{parent: p.scope}, prev: p.prev,
	}
}

func (e *Engine) attemptParallel(t *thread, s *state) {
	input := t.eff
	args := s.parameters
	if s.jsonata {
		args = s.jx.arguments
	}
	if args != nil {
		var err *Error
		if input, err = args.eval(t.env(t.eff)); err != nil {
			e.stateFailed(t, err)
			return
		}
	}
	e.event(t.x, t, EventParallelStateStarted, s.name, nil)
	n := len(s.parallel.branches)
	k := &children{results: make([]any, n), running: make([]*thread, n)}
	t.kids, t.phase = k, phChildren
	for i, g := range s.parallel.branches {
		c := e.newChild(t, g, i, input)
		k.running[i] = c
		k.active++
		e.enqueue(c)
	}
}

func (e *Engine) attemptMap(t *thread, s *state) {
	m := s.mapper
	env := t.env(t.eff)
	var items []any
	var err *Error
	if s.jsonata {
		items, err = e.jmapItems(t, s, env, nil)
	} else {
		items, err = mapItems(env, m)
	}
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	if ev := e.event(t.x, t, EventMapStateStarted, s.name, nil); ev != nil {
		ev.MapStateStartedEventDetails = &MapStateStartedDetails{Length: len(items)}
	}
	k := &children{results: make([]any, len(items)), running: make([]*thread, len(items)), items: items}
	limits := mapLimits
	if s.jsonata {
		limits = func(env *evalEnv, _ *mapSpec, k *children) *Error { return jmapLimits(s, env, k) }
	}
	if err := limits(env, m, k); err != nil {
		e.stateFailed(t, err)
		return
	}
	t.kids, t.phase = k, phChildren
	if len(items) == 0 {
		e.mapDone(t, s)
		return
	}
	e.startIterations(t, s)
}

// mapItems selects a Map state's items.
func mapItems(env *evalEnv, m *mapSpec) ([]any, *Error) {
	v := env.input
	if m.itemsPath != nil {
		var ok bool
		if v, ok = env.Lookup(m.itemsPath); !ok {
			return nil, errorf(ErrorRuntime, "Invalid path '%s' : No results for path: %s", m.itemsPath, m.itemsPath.Normalized())
		}
	}
	items, ok := v.([]any)
	if !ok {
		p := "$"
		if m.itemsPath != nil {
			p = m.itemsPath.String()
		}
		return nil, errorf(ErrorRuntime, "Item selector '%s' must reference a JSON array, but found %s", p, jsonv.TypeName(v))
	}
	return items, nil
}

// mapLimits resolves MaxConcurrency and the tolerated failures.
func mapLimits(env *evalEnv, m *mapSpec, k *children) *Error {
	k.maxConc = int(m.maxConcurrency)
	if m.maxConcurrencyPath != nil {
		v, ok := env.Lookup(m.maxConcurrencyPath)
		n, valid := intValue(v)
		if !ok || !valid || n < 0 {
			return errorf(ErrorRuntime, "The MaxConcurrencyPath field refers to value \"%s\" which is not a valid integer: %s", plain(v), m.maxConcurrencyPath)
		}
		k.maxConc = int(n)
	}
	hasCount := m.hasToleratedCount || m.toleratedCountPath != nil
	hasPct := m.hasToleratedPct || m.toleratedPctPath != nil
	k.hasTol = hasCount || hasPct
	k.tolCount, k.tolPct = m.toleratedCount, m.toleratedPercent
	if !hasCount {
		k.tolCount = int64(len(k.items))
	}
	if !hasPct {
		k.tolPct = 100
	}
	if m.toleratedCountPath != nil {
		v, ok := env.Lookup(m.toleratedCountPath)
		n, valid := intValue(v)
		if !ok || !valid {
			return errorf(ErrorRuntime, "The ToleratedFailureCountPath field refers to value \"%s\" which is not a valid integer: %s", plain(v), m.toleratedCountPath)
		}
		if n < 0 {
			return errorf(ErrorRuntime, "ToleratedFailureCount cannot be negative.")
		}
		k.tolCount = n
	}
	if m.toleratedPctPath != nil {
		v, ok := env.Lookup(m.toleratedPctPath)
		f, valid := floatValue(v)
		if !ok || !valid {
			return errorf(ErrorRuntime, "The ToleratedFailurePercentagePath field refers to value \"%s\" which is not a valid float: %s", plain(v), m.toleratedPctPath)
		}
		if f < 0 || f > 100 {
			return errorf(ErrorRuntime, "ToleratedFailurePercentage must be between 0 and 100.")
		}
		k.tolPct = f
	}
	return nil
}

// intValue reads an integer from a number or a string holding one.
func intValue(v any) (int64, bool) {
	switch x := v.(type) {
	case jsonv.Number:
		return x.Int64()
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// floatValue reads a number from a number or a string holding one.
func floatValue(v any) (float64, bool) {
	switch x := v.(type) {
	case jsonv.Number:
		return x.Float64()
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// startIterations starts Map iterations up to MaxConcurrency.
func (e *Engine) startIterations(t *thread, s *state) {
	k := t.kids
	for k.next < len(k.items) && (k.maxConc == 0 || k.active < k.maxConc) {
		i := k.next
		k.next++
		input := k.items[i]
		if sel := s.mapper.itemSelector; sel != nil {
			env := t.env(t.eff)
			env.item = &mapItem{index: i, value: k.items[i]}
			var err *Error
			if input, err = sel.eval(env); err != nil {
				e.abortChildren(t, s)
				e.stateFailed(t, err)
				return
			}
		}
		c := e.newChild(t, s.mapper.processor, i, input)
		k.running[i] = c
		k.active++
		c.prev = e.iterationEvent(t, i, EventMapIterationStarted, t.prev)
		e.enqueue(c)
	}
}

// iterationEvent records a Map iteration event that follows the event
// prev, and returns its id. Iteration events never become the Map state's
// latest event: Step Functions points each MapIterationStarted at the
// MapStateStarted or at the last event of the iteration that made room
// for it, not at the iteration event before it.
func (e *Engine) iterationEvent(t *thread, index int, typ EventType, prev int64) int64 {
	name := t.state().name
	if ev := e.sideEvent(t, typ, name, prev); ev != nil {
		d := &MapIterationDetails{Name: name, Index: index}
		switch typ {
		case EventMapIterationStarted:
			ev.MapIterationStartedEventDetails = d
		case EventMapIterationSucceeded:
			ev.MapIterationSucceededDetails = d
		case EventMapIterationFailed:
			ev.MapIterationFailedEventDetails = d
		default:
			ev.MapIterationAbortedEventDetails = d
		}
	}
	return t.x.eventCount
}

// childDone records a branch or iteration that ended well.
func (e *Engine) childDone(p *thread, c *thread) {
	if p.dead || p.kids == nil {
		return
	}
	k, s := p.kids, p.state()
	k.results[c.index] = c.output
	k.running[c.index] = nil
	k.active--
	k.done++
	// What follows the iteration or branch points at its last event.
	p.prev = c.prev
	if s.typ == typeMap {
		id := e.iterationEvent(p, c.index, EventMapIterationSucceeded, c.prev)
		if k.done == len(k.items) {
			// MapStateSucceeded and MapStateExited follow the last
			// MapIterationSucceeded.
			p.prev = id
			e.mapDone(p, s)
			return
		}
		e.startIterations(p, s)
		return
	}
	if k.done == len(k.results) {
		// ParallelStateSucceeded and ParallelStateExited both follow the
		// last event of the last branch.
		e.sideEvent(p, EventParallelStateSucceded, s.name, p.prev)
		results := k.results
		e.finishAttempt(p, s, results)
		e.enqueue(p)
	}
}

func (e *Engine) mapDone(p *thread, s *state) {
	e.sideEvent(p, EventMapStateSucceeded, s.name, p.prev)
	e.finishAttempt(p, s, p.kids.results)
	e.enqueue(p)
}

// childFailed handles a branch or iteration that failed.
func (e *Engine) childFailed(p *thread, c *thread, err *Error) {
	if p.dead || p.kids == nil {
		return
	}
	k, s := p.kids, p.state()
	k.running[c.index] = nil
	k.active--
	// The failure, the aborts it causes and what follows point at the
	// failed iteration's or branch's last event.
	p.prev = c.prev
	if s.typ == typeMap {
		e.iterationEvent(p, c.index, EventMapIterationFailed, c.prev)
		k.failures++
		if k.hasTol && err.catchable() && !k.exceeded(len(k.items)) {
			k.done++
			if k.done == len(k.items) {
				e.mapDone(p, s)
				return
			}
			e.startIterations(p, s)
			return
		}
		e.abortChildren(p, s)
		if k.hasTol && err.catchable() {
			err = newError(ErrorExceedToleratedFailure, "The specified tolerated failure threshold was exceeded.")
		}
		e.handleErrorEvent(p, err, EventMapStateFailed)
		e.enqueue(p)
		return
	}
	e.abortChildren(p, s)
	e.handleErrorEvent(p, err, EventParallelStateFailed)
	e.enqueue(p)
}

// exceeded reports whether the failures are more than the Map tolerates.
func (k *children) exceeded(total int) bool {
	if k.failures > int(k.tolCount) {
		return true
	}
	return total > 0 && float64(k.failures)*100/float64(total) > k.tolPct
}

// abortChildren aborts the running branches or iterations of p.
func (e *Engine) abortChildren(p *thread, s *state) {
	k := p.kids
	for i, c := range k.running {
		if c == nil {
			continue
		}
		followFrom(c, p.prev)
		e.abortThread(c, true)
		if s.typ == typeMap {
			e.iterationEvent(p, i, EventMapIterationAborted, p.prev)
		}
		k.running[i] = nil
	}
	k.active = 0
	p.kids = nil
}

// followFrom makes the abort events of t and its running branches or
// iterations follow the event prev, the failure that aborts them, as Step
// Functions records them.
func followFrom(t *thread, prev int64) {
	t.prev = prev
	if t.kids == nil {
		return
	}
	for _, c := range t.kids.running {
		if c != nil {
			followFrom(c, prev)
		}
	}
}
