package devserver_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/local/devserver"
)

// fakeWall is the wall clock a real-clock server reads, moved by the
// test (the engine's goroutines read it too).
type fakeWall struct{ now atomic.Pointer[time.Time] }

func newFakeWall(t time.Time) *fakeWall {
	w := &fakeWall{}
	w.now.Store(&t)
	return w
}

func (w *fakeWall) Now() time.Time { return *w.now.Load() }

func (w *fakeWall) add(d time.Duration) {
	t := w.Now().Add(d)
	w.now.Store(&t)
}

// healthTime is the journey time /healthz reports.
func healthTime(t *testing.T, s *devserver.Server) time.Time {
	t.Helper()
	var h struct{ Time time.Time }
	getJSON(t, s.URL()+"/healthz", &h)
	return h.Time
}

// TestRestartKeepsScaledJourneyTime restarts a server whose real clock
// runs a day a second: journey time resumes where it stood at the stop
// (it does not move back to the wall clock, nor on through the time the
// server was down), and a restart at another speed keeps it too.
func TestRestartKeepsScaledJourneyTime(t *testing.T) {
	ctx := context.Background()
	wall := newFakeWall(t0)
	cfg := devserver.Config{
		Root: "../../../journeys", DataDir: t.TempDir(), Addr: freeAddr(t),
		Journeys:   []string{"../../../journeys/welcome.journey.yaml"},
		ClockSpeed: 86400, Wall: wall.Now, NoSync: true, Logger: quietLogger(),
	}
	start := func() *devserver.Server {
		s, err := devserver.Start(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close(context.Background()) })
		return s
	}
	s1 := start()
	wall.add(3 * time.Second)
	before := healthTime(t, s1)
	if want := t0.Add(3 * 24 * time.Hour); !before.Equal(want) {
		t.Fatalf("journey time after 3s at x86400: %s, want %s", before, want)
	}
	if err := s1.Close(ctx); err != nil {
		t.Fatal(err)
	}

	wall.add(time.Minute) // down for a minute
	s2 := start()
	if got := healthTime(t, s2); !got.Equal(before) {
		t.Fatalf("journey time after the restart: %s, want %s (where it stopped)", got, before)
	}
	wall.add(time.Second)
	if got, want := healthTime(t, s2), before.Add(24*time.Hour); !got.Equal(want) {
		t.Fatalf("a second after the restart: %s, want %s", got, want)
	}
	if err := s2.Close(ctx); err != nil {
		t.Fatal(err)
	}

	cfg.ClockSpeed = 1 // slower: the lead over the wall clock stays
	s3 := start()
	wall.add(time.Hour)
	if got, want := healthTime(t, s3), before.Add(24*time.Hour+time.Hour); !got.Equal(want) {
		t.Fatalf("an hour after a restart at x1: %s, want %s", got, want)
	}
}
