package launch_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/store"
)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseScheduleRefuses(t *testing.T) {
	for _, expr := range []string{
		"", "daily", "rate(0 days)", "rate(7 weeks)", "rate(days)", "at(2026-03-01)", "cron(0 9 1 * *)",
		"cron(0 9 1 * 2 *)", "cron(0 9 ? * ? *)", "cron(61 9 1 * ? *)", "cron(0 9 1 FOO ? *)", "cron(0 9 ? * 2#6 *)",
		"cron(0 9-3 1 * ? *)", "cron(*/0 9 1 * ? *)", "hourly(1)",
	} {
		if _, err := launch.ParseSchedule(expr); err == nil {
			t.Errorf("ParseSchedule(%q) succeeded", expr)
		}
	}
}

func TestFires(t *testing.T) {
	anchor := at("2026-01-01 00:00")
	for _, tt := range []struct {
		expr     string
		from, to string
		want     []string
	}{
		{"cron(0 9 1 * ? *)", "2026-03-01 08:50", "2026-03-01 09:05", []string{"2026-03-01 09:00"}},
		{"cron(0 9 1 * ? *)", "2026-03-01 09:00", "2026-03-01 09:05", nil}, // (from, to]: 09:00 was the previous tick's
		{"cron(0 9 1 * ? *)", "2026-03-02 08:50", "2026-03-02 09:05", nil},
		{"cron(0/30 8-9 ? * MON-FRI *)", "2026-03-02 07:59", "2026-03-02 10:00", []string{"2026-03-02 08:00", "2026-03-02 08:30", "2026-03-02 09:00", "2026-03-02 09:30"}},
		{"cron(0/30 8-9 ? * MON-FRI *)", "2026-03-01 07:59", "2026-03-01 10:00", nil}, // a Sunday
		{"cron(15 10 L * ? *)", "2026-02-27 00:00", "2026-03-01 00:00", []string{"2026-02-28 10:15"}},
		{"cron(0 12 15W * ? *)", "2026-03-12 00:00", "2026-03-18 00:00", []string{"2026-03-16 12:00"}}, // the 15th is a Sunday
		{"cron(0 12 1W * ? *)", "2026-08-01 00:00", "2026-08-05 00:00", []string{"2026-08-03 12:00"}},  // the 1st is a Saturday
		{"cron(0 12 ? * 6L *)", "2026-03-25 00:00", "2026-03-31 23:59", []string{"2026-03-27 12:00"}},  // last Friday
		{"cron(0 12 ? * 2#2 *)", "2026-03-05 00:00", "2026-03-11 00:00", []string{"2026-03-09 12:00"}}, // second Monday
		{"cron(0 9 1 JAN,JUL ? 2026-2027)", "2026-06-30 00:00", "2026-07-02 00:00", []string{"2026-07-01 09:00"}},
		{"rate(7 days)", "2026-01-07 23:00", "2026-01-08 01:00", []string{"2026-01-08 00:00"}},
		{"rate(7 days)", "2025-12-31 23:00", "2026-01-01 00:05", []string{"2026-01-01 00:00"}}, // at the anchor: the first publication
		{"rate(90 minutes)", "2026-01-01 02:00", "2026-01-01 05:00", []string{"2026-01-01 03:00", "2026-01-01 04:30"}},
		{"at(2026-05-01T09:00:00)", "2026-05-01 08:55", "2026-05-01 09:10", []string{"2026-05-01 09:00"}},
		{"at(2025-05-01T09:00:00)", "2025-05-01 08:55", "2025-05-01 09:10", nil}, // before the anchor
		{"cron(0 9 * * ? *)", "2026-01-01 00:00", "2026-03-01 09:30", []string{ // a long window keeps its last week
			"2026-02-23 09:00", "2026-02-24 09:00", "2026-02-25 09:00", "2026-02-26 09:00", "2026-02-27 09:00", "2026-02-28 09:00", "2026-03-01 09:00"}},
	} {
		t.Run(tt.expr+" "+tt.from, func(t *testing.T) {
			s, err := launch.ParseSchedule(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range s.Fires(anchor, at(tt.from), at(tt.to)) {
				got = append(got, f.Format("2006-01-02 15:04"))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fires (-want +got):\n%s", diff)
			}
		})
	}
}

// recordedStarts records launches, as a MachineStarter would start them.
type recordedStarts struct {
	mu  sync.Mutex
	ids []string
}

func (r *recordedStarts) StartLaunch(_ context.Context, bu, id, launchID, by string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, bu+"/"+id+"/"+launchID+"/"+by)
	return launch.ExecutionName(bu, id, launchID, 0), nil
}

