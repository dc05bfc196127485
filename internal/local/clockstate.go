package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/store"
)

// kvClock is the key the dev server's journey time is saved under.
const kvClock = "dev/clock"

// A SavedClock is a scaled clock's journey time as last saved.
type SavedClock struct {
	Journey time.Time `json:"journey"` // the clock's time
	Wall    time.Time `json:"wall"`    // the wall clock's time then
	Speed   float64   `json:"speed"`   // how much faster than the wall clock it ran
}

// A ClockKeeper keeps a real (optionally sped-up) clock's journey time in a
// store.KV, so that a restart resumes journey time where it stood instead
// of at the wall clock: on a sped-up clock, restarting from the wall clock
// would move journey time back by everything the speed had gained, making
// waiting contacts late and new records older than old ones.
//
// Journey time stands still while the clock is not running: the keeper
// resumes at the saved journey time, or at the wall clock's time if that
// is later (journey time never runs behind real time), and runs on at the
// speed of this start, whatever the speed was before. So a lead gained at
// a high speed is kept at speed 1 too; only a fresh data folder returns to
// real time. Between saves, journey time is at risk from a crash: Run
// saves every SaveEvery(speed), which bounds the loss to about an hour of
// journey time at high speeds.
//
// A ClockKeeper is safe for concurrent use.
type ClockKeeper struct {
	kv    store.KV
	clock *asl.RealClock
	wall  func() time.Time
}

// ResumeClock returns a keeper whose clock runs at speed on the wall clock
// wall (nil: time.Now) from the journey time saved in kv, and what was
// saved (zero if nothing was).
func ResumeClock(ctx context.Context, kv store.KV, speed float64, wall func() time.Time) (*ClockKeeper, SavedClock, error) {
	if wall == nil {
		wall = time.Now
	}
	var saved SavedClock
	raw, err := kv.GetKV(ctx, kvClock)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, saved, fmt.Errorf("load saved clock: %w", err)
	default:
		if err := json.Unmarshal(raw, &saved); err != nil {
			return nil, saved, fmt.Errorf("load saved clock: %w", err)
		}
	}
	k := &ClockKeeper{kv: kv, wall: wall, clock: asl.ResumeRealClock(speed, saved.Journey, wall)}
	return k, saved, nil
}

// Clock returns the kept clock.
func (k *ClockKeeper) Clock() *asl.RealClock { return k.clock }

// Save stores the clock's journey time now.
func (k *ClockKeeper) Save(ctx context.Context) error {
	raw, err := json.Marshal(SavedClock{Journey: k.clock.Now().UTC(), Wall: k.wall().UTC(), Speed: k.clock.Scale()})
	if err == nil {
		err = k.kv.PutKV(ctx, kvClock, raw)
	}
	if err != nil {
		return fmt.Errorf("save clock: %w", err)
	}
	return nil
}

// SaveEvery is how often Run saves a clock running at speed: every hour
// of journey time, but no more than ten times a second and at least every
// ten seconds of real time.
func SaveEvery(speed float64) time.Duration {
	if speed < 1 {
		speed = 1
	}
	return min(max(time.Duration(float64(time.Hour)/speed), 100*time.Millisecond), 10*time.Second)
}

// Run saves the journey time every SaveEvery of real time until ctx ends.
// It does not save at the end: the caller saves once more on shutdown,
// while the store is still open.
func (k *ClockKeeper) Run(ctx context.Context) error {
	t := time.NewTicker(SaveEvery(k.clock.Scale()))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if err := k.Save(ctx); err != nil && ctx.Err() == nil {
				return err
			}
		}
	}
}
