package store

import "time"

// A Pause is one interval during which a journey was paused: From when it
// was paused, To when it became active or stopped again (zero while it is
// still paused).
type Pause struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitzero"`
}

// MaxPauses bounds Journey.Pauses: older intervals are dropped. A wait that
// spans more pauses than this counts the dropped ones as running time, so
// it ends earlier than it would otherwise, never later.
const MaxPauses = 32

// notePause returns the pause intervals of a journey stored with status
// is at now: a move into paused opens an interval, a move out of it closes
// the open one. (A journey paused before intervals were kept has none
// open: its pause is not known and not counted.)
func notePause(pauses []Pause, is JourneyStatus, now time.Time) []Pause {
	open := len(pauses) > 0 && pauses[len(pauses)-1].To.IsZero()
	switch {
	case is == JourneyPaused && !open:
		pauses = append(append([]Pause(nil), pauses...), Pause{From: now})
	case is != JourneyPaused && open:
		pauses = append([]Pause(nil), pauses...)
		pauses[len(pauses)-1].To = now
	}
	if len(pauses) > MaxPauses {
		pauses = pauses[len(pauses)-MaxPauses:]
	}
	return pauses
}

// PausedWithin returns how much of [from, to] the journey spent paused, an
// open pause counting up to to.
func (j Journey) PausedWithin(from, to time.Time) time.Duration {
	var d time.Duration
	for _, p := range j.Pauses {
		end := p.To
		if end.IsZero() || end.After(to) {
			end = to
		}
		begin := p.From
		if begin.Before(from) {
			begin = from
		}
		if end.After(begin) {
			d += end.Sub(begin)
		}
	}
	return d
}