type sweeps struct{ n int }

func (s *sweeps) SweepStopped(_ context.Context, bu, id string, _ time.Time) (int, bool, error) {
	s.n++
	return 3, false, nil
}

// TestTicker: the newsletter (cron on the 1st at 09:00) is launched by the
// tick after 09:00 and by every tick within the lookback under the same
// launch id, not by later ones; paused journeys are not launched, stopped
// ones are swept.
func TestTicker(t *testing.T) {
	f := newEmbedded(t, 0, launch.Config{}, "always")
	ctx := context.Background()
	starts, sw := &recordedStarts{}, &sweeps{}
	now := at("2026-03-01 09:05")
	tk := &launch.Ticker{Store: f.st, Catalog: catalog.New(f.st, nil), Starter: starts, Sweeper: sw, BusinessUnits: []string{bu},
		Now: func() time.Time { return now }, Logger: quiet()}
	for _, tick := range []string{"2026-03-01 09:05", "2026-03-01 09:06", "2026-03-01 09:20", "2026-04-01 09:01"} {
		now = at(tick)
		if _, err := tk.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"northwind/newsletter/sched-20260301T0900Z/scheduler", "northwind/newsletter/sched-20260301T0900Z/scheduler",
		"northwind/newsletter/sched-20260401T0900Z/scheduler"}
	if diff := cmp.Diff(want, starts.ids); diff != "" {
		t.Errorf("launches (-want +got):\n%s", diff)
	}
	for _, status := range []store.JourneyStatus{store.JourneyPaused, store.JourneyStopped} {
		j, _ := f.st.GetJourney(ctx, bu, "newsletter")
		j.Status = status
		if _, err := f.st.PutJourney(ctx, bu, j); err != nil {
			t.Fatal(err)
		}
		now = at("2026-05-01 09:01")
		rep, err := tk.Tick(ctx)
		if err != nil || len(rep.Launches) != 0 {
			t.Errorf("%s journey: %+v, %v", status, rep, err)
		}
		if status == store.JourneyStopped && (sw.n != 1 || rep.Swept != 3) {
			t.Errorf("stopped journey swept %d times, %d enrolments", sw.n, rep.Swept)
		}
	}
}

// TestScheduledLaunchEnrolsOnce: two ticks of the same fire through a
// real in-process launch enrol everyone once.
func TestScheduledLaunchEnrolsOnce(t *testing.T) {
	const n = 200
	f := newEmbedded(t, n, launch.Config{Rate: 1e6, Segments: 4}, "always")
	ctx := context.Background()
	now := at("2026-03-01 09:02")
	tk := &launch.Ticker{Store: f.st, Catalog: catalog.New(f.st, nil), Starter: launch.InProcess{Launcher: f.l, Wait: true},
		BusinessUnits: []string{bu}, Now: func() time.Time { return now }, Logger: quiet()}
	for range 2 {
		rep, err := tk.Tick(ctx)
		if err != nil || len(rep.Launches) != 1 || !strings.HasSuffix(rep.Launches[0], "sched-20260301T0900Z") {
			t.Fatalf("tick %+v, %v", rep, err)
		}
	}
	f.checkOnce(t, n)
}
