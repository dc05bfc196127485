package asl

import (
	"context"
	"time"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// enterJSONata runs a state whose QueryLanguage is JSONata.
func (e *Engine) enterJSONata(ctx context.Context, t *thread) {
	s, jx := t.state(), t.state().jx
	env := t.env(t.input)
	switch s.typ {
	case typePass, typeSucceed:
		if err := e.jassign(t, s.assign, env); err != nil {
			e.stateFailed(t, err)
			return
		}
		e.jexit(t, s, jx.output, env, t.input, -1)
	case typeChoice:
		e.jchoose(t, s, env)
	case typeWait:
		e.jwait(t, s, env)
	case typeFail:
		ferr := &Error{}
		var err *Error
		if jx.errorName != nil {
			if ferr.Name, err = jstring(jx.errorName, env); err != nil {
				e.stateFailed(t, err)
				return
			}
		}
		if jx.cause != nil {
			if ferr.Cause, err = jstring(jx.cause, env); err != nil {
				e.stateFailed(t, err)
				return
			}
			ferr.HasCause = true
		}
		e.threadFailed(t, ferr)
	default:
		t.eff = t.input
		e.attempt(ctx, t)
	}
}

// jassign evaluates a JSONata Assign; the variables take effect when the
// state exits.
func (e *Engine) jassign(t *thread, tmpl *template, env *evalEnv) *Error {
	if tmpl == nil {
		return nil
	}
	v, err := tmpl.eval(env)
	if err != nil {
		return err
	}
	t.assigned, _ = v.(*jsonv.Object)
	return nil
}

// jexit evaluates Output (defaulting to def) and leaves the state.
func (e *Engine) jexit(t *thread, s *state, output *template, env *evalEnv, def any, next int) {
	out := def
	if output != nil {
		var err *Error
		if out, err = output.eval(env); err != nil {
			e.stateFailed(t, err)
			return
		}
	}
	if jsonv.Size(out, payloadLimit) > payloadLimit {
		e.stateFailed(t, errorf(ErrorDataLimitExceeded,
			"The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", s.name))
		return
	}
	e.exit(t, s, out, next)
}

func jstring(tmpl *template, env *evalEnv) (string, *Error) {
	v, err := tmpl.eval(env)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", errorf(ErrorQueryEvaluationError, "The %s field must be a string, but was %s", tmpl.field, jsonv.TypeName(v))
	}
	return s, nil
}

func (e *Engine) jchoose(t *thread, s *state, env *evalEnv) {
	for _, r := range s.choice.rules {
		ok, err := r.eval(env)
		if err != nil {
			e.stateFailed(t, err)
			return
		}
		if ok {
			if err := e.jassign(t, r.assign, env); err != nil {
				e.stateFailed(t, err)
				return
			}
			e.jexit(t, s, r.output, env, t.input, r.next)
			return
		}
	}
	if s.choice.defaultNext < 0 {
		e.stateFailed(t, newError(ErrorNoChoiceMatched, "No Choice Rule matched the input and the Choice state has no Default."))
		return
	}
	if err := e.jassign(t, s.assign, env); err != nil {
		e.stateFailed(t, err)
		return
	}
	e.jexit(t, s, s.jx.output, env, t.input, s.choice.defaultNext)
}

func (e *Engine) jwait(t *thread, s *state, env *evalEnv) {
	jx := s.jx
	due := e.now()
	switch {
	case jx.seconds != nil:
		v, err := jx.seconds.eval(env)
		if err != nil {
			e.stateFailed(t, err)
			return
		}
		n, isNum := v.(jsonv.Number)
		secs, ok := n.Int64()
		if !isNum || !ok || secs < 0 {
			e.stateFailed(t, errorf(ErrorQueryEvaluationError, "The Seconds field must be a non-negative integer, but was: %s", jsonv.String(v)))
			return
		}
		due = due.Add(time.Duration(secs) * time.Second)
	case jx.timestamp != nil:
		v, err := jx.timestamp.eval(env)
		if err != nil {
			e.stateFailed(t, err)
			return
		}
		str, _ := v.(string)
		ts, ok := parseTimestamp(str)
		if !ok {
			e.stateFailed(t, errorf(ErrorQueryEvaluationError,
				"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s", plain(v)))
			return
		}
		due = ts
	}
	if err := e.jassign(t, s.assign, env); err != nil {
		e.stateFailed(t, err)
		return
	}
	out := t.input
	if jx.output != nil {
		var err *Error
		if out, err = jx.output.eval(env); err != nil {
			e.stateFailed(t, err)
			return
		}
	}
	t.eff = out
	if due.After(e.now()) {
		t.phase = phWaiting
		t.timer = e.addTimer(&timer{due: due, kind: timerWait, t: t})
		return
	}
	e.waitDone(t)
}

