package launch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// A Starter starts a segment launch (MachineStarter, InProcess;
// publish.Launcher is the same method).
type Starter interface {
	StartLaunch(ctx context.Context, bu, journeyID, launchID, by string) (string, error)
}

// A Sweeper stops what remains of stopped journeys (manage.Service).
type Sweeper interface {
	SweepStopped(ctx context.Context, bu, id string, deadline time.Time) (int, bool, error)
}

// TickStore is what the scheduler reads.
type TickStore interface {
	ListJourneys(ctx context.Context, bu string) ([]store.Journey, error)
}

// A Ticker is the scheduler: called every minute (an EventBridge rule),
// it launches every active segment journey whose schedule fired since the
// last ticks, and sweeps stopped journeys. A fire's launch id is its time
// (sched-20260301T0900Z), so a tick repeated or overlapping another starts
// nothing twice: the launch's execution name is derived from it, and its
// enrolments use it as the entry. It is safe for concurrent use.
type Ticker struct {
	Store   TickStore
	Catalog Catalog
	Starter Starter
	Sweeper Sweeper // nil: no sweeping
	// BusinessUnits are the units whose journeys are scheduled.
	BusinessUnits []string
	// Lookback is how far back a tick looks for fires it may have missed
	// (ticks lost or late). Default 15 minutes.
	Lookback time.Duration
	// SweepBudget bounds a tick's sweeping, all stopped journeys together.
	// Default 40 seconds.
	SweepBudget time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
}

// A TickReport says what a tick did.
type TickReport struct {
	Launches []string `json:"launches"` // bu/journey/launch id
	Swept    int      `json:"swept"`    // enrolments of stopped journeys ended
	Errors   []string `json:"errors,omitempty"`
}

// Tick runs the scheduler once. Errors of one journey are reported and do
// not stop the others; the error is the first of them.
func (t *Ticker) Tick(ctx context.Context) (TickReport, error) {
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	log := t.Logger
	if log == nil {
		log = slog.Default()
	}
	lookback, budget := t.Lookback, t.SweepBudget
	if lookback <= 0 {
		lookback = 15 * time.Minute
	}
	if budget <= 0 {
		budget = 40 * time.Second
	}
	at := now()
	sweepUntil := at.Add(budget) // one budget for the whole tick: the function's timeout is a minute
	var rep TickReport
	var errs []error
	fail := func(err error) {
		errs = append(errs, err)
		rep.Errors = append(rep.Errors, err.Error())
		log.ErrorContext(ctx, "scheduler", "error", err)
	}
	for _, bu := range t.BusinessUnits {
		js, err := t.Store.ListJourneys(ctx, bu)
		if err != nil {
			fail(fmt.Errorf("list journeys of %s: %w", bu, err))
			continue
		}
		for _, j := range js {
			switch {
			case j.Status == store.JourneyStopped && t.Sweeper != nil && now().Before(sweepUntil):
				n, _, err := t.Sweeper.SweepStopped(ctx, bu, j.ID, sweepUntil)
				rep.Swept += n
				if err != nil {
					fail(fmt.Errorf("sweep %s/%s: %w", bu, j.ID, err))
				}
			case j.Status == store.JourneyActive && j.Current > 0:
				launched, err := t.due(ctx, bu, j, at.Add(-lookback), at)
				rep.Launches = append(rep.Launches, launched...)
				if err != nil {
					fail(err)
				}
			}
		}
	}
	return rep, errors.Join(errs...)
}

// due starts the launches of a journey's fires in (from, to].
func (t *Ticker) due(ctx context.Context, bu string, j store.Journey, from, to time.Time) ([]string, error) {
	v, err := t.Catalog.Version(ctx, bu, j.ID, j.Current)
	if err != nil {
		return nil, fmt.Errorf("schedule of %s/%s: %w", bu, j.ID, err)
	}
	trig := v.Journey().Trigger.Segment
	if trig == nil || trig.Schedule == "" {
		return nil, nil
	}
	sched, err := ParseSchedule(trig.Schedule)
	if err != nil {
		return nil, fmt.Errorf("schedule of %s/%s: %w", bu, j.ID, err)
	}
	var out []string
	for _, fire := range sched.Fires(j.CreatedAt, from, to) {
		id := LaunchID(fire)
		if _, err := t.Starter.StartLaunch(ctx, bu, j.ID, id, "scheduler"); err != nil {
			return out, fmt.Errorf("launch %s of %s/%s: %w", id, bu, j.ID, err)
		}
		out = append(out, bu+"/"+j.ID+"/"+id)
	}
	return out, nil
}

// LaunchID is the launch id of a schedule's fire.
func LaunchID(fire time.Time) string {
	return "sched-" + fire.UTC().Format("20060102T1504Z")
}
