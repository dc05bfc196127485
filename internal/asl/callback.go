package asl

import (
	"context"
	"encoding/base64"
	"fmt"
	"unicode/utf8"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// maxTokenLen is the longest task token SendTask* accepts.
const maxTokenLen = 2048

// newToken makes a task token: random bytes, then the execution's ARN, so a
// token alone finds its execution (also after a restart).
func (e *Engine) newToken(x *execution) string {
	b := make([]byte, 12, 12+len(x.arn))
	for i := 0; i < 12; i += 4 {
		v := x.rng.Uint32()
		b[i], b[i+1], b[i+2], b[i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	b = append(b, x.arn...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// findTask finds the thread waiting on token. Errors: ErrInvalidToken,
// ErrTaskDoesNotExist, ErrTaskTimedOut. The lock is held.
func (e *Engine) findTask(token string) (*thread, error) {
	if len(token) < 1 || len(token) > maxTokenLen {
		return nil, fmt.Errorf("task token of %d characters: %w", len(token), ErrInvalidToken)
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) <= 12 || !utf8.Valid(raw[12:]) {
		return nil, fmt.Errorf("malformed task token: %w", ErrInvalidToken)
	}
	if t, ok := e.tokens[token]; ok {
		return t, nil
	}
	if x, ok := e.execs[string(raw[12:])]; ok && x.expired[token] {
		return nil, fmt.Errorf("task of token for %s: %w", x.name, ErrTaskTimedOut)
	}
	return nil, fmt.Errorf("no task waits for this token: %w", ErrTaskDoesNotExist)
}

// SendTaskSuccess completes the .waitForTaskToken task of token with output
// (JSON text, at most 256 KiB). Errors: ErrInvalidToken,
// ErrTaskDoesNotExist, ErrTaskTimedOut, ErrInvalidOutput. The outcome is
// durable when SendTaskSuccess returns (if the engine has a Persistence).
func (e *Engine) SendTaskSuccess(ctx context.Context, token string, output []byte) error {
	if len(output) > payloadLimit {
		return fmt.Errorf("task output of %d bytes exceeds %d: %w", len(output), payloadLimit, ErrInvalidOutput)
	}
	v, err := jsonv.Parse(output)
	if err != nil {
		return fmt.Errorf("task output: %v: %w", err, ErrInvalidOutput)
	}
	return e.complete(ctx, token, &outcome{output: v})
}

// SendTaskFailure fails the .waitForTaskToken task of token with an error
// name (at most 256 characters) and cause (at most 32,768). Errors:
// ErrInvalidToken, ErrTaskDoesNotExist, ErrTaskTimedOut, ErrInvalidArgument.
func (e *Engine) SendTaskFailure(ctx context.Context, token, errName, cause string) error {
	if utf8.RuneCountInString(errName) > maxErrorNameLen || utf8.RuneCountInString(cause) > maxCauseLen {
		return fmt.Errorf("task failure error or cause too long: %w", ErrInvalidArgument)
	}
	return e.complete(ctx, token, &outcome{err: &Error{Name: errName, Cause: cause, HasCause: cause != ""}})
}

// SendTaskHeartbeat tells the task of token that it is alive, restarting
// its HeartbeatSeconds countdown. Errors as for SendTaskSuccess.
func (e *Engine) SendTaskHeartbeat(ctx context.Context, token string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.findTask(token)
	if err != nil {
		return err
	}
	run := t.task
	if run.hTimer != nil {
		e.cancelTimer(run.hTimer)
		run.hTimer = e.addTimer(&timer{due: e.now().Add(run.heartbeat), kind: timerHeartbeat, t: t})
		e.markDirty(t.x)
	}
	return nil
}

// complete delivers a callback outcome to the waiting task.
func (e *Engine) complete(ctx context.Context, token string, o *outcome) error {
	e.mu.Lock()
	t, err := e.findTask(token)
	if err != nil {
		e.mu.Unlock()
		return err
	}
	run := t.task
	delete(e.tokens, token)
	if t.x.expired == nil {
		t.x.expired = map[string]bool{}
	}
	t.x.expired[token] = true
	if t.phase == phCallback {
		run.outcome = o
		t.phase = phCallbackDone
		e.enqueue(t)
	} else {
		run.pending = o
	}
	e.markDirty(t.x)
	e.mu.Unlock()
	return e.flush(ctx)
}

// callbackDone finishes a .waitForTaskToken task with its callback.
func (e *Engine) callbackDone(t *thread) {
	s, run := t.state(), t.task
	o := run.outcome
	run.outcome = nil
	if o.err != nil {
		e.failTask(t, s, o.err)
		return
	}
	e.taskSucceeded(t, s, o.output)
}