// jfinish completes a JSONata Task, Parallel or Map state with its result.
func (e *Engine) jfinish(t *thread, s *state, result any) {
	env := t.env(t.input)
	env.result, env.hasResult = result, true
	if err := e.jassign(t, s.assign, env); err != nil {
		e.stateFailed(t, err)
		return
	}
	e.jexit(t, s, s.jx.output, env, result, -1)
}

// jcatch leaves a JSONata state through a catcher.
func (e *Engine) jcatch(t *thread, s *state, c *catcher, errOut *jsonv.Object) {
	env := t.env(t.input)
	env.errOut = errOut
	if err := e.jassign(t, c.assign, env); err != nil {
		e.threadFailed(t, err)
		return
	}
	out := any(errOut)
	if c.output != nil {
		var err *Error
		if out, err = c.output.eval(env); err != nil {
			e.threadFailed(t, err)
			return
		}
	}
	e.exit(t, s, out, c.next)
	e.enqueue(t)
}

// jnumber evaluates a JSONata numeric field (MaxConcurrency, ...).
func jnumber(tmpl *template, env *evalEnv) (float64, bool, *Error) {
	if tmpl == nil {
		return 0, false, nil
	}
	v, err := tmpl.eval(env)
	if err != nil {
		return 0, false, err
	}
	n, isNum := v.(jsonv.Number)
	f, ok := n.Float64()
	if !isNum || !ok {
		return 0, false, errorf(ErrorQueryEvaluationError, "The %s field must be a number, but was: %s", tmpl.field, jsonv.String(v))
	}
	return f, true, nil
}

// jmapItems selects a JSONata Map state's items and limits.
func (e *Engine) jmapItems(t *thread, s *state, env *evalEnv, k *children) ([]any, *Error) {
	jx := s.jx
	var items []any
	if jx.items != nil {
		v, err := jx.items.eval(env)
		if err != nil {
			return nil, err
		}
		a, ok := v.([]any)
		if !ok {
			if root := jx.items.root; root.kind == tJSONata {
				return nil, errorf(ErrorQueryEvaluationError,
					"The JSONata expression '%s' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '%s' for value: %s",
					root.jx.text, jsonv.TypeName(v), jsonv.String(v))
			}
			return nil, errorf(ErrorQueryEvaluationError, "The Items field must be an array, but was: %s", jsonv.String(v))
		}
		items = a
	} else {
		a, ok := t.input.([]any)
		if !ok {
			return nil, errorf(ErrorQueryEvaluationError, "Map state input must be an array but was: %s", jsonv.String(t.input))
		}
		items = a
	}
	return items, nil
}

// jmapLimits resolves a JSONata Map state's MaxConcurrency and tolerated
// failures.
func jmapLimits(s *state, env *evalEnv, k *children) *Error {
	jx := s.jx
	mc, has, err := jnumber(jx.maxConcurrency, env)
	if err != nil {
		return err
	}
	if has {
		k.maxConc = int(mc)
	}
	cnt, hasCount, err := jnumber(jx.tolCount, env)
	if err != nil {
		return err
	}
	pct, hasPct, err := jnumber(jx.tolPct, env)
	if err != nil {
		return err
	}
	if hasPct && (pct < 0 || pct > 100) {
		return errorf(ErrorQueryEvaluationError, "ToleratedFailurePercentage must be between 0 and 100.")
	}
	k.hasTol = hasCount || hasPct
	k.tolCount, k.tolPct = int64(cnt), pct
	if !hasCount {
		k.tolCount = int64(len(k.items))
	}
	if !hasPct {
		k.tolPct = 100
	}
	return nil
}
