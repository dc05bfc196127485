package local

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
)

// movingWall is a wall clock the test moves.
type movingWall struct{ now time.Time }

func (w *movingWall) Now() time.Time      { return w.now }
func (w *movingWall) add(d time.Duration) { w.now = w.now.Add(d) }

// TestClockKeeperResume runs a clock at one speed, saves it, lets wall
// time pass while "stopped", and resumes at another speed.
func TestClockKeeperResume(t *testing.T) {
	wall0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name           string
		speed1, speed2 float64
		ran, stopped   time.Duration // wall time of the first run, and between the runs
		after          time.Duration // wall time into the second run
		want           time.Time     // journey time then
	}{
		{"sped up, restarted at once", 86400, 86400, 3 * time.Second, time.Second, time.Second, wall0.Add(4 * 24 * time.Hour)},
		{"sped up, then real time keeps the lead", 86400, 1, 3 * time.Second, time.Minute, time.Minute, wall0.Add(3*24*time.Hour + time.Minute)},
		{"real time, then sped up", 1, 3600, time.Hour, 0, time.Second, wall0.Add(2 * time.Hour)},
		{"stopped longer than the lead: the wall clock", 60, 60, time.Minute, 2 * time.Hour, time.Second, wall0.Add(2*time.Hour + 2*time.Minute)}, // resumed at the wall clock (11:01), a minute on,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			kv := memory.New(store.Config{})
			w := &movingWall{now: wall0}
			k1, saved, err := ResumeClock(ctx, kv, tc.speed1, w.Now)
			if err != nil || !saved.Journey.IsZero() {
				t.Fatalf("first start: %+v, %v", saved, err)
			}
			w.add(tc.ran)
			stoppedAt := k1.Clock().Now()
			if err := k1.Save(ctx); err != nil {
				t.Fatal(err)
			}
			w.add(tc.stopped)
			k2, saved, err := ResumeClock(ctx, kv, tc.speed2, w.Now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(SavedClock{Journey: stoppedAt, Wall: wall0.Add(tc.ran), Speed: max(tc.speed1, 1)}, saved); diff != "" {
				t.Errorf("saved clock (-want +got):\n%s", diff)
			}
			w.add(tc.after)
			if got := k2.Clock().Now(); !got.Equal(tc.want) {
				t.Errorf("journey time %s into the second run = %s, want %s", tc.after, got, tc.want)
			}
		})
	}
}

// TestClockKeeperCrash: journey time after a crash is the last save's,
// not the wall clock's: what ran after the save is lost, nothing more.
func TestClockKeeperCrash(t *testing.T) {
	ctx := context.Background()
	kv := memory.New(store.Config{})
	wall0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	w := &movingWall{now: wall0}
	k1, _, err := ResumeClock(ctx, kv, 86400, w.Now)
	if err != nil {
		t.Fatal(err)
	}
	w.add(2 * time.Second)
	if err := k1.Save(ctx); err != nil { // Run's periodic save
		t.Fatal(err)
	}
	w.add(SaveEvery(86400) / 2) // then the process dies before the next
	k2, _, err := ResumeClock(ctx, kv, 86400, w.Now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k2.Clock().Now(), wall0.Add(2*24*time.Hour); !got.Equal(want) {
		t.Errorf("after the crash: %s, want %s (the last save)", got, want)
	}
}

func TestSaveEvery(t *testing.T) {
	tests := []struct {
		speed float64
		want  time.Duration
	}{
		{1, 10 * time.Second},
		{3600, time.Second},
		{86400, 100 * time.Millisecond},
		{0, 10 * time.Second},
	}
	for _, tc := range tests {
		if got := SaveEvery(tc.speed); got != tc.want {
			t.Errorf("SaveEvery(%g) = %s, want %s", tc.speed, got, tc.want)
		}
	}
}
