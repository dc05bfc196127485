package asl

import (
	"context"
	"fmt"
	"time"
)

// An Outcome is how a one-shot execution ended.
type Outcome struct {
	ExecutionArn string
	Status       Status
	Output       []byte // when SUCCEEDED
	Error        string
	Cause        string
	HasCause     bool
	Events       []HistoryEvent // when the history is kept
	Transitions  int64
	Start, Stop  time.Time
}

// Run runs one execution to its end on a virtual clock and returns how it
// ended: the simple API for the command line, tests and conformance. opts
// configure the engine; without WithClock it runs on a VirtualClock
// starting now. Waits and retries take no real time. An execution left
// waiting for a task token that nothing will send returns with status
// RUNNING.
func Run(ctx context.Context, req StartRequest, opts ...Option) (*Outcome, error) {
	e := NewEngine(append([]Option{WithClock(NewVirtualClock(time.Now().UTC()))}, opts...)...)
	vc, ok := e.opts.clock.(*VirtualClock)
	if !ok {
		return nil, fmt.Errorf("run: %w", ErrNotVirtualClock)
	}
	arn, err := e.Start(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := e.RunToEnd(ctx, vc.Now()); err != nil {
		return nil, err
	}
	d, err := e.Describe(arn)
	if err != nil {
		return nil, err
	}
	out := &Outcome{ExecutionArn: arn, Status: d.Status, Output: d.Output, Error: d.Error, Cause: d.Cause,
		HasCause: d.HasCause, Transitions: d.Transitions, Start: d.StartDate, Stop: d.StopDate}
	if events, err := e.History(arn); err == nil {
		out.Events = events
	}
	return out, nil
}

// RunToEnd runs a virtual-time engine from timer to timer until nothing is
// runnable and no timer is left: every execution has ended or waits for a
// task token. The clock stops at the last timer (or at from).
func (e *Engine) RunToEnd(ctx context.Context, from time.Time) error {
	if err := e.RunUntil(ctx, from); err != nil {
		return err
	}
	for {
		next, ok := e.NextTimer()
		if !ok {
			return nil
		}
		if err := e.RunUntil(ctx, next); err != nil {
			return err
		}
	}
}
