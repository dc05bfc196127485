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
// the clock was made.
type RealClock struct {
	origin time.Time
	scale  float64
}

// NewRealClock returns a clock running scale times as fast as the wall clock
// (1 or less means real time).
func NewRealClock(scale float64) *RealClock {
	if scale < 1 {
		scale = 1
	}
	return &RealClock{origin: time.Now(), scale: scale}
}

// Now returns the clock's time.
func (c *RealClock) Now() time.Time {
	if c.scale == 1 {
		return time.Now()
	}
	elapsed := time.Since(c.origin)
	return c.origin.Add(time.Duration(float64(elapsed) * c.scale))
}

// RealDuration converts a span of clock time into wall-clock time.
func (c *RealClock) RealDuration(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.scale)
}
