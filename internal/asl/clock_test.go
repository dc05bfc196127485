package asl_test

import (
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
)

// wallClock is a wall clock the test moves.
type wallClock struct{ now time.Time }

func (w *wallClock) Now() time.Time { return w.now }

func TestResumeRealClock(t *testing.T) {
	wall0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		scale   float64
		from    time.Time
		elapsed time.Duration // of wall time after the start
		want    time.Time
	}{
		{"fresh real time", 1, time.Time{}, time.Minute, wall0.Add(time.Minute)},
		{"fresh sped up", 3600, time.Time{}, time.Second, wall0.Add(time.Hour)},
		{"resumed ahead of the wall clock", 86400, wall0.Add(72 * time.Hour), time.Second, wall0.Add(96 * time.Hour)},
		{"resumed behind the wall clock starts at the wall clock", 86400, wall0.Add(-72 * time.Hour), time.Second, wall0.Add(24 * time.Hour)},
		{"real time keeps a saved lead", 1, wall0.Add(72 * time.Hour), time.Minute, wall0.Add(72*time.Hour + time.Minute)},
		{"real time behind the wall clock is the wall clock", 1, wall0.Add(-time.Hour), time.Minute, wall0.Add(time.Minute)},
		{"scale below 1 is real time", 0.5, time.Time{}, time.Minute, wall0.Add(time.Minute)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &wallClock{now: wall0}
			c := asl.ResumeRealClock(tc.scale, tc.from, w.Now)
			w.now = w.now.Add(tc.elapsed)
			if got := c.Now(); !got.Equal(tc.want) {
				t.Errorf("Now() = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRealClockRealDuration(t *testing.T) {
	c := asl.ResumeRealClock(3600, time.Time{}, (&wallClock{now: time.Unix(0, 0)}).Now)
	if got := c.RealDuration(2 * time.Hour); got != 2*time.Second {
		t.Errorf("RealDuration(2h) = %s, want 2s", got)
	}
	if got := c.Scale(); got != 3600 {
		t.Errorf("Scale() = %g, want 3600", got)
	}
}
