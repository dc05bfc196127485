package asl

import (
	"sync/atomic"
	"time"
)

// A Clock tells the engine the time. The engine reads no other clock.
type Clock interface {
	Now() time.Time
}

// A VirtualClock is a clock that moves only when told to. An Engine on a
// VirtualClock is driven by RunUntil, which advances it from timer to timer,
// so months of journey time pass in milliseconds. Make one with
// NewVirtualClock. It is safe for concurrent use.
type VirtualClock struct {
	// now is read far more often than moved (every store write asks the
	// time): a load, not a lock. Set swaps in a new time.
	now atomic.Pointer[time.Time]
}

// NewVirtualClock returns a virtual clock showing start.
func NewVirtualClock(start time.Time) *VirtualClock {
	c := &VirtualClock{}
	c.now.Store(&start)
	return c
}

// Now returns the clock's time.
func (c *VirtualClock) Now() time.Time { return *c.now.Load() }

// Set moves the clock to t if t is later than its time.
func (c *VirtualClock) Set(t time.Time) {
	for {
		old := c.now.Load()
		if !t.After(*old) || c.now.CompareAndSwap(old, &t) {
			return
		}
	}
}

// Advance moves the clock forward by d.
func (c *VirtualClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// A RealClock follows the wall clock, optionally sped up: with Scale 3600 an
// hour of journey time passes every real second, starting from the moment
// the clock was made (or, made with ResumeRealClock, from a saved journey
// time). It is safe for concurrent use.
type RealClock struct {
	wall      func() time.Time // the wall clock read: time.Now unless injected
	wallStart time.Time        // the wall clock when the clock was made
	origin    time.Time        // the journey time then
	scale     float64
	// plain: real time (scale 1, origin the wall clock), read straight
	// from wall.
	plain bool
}

// NewRealClock returns a clock running scale times as fast as the wall clock
// (1 or less means real time).
func NewRealClock(scale float64) *RealClock {
	return ResumeRealClock(scale, time.Time{}, nil)
}

// ResumeRealClock returns a clock running scale times as fast as wall (nil:
// time.Now), starting at the journey time from, or at the wall clock's
// time if from is earlier (journey time never runs behind real time, and
// a zero from starts at the wall clock). A scale of 1 or less means real
// time; from later than the wall clock then keeps its lead.
func ResumeRealClock(scale float64, from time.Time, wall func() time.Time) *RealClock {
	if scale < 1 {
		scale = 1
	}
	if wall == nil {
		wall = time.Now
	}
	start := wall()
	origin := start
	if from.After(start) {
		origin = from
	}
	return &RealClock{wall: wall, wallStart: start, origin: origin, scale: scale, plain: scale == 1 && origin.Equal(start)}
}

// Now returns the clock's time.
func (c *RealClock) Now() time.Time {
	if c.plain {
		return c.wall()
	}
	elapsed := c.wall().Sub(c.wallStart)
	return c.origin.Add(time.Duration(float64(elapsed) * c.scale))
}

// Scale is how many times faster than the wall clock the clock runs.
func (c *RealClock) Scale() float64 { return c.scale }

// RealDuration converts a span of clock time into wall-clock time.
func (c *RealClock) RealDuration(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.scale)
}
