package webhook

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff computes retry delays: exponential growth from Base, capped at Max,
// with full jitter (a uniform draw between zero and the capped step), so
// many clients retrying at once spread out instead of arriving together.
type Backoff struct {
	Base time.Duration
	Max  time.Duration
	// Rand returns a number in [0, 1); math/rand/v2's Float64 when nil.
	Rand func() float64
}

// Delay returns the wait before retry number retry (0 for the first retry).
func (b Backoff) Delay(retry int) time.Duration {
	step := b.Base
	for i := 0; i < retry && step < b.Max; i++ {
		step *= 2
	}
	if step > b.Max {
		step = b.Max
	}
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	return time.Duration(r() * float64(step))
}

// ParseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
// It reports false when the header is absent or unreadable; a date in the
// past gives zero.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// SleepContext waits for d or until ctx is done, whichever comes first. It
// is the default sleeper of the Client; tests inject one that records the
// delays and returns at once.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
