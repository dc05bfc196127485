package content

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Limits bound what one render may cost. The zero value of a field means
// its default.
type Limits struct {
	// Timeout bounds one Render call when the caller's context has no
	// earlier deadline. Default 2s.
	Timeout time.Duration
	// MaxOutput bounds the bytes one message renders, all parts together
	// (captures included). Default 1 MiB; Gmail clips HTML at 102 KB anyway.
	MaxOutput int
	// MaxIterations bounds the for-loop iterations of one render, all loops
	// together. Default 10,000.
	MaxIterations int
	// MaxTemplateBytes bounds one template part or block source. Default 256 KiB.
	MaxTemplateBytes int
}

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = 2 * time.Second
	}
	if l.MaxOutput <= 0 {
		l.MaxOutput = 1 << 20
	}
	if l.MaxIterations <= 0 {
		l.MaxIterations = 10000
	}
	if l.MaxTemplateBytes <= 0 {
		l.MaxTemplateBytes = 256 << 10
	}
	return l
}

// maxValueLen bounds a single string or array a template builds with
// filters, assign or capture, whatever Limits say: it stops a doubling
// "assign s = s | append: s" before it exhausts memory.
const maxValueLen = 4 << 20

// maxDepth bounds the nesting of rendered blocks and Liquid block tags.
const maxDepth = 64

// ErrLimit is returned (wrapped) when a render runs past its deadline, its
// output size, its loop budget or its nesting depth.
var ErrLimit = errors.New("content: render limit exceeded")

// ErrRender is returned (wrapped) when a valid template fails while
// rendering: a filter rejects its input, a payload is not JSON.
var ErrRender = errors.New("content: render failed")

// renderState is what one render carries through its nodes: limits, the
// budget left, the globals blocks see, the block table in scope.
type renderState struct {
	ctx context.Context
	// deadline is Limits.Timeout from the render's start when the
	// caller's context has no deadline (zero otherwise): checked on the
	// clock every clockEvery checks instead of arming a timer per render.
	deadline   time.Time
	checks     int
	remaining  int // output bytes left
	iterations int // loop iterations left
	depth      int
	err        error // the first limit hit; it wins over the error the render returns
	globals    map[string]any
	refs       map[string]*unit // block references of the unit being rendered
	lib        *Library
}

// clockEvery is how many limit checks pass between two looks at the
// clock: a check comes with every output and loop iteration, each bounded
// in cost, so the deadline is noticed within microseconds of passing.
const clockEvery = 16

func (s *renderState) reset(ctx context.Context, lim Limits) {
	*s = renderState{
		ctx:        ctx,
		remaining:  lim.MaxOutput,
		iterations: lim.MaxIterations,
	}
	if _, ok := ctx.Deadline(); !ok {
		s.deadline = time.Now().Add(lim.Timeout)
	}
}

// check returns the limit error if the render must stop.
func (s *renderState) check() error {
	if s.err != nil {
		return s.err
	}
	if err := s.ctx.Err(); err != nil {
		s.err = fmt.Errorf("%w: render time (%v)", ErrLimit, err)
		return s.err
	}
	if s.checks++; s.checks%clockEvery == 0 && !s.deadline.IsZero() && time.Now().After(s.deadline) {
		s.err = fmt.Errorf("%w: render time (%v)", ErrLimit, context.DeadlineExceeded)
		return s.err
	}
	return nil
}

// spend takes n bytes of output budget.
func (s *renderState) spend(n int) error {
	if err := s.check(); err != nil {
		return err
	}
	s.remaining -= n
	if s.remaining < 0 {
		s.err = fmt.Errorf("%w: output larger than the limit", ErrLimit)
		return s.err
	}
	return nil
}

// iterate takes one loop iteration.
func (s *renderState) iterate() error {
	s.iterations--
	if s.iterations < 0 {
		s.err = fmt.Errorf("%w: more loop iterations than the limit", ErrLimit)
		return s.err
	}
	return s.check()
}
