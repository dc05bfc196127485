package asl

import (
	"sync"
	"time"
)

// A Clock tells the engine the time. The engine reads no other clock.
type Clock interface {
	Now() time.Time
}

// A VirtualClock is a clock that moves only when told to. An Engine on a
// VirtualClock is driven by RunUntil, which advances it from timer to timer,
// so months of journey time pass in milliseconds. It is safe for concurrent
// use.
type VirtualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewVirtualClock returns a virtual clock showing start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start} }

// Now returns the clock's time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t if t is later than its time.
func (c *VirtualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
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
