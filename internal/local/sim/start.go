package sim

import (
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
)

// DefaultStart is when a run starts unless told: the journey's start date
// when it has one; else 09:00 UTC on the day after the contacts' newest
// past interaction, so "in the last 30 days" conditions see the sample
// data as it was written; else 09:00 UTC today.
func DefaultStart(j *journey.Journey, contacts []local.Seed, now time.Time) time.Time {
	if p := j.Policies; p != nil && !p.Start.T.IsZero() {
		return p.Start.T.UTC()
	}
	var newest time.Time
	for _, c := range contacts {
		for _, in := range c.Interactions {
			if in.At.After(newest) {
				newest = in.At
			}
		}
	}
	day := now.UTC()
	if !newest.IsZero() {
		day = newest.UTC().AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, time.UTC)
}
