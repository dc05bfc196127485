package launch

import (
	"context"
	"sync"
	"time"
)

// A bucket paces starts: a token bucket refilled at rate tokens per second
// holding at most one second's worth (and at least one token). Waiting
// reserves a token, so concurrent callers queue fairly. It is safe for
// concurrent use.
type bucket struct {
	rate   float64
	burst  float64
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newBucket(rate float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *bucket {
	burst := max(1, rate)
	return &bucket{rate: rate, burst: burst, now: now, sleep: sleep, tokens: burst, last: now()}
}

// wait takes a token, sleeping until it is there. A rate of zero or less
// never waits.
func (b *bucket) wait(ctx context.Context) error {
	if b.rate <= 0 {
		return ctx.Err()
	}
	b.mu.Lock()
	now := b.now()
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	b.tokens--
	var d time.Duration
	if b.tokens < 0 {
		d = time.Duration(-b.tokens / b.rate * float64(time.Second))
	}
	b.mu.Unlock()
	if d == 0 {
		return ctx.Err()
	}
	return b.sleep(ctx, d)
}
