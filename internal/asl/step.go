package asl

import (
	"context"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// step runs a runnable thread until it blocks or ends. The lock is held
// (task invocations release it while they run).
func (e *Engine) step(ctx context.Context, t *thread) {
	for !t.dead && t.x.running() {
		switch t.phase {
		case phEnter:
			e.enter(ctx, t)
		case phAttempt:
			e.attempt(ctx, t)
		case phTaskResult:
			e.taskResult(t)
		case phCallbackDone:
			e.callbackDone(t)
		default:
			return
		}
	}
}

func (e *Engine) now() time.Time { return e.opts.clock.Now() }

// enter enters the thread's current state with its input.
func (e *Engine) enter(ctx context.Context, t *thread) {
	x, s := t.x, t.state()
	x.transitions++
	if max := e.opts.maxTransitions; max > 0 && x.transitions > max {
		e.endExecution(x, t, StatusFailed, nil, errorf(ErrorRuntime,
			"The execution exceeded the limit of %d state transitions.", max))
		return
	}
	if max := e.opts.maxHistoryEvents; max > 0 && x.eventCount >= max {
		e.endExecution(x, t, StatusFailed, nil, errorf(ErrorRuntime,
			"The execution reached the maximum number of history events (%d).", max))
		return
	}
	t.entered = e.now()
	t.retries, t.retryCount, t.assigned, t.task, t.kids, t.eff = t.retries[:0], 0, nil, nil, nil, nil
	e.stateEntered(t, s)
	if s.jsonata {
		e.enterJSONata(ctx, t)
		return
	}
	switch s.typ {
	case typePass:
		e.pass(t, s)
	case typeChoice:
		e.choose(t, s)
	case typeWait:
		e.wait(t, s)
	case typeSucceed:
		e.succeed(t, s)
	case typeFail:
		e.fail(t, s)
	default:
		eff, err := e.inputPath(t, s, t.input)
		if err != nil {
			e.stateFailed(t, err)
			return
		}
		t.eff = eff
		e.attempt(ctx, t)
	}
}

// inputPath applies a state's InputPath.
func (e *Engine) inputPath(t *thread, s *state, input any) (any, *Error) {
	return e.selectPath(t, s.inputPath, input)
}

func (e *Engine) selectPath(t *thread, pf *pathField, v any) (any, *Error) {
	switch {
	case pf == nil:
		return v, nil
	case pf.null:
		return jsonv.NewObject(0), nil
	}
	out, ok := t.env(v).Lookup(pf.path)
	if !ok {
		return nil, errorf(ErrorRuntime, "Invalid path '%s' : No results for path: %s", pf.path.String(), pf.path.Normalized())
	}
	return out, nil
}

// output turns a state's raw input and result into its output: ResultPath,
// the payload size quota, then OutputPath.
func (e *Engine) output(t *thread, s *state, raw, result any) (any, *Error) {
	out := result
	if rp := s.resultPath; rp != nil {
		if rp.discard {
			out = raw
		} else {
			var err error
			if out, err = rp.path.Set(raw, result); err != nil {
				return nil, errorf(ErrorResultPathMatchFailure,
					"Unable to apply ResultPath '%s' to input '%s': %v", rp.path.String(), jsonv.String(raw), err)
			}
		}
	}
	if jsonv.Size(out, payloadLimit) > payloadLimit {
		return nil, errorf(ErrorDataLimitExceeded,
			"The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", s.name)
	}
	return e.selectPath(t, s.outputPath, out)
}

// exit records the state's exit, applies its assignments and moves to next
// (-1: the state's own Next or End).
func (e *Engine) exit(t *thread, s *state, output any, next int) {
	e.stateExited(t, s, output)
	if t.assigned != nil {
		for i := 0; i < t.assigned.Len(); i++ {
			t.scope.set(t.assigned.Key(i), t.assigned.Value(i))
		}
		t.assigned = nil
	}
	t.task, t.kids, t.eff = nil, nil, nil
	if next < 0 {
		if s.end || s.typ == typeSucceed {
			e.threadDone(t, output)
			return
		}
		next = s.next
	}
	t.cur, t.input, t.phase = next, output, phEnter
}

// assign evaluates a state's Assign against value; the variables take
// effect when the state exits.
func (e *Engine) assign(t *thread, tmpl *template, value any) *Error {
	if tmpl == nil {
		return nil
	}
	o, err := tmpl.assignments(t.env(value))
	if err != nil {
		return err
	}
	t.assigned = o
	return nil
}

func (e *Engine) pass(t *thread, s *state) {
	eff, err := e.inputPath(t, s, t.input)
	if err == nil && s.parameters != nil {
		eff, err = s.parameters.eval(t.env(eff))
	}
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	result := eff
	if s.hasResult {
		result = s.result
	}
	if err := e.assign(t, s.assign, result); err != nil {
		e.stateFailed(t, err)
		return
	}
	out, err := e.output(t, s, t.input, result)
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	e.exit(t, s, out, -1)
}

func (e *Engine) choose(t *thread, s *state) {
	eff, err := e.inputPath(t, s, t.input)
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	env := t.env(eff)
	r, err := s.choice.choose(env)
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	next := -1
	switch {
	case r != nil:
		next = r.next
		err = e.assign(t, r.assign, eff)
	case s.choice.defaultNext >= 0:
		next = s.choice.defaultNext
		err = e.assign(t, s.assign, eff)
	default:
		err = newError(ErrorNoChoiceMatched, "No Choice Rule matched the input and the Choice state has no Default.")
	}
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	out, err := e.selectPath(t, s.outputPath, eff)
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	e.exit(t, s, out, next)
}

func (e *Engine) wait(t *thread, s *state) {
	eff, err := e.inputPath(t, s, t.input)
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	due, err := e.waitUntil(t, s.wait, eff)
	if err == nil {
		err = e.assign(t, s.assign, eff)
	}
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	t.eff = eff
	if due.After(e.now()) {
		t.phase = phWaiting
		t.timer = e.addTimer(&timer{due: due, kind: timerWait, t: t})
		return
	}
	e.waitDone(t)
}

// waitUntil works out when a Wait state ends.
func (e *Engine) waitUntil(t *thread, w *waitSpec, eff any) (time.Time, *Error) {
	now := e.now()
	switch {
	case w.hasSeconds:
		return now.Add(time.Duration(w.seconds) * time.Second), nil
	case w.hasTimestamp:
		return w.timestamp, nil
	case w.secondsPath != nil:
		v, ok := t.env(eff).Lookup(w.secondsPath)
		if !ok {
			return now, errorf(ErrorRuntime, "The SecondsPath parameter does not reference an input value: %s", w.secondsPath)
		}
		n, isNum := v.(jsonv.Number)
		secs, isInt := n.Int64()
		if !isNum || !isInt {
			return now, errorf(ErrorRuntime, "The SecondsPath parameter cannot be parsed as a long value: %s == %s", w.secondsPath, plain(v))
		}
		if secs < 0 {
			return now, errorf(ErrorRuntime, "The SecondsPath parameter references a negative value: %s == %s", w.secondsPath, plain(v))
		}
		return now.Add(time.Duration(secs) * time.Second), nil
	case w.timestampPath != nil:
		v, ok := t.env(eff).Lookup(w.timestampPath)
		if !ok {
			return now, errorf(ErrorRuntime, "The TimestampPath parameter does not reference an input value: %s", w.timestampPath)
		}
		s, _ := v.(string)
		ts, valid := parseTimestamp(s)
		if !valid {
			return now, errorf(ErrorRuntime, "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", w.timestampPath, plain(v))
		}
		return ts, nil
	}
	return now, nil
}

// plain renders a value for an error cause: strings as they are, anything
// else as JSON.
func plain(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonv.String(v)
}

// waitDone ends a Wait state.
func (e *Engine) waitDone(t *thread) {
	s := t.state()
	out, err := e.selectPath(t, s.outputPath, t.eff)
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	e.exit(t, s, out, -1)
	e.enqueue(t)
}

func (e *Engine) succeed(t *thread, s *state) {
	eff, err := e.inputPath(t, s, t.input)
	if err == nil {
		eff, err = e.selectPath(t, s.outputPath, eff)
	}
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	e.exit(t, s, eff, -1)
}

func (e *Engine) fail(t *thread, s *state) {
	f := s.fail
	ferr := &Error{Name: f.errorName, Cause: f.cause, HasCause: f.hasCause}
	if f.errorPath != nil {
		v, err := e.dynString(t, f.errorPath, "ErrorPath")
		if err != nil {
			e.stateFailed(t, err)
			return
		}
		ferr.Name = v
	}
	if f.causePath != nil {
		v, err := e.dynString(t, f.causePath, "CausePath")
		if err != nil {
			e.stateFailed(t, err)
			return
		}
		ferr.Cause, ferr.HasCause = v, true
	}
	e.threadFailed(t, ferr)
}

// dynString evaluates a Fail state's ErrorPath or CausePath.
func (e *Engine) dynString(t *thread, d *dynString, field string) (string, *Error) {
	env := t.env(t.input)
	var v any
	if d.call != nil {
		var err error
		if v, err = d.call.Eval(env); err != nil {
			return "", intrinsicError(env, err, field)
		}
	} else {
		var ok bool
		if v, ok = env.Lookup(d.path); !ok {
			return "", pathNotFound(env, d.path, field)
		}
	}
	s, ok := v.(string)
	if !ok {
		return "", errorf(ErrorRuntime, "The %s field %s must select a string, not %s", field, d.text, jsonv.TypeName(v))
	}
	return s, nil
}

// stateFailed fails the thread with an error the state itself raised (not
// its task or children). States.Runtime errors name the state and the event
// that entered it, as Step Functions words them.
func (e *Engine) stateFailed(t *thread, err *Error) {
	if err.Name == ErrorRuntime || err.Name == ErrorQueryEvaluationError {
		err = &Error{Name: err.Name, HasCause: true, Cause: fmt.Sprintf(
			"An error occurred while executing the state '%s' (entered at the event id #%d). %s",
			t.state().name, t.enterID, err.Cause)}
	}
	s := t.state()
	if err.Name == ErrorQueryEvaluationError {
		if ev := e.event(t.x, t, EventEvaluationFailed, s.name, err); ev != nil {
			f := failure(err)
			ev.EvaluationFailedEventDetails = &EvaluationFailedDetails{Error: f.Error, Cause: f.Cause, State: s.name}
		}
	}
	if s.typ == typeTask || s.typ == typeParallel || s.typ == typeMap {
		var giveUp EventType
		if err.Name == ErrorQueryEvaluationError {
			// The state began, so it also records that it failed.
			giveUp = map[stateType]EventType{typeMap: EventMapStateFailed, typeParallel: EventParallelStateFailed}[s.typ]
		}
		e.handleErrorEvent(t, err, giveUp)
		return
	}
	e.threadFailed(t, err)
}

// attempt runs (or, after a retry, runs again) an execution state.
func (e *Engine) attempt(ctx context.Context, t *thread) {
	switch s := t.state(); s.typ {
	case typeTask:
		e.attemptTask(ctx, t, s)
	case typeParallel:
		e.attemptParallel(t, s)
	case typeMap:
		e.attemptMap(t, s)
	}
}

// finishAttempt completes an execution state with its raw result: Assign,
// ResultSelector, ResultPath, OutputPath.
func (e *Engine) finishAttempt(t *thread, s *state, result any) {
	if s.jsonata {
		e.jfinish(t, s, result)
		return
	}
	if err := e.assign(t, s.assign, result); err != nil {
		e.stateFailed(t, err)
		return
	}
	if s.resultSelector != nil {
		var err *Error
		if result, err = s.resultSelector.eval(t.env(result)); err != nil {
			e.stateFailed(t, err)
			return
		}
	}
	out, err := e.output(t, s, t.input, result)
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	e.exit(t, s, out, -1)
}

// handleError retries, catches or propagates an error of an execution
// state.
func (e *Engine) handleError(t *thread, err *Error) { e.handleErrorEvent(t, err, "") }

// handleErrorEvent is handleError for Parallel and Map states, which record
// giveUp (ParallelStateFailed, MapStateFailed) only when they do not retry.
func (e *Engine) handleErrorEvent(t *thread, err *Error, giveUp EventType) {
	s := t.state()
	t.assigned = nil
	e.dropTask(t)
	if !err.catchable() {
		if giveUp != "" {
			e.event(t.x, t, giveUp, s.name, nil)
		}
		e.threadFailed(t, err)
		return
	}
	if len(t.retries) < len(s.retry) {
		t.retries = append(t.retries, make([]int64, len(s.retry)-len(t.retries))...)
	}
	for i, r := range s.retry {
		if !matches(r.errorEquals, err) {
			continue
		}
		if t.retries[i] < r.maxAttempts {
			d := r.delay(t.retries[i], t.x.rng.Float64)
			t.retries[i]++
			t.retryCount++
			t.phase = phRetryWait
			t.timer = e.addTimer(&timer{due: e.now().Add(d), kind: timerRetry, t: t})
			return
		}
		break
	}
	if giveUp != "" {
		e.event(t.x, t, giveUp, s.name, nil)
	}
	for _, c := range s.catch {
		if !matches(c.errorEquals, err) {
			continue
		}
		errOut := jsonv.NewObject(2)
		errOut.Set("Error", err.Name)
		errOut.Set("Cause", err.Cause)
		if s.jsonata {
			e.jcatch(t, s, c, errOut)
			return
		}
		if aerr := e.assign(t, c.assign, errOut); aerr != nil {
			e.threadFailed(t, aerr)
			return
		}
		out := any(errOut)
		if rp := c.resultPath; rp != nil {
			if rp.discard {
				out = t.input
			} else {
				var perr error
				if out, perr = rp.path.Set(t.input, errOut); perr != nil {
					e.threadFailed(t, errorf(ErrorResultPathMatchFailure,
						"Unable to apply ResultPath '%s' to input '%s': %v", rp.path.String(), jsonv.String(t.input), perr))
					return
				}
			}
		}
		e.exit(t, s, out, c.next)
		e.enqueue(t)
		return
	}
	e.threadFailed(t, err)
}

// threadDone ends a thread that reached an End or Succeed state.
func (e *Engine) threadDone(t *thread, output any) {
	t.phase, t.output = phDone, output
	if t.parent == nil {
		e.endExecution(t.x, t, StatusSucceeded, output, nil)
		return
	}
	e.childDone(t.parent, t)
}

// threadFailed ends a thread with an error nothing caught.
func (e *Engine) threadFailed(t *thread, err *Error) {
	t.phase, t.err = phDone, err
	if t.parent == nil {
		e.endExecution(t.x, t, StatusFailed, nil, err)
		return
	}
	e.childFailed(t.parent, t, err)
}

// endExecution closes an execution and releases everything it held.
func (e *Engine) endExecution(x *execution, t *thread, status Status, output any, err *Error) {
	if !x.running() {
		return
	}
	x.status, x.stop, x.output, x.err = status, e.now(), output, err
	var typ EventType
	switch status {
	case StatusSucceeded:
		typ = EventExecutionSucceeded
	case StatusFailed:
		typ = EventExecutionFailed
	case StatusTimedOut:
		typ = EventExecutionTimedOut
	default:
		typ = EventExecutionAborted
	}
	if ev := e.event(x, t, typ, "", err); ev != nil {
		switch status {
		case StatusSucceeded:
			ev.ExecutionSucceededEventDetails = &OutputDetails{Output: jsonv.String(output), OutputDetails: noTruncation}
		case StatusFailed:
			ev.ExecutionFailedEventDetails = failure(err)
		case StatusTimedOut:
			ev.ExecutionTimedOutEventDetails = failure(err)
		default:
			ev.ExecutionAbortedEventDetails = failure(err)
		}
	}
	if x.root != nil {
		e.abortThread(x.root, false)
	}
	e.cancelTimer(x.timeout)
	x.timeout, x.root = nil, nil
	e.markDirty(x)
}

// abortThread stops a thread and everything under it: timers, tokens,
// children. With events, the state it was in records its Aborted event.
func (e *Engine) abortThread(t *thread, events bool) {
	if t.dead {
		return
	}
	t.dead = true
	e.cancelTimer(t.timer)
	t.timer = nil
	if t.task != nil {
		e.dropTask(t)
	}
	if t.kids != nil {
		for _, c := range t.kids.running {
			if c != nil {
				e.abortThread(c, events)
				if events && t.state().typ == typeMap {
					e.iterationEvent(t, c.index, EventMapIterationAborted, t.prev)
				}
			}
		}
	}
	if events && t.phase != phDone && t.phase != phEnter {
		if typ, ok := abortedTypes[t.state().typ]; ok {
			e.event(t.x, t, typ, t.state().name, nil)
		}
	}
	t.phase = phDone
}
