package handler

import (
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
)

func tod(h, m int) journey.TimeOfDay {
	return journey.TimeOfDay{Hour: h, Minute: m, Text: "x"}
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestQuietUntil(t *testing.T) {
	tests := []struct {
		name      string
		now       string // UTC
		zone      string
		from, to  journey.TimeOfDay
		wantQuiet bool
		wantUntil string // UTC
	}{
		{"berlin evening is quiet", "2026-11-29T21:30:00Z", "Europe/Berlin", tod(21, 0), tod(8, 0), true, "2026-11-30T07:00:00Z"},
		{"berlin afternoon is not", "2026-11-29T13:00:00Z", "Europe/Berlin", tod(21, 0), tod(8, 0), false, ""},
		{"same instant, new york afternoon", "2026-11-29T21:30:00Z", "America/New_York", tod(21, 0), tod(8, 0), false, ""},
		{"tokyo early morning", "2026-11-29T21:30:00Z", "Asia/Tokyo", tod(21, 0), tod(8, 0), true, "2026-11-29T23:00:00Z"},
		{"window start is quiet", "2026-11-29T20:00:00Z", "Europe/Berlin", tod(21, 0), tod(8, 0), true, "2026-11-30T07:00:00Z"},
		{"window end is not quiet", "2026-11-30T07:00:00Z", "Europe/Berlin", tod(21, 0), tod(8, 0), false, ""},
		{"daytime window", "2026-11-29T12:30:00Z", "UTC", tod(12, 0), tod(14, 0), true, "2026-11-29T14:00:00Z"},
		{"empty window", "2026-11-29T12:30:00Z", "UTC", tod(12, 0), tod(12, 0), false, ""},
		// Spring forward in Berlin: 2026-03-29 02:00 CET becomes 03:00 CEST.
		{"night before spring forward ends at 08:00 CEST", "2026-03-28T23:00:00Z", "Europe/Berlin", tod(21, 0), tod(8, 0), true, "2026-03-29T06:00:00Z"},
		// Fall back: 2026-10-25 03:00 CEST becomes 02:00 CET.
		{"night before fall back ends at 08:00 CET", "2026-10-24T22:00:00Z", "Europe/Berlin", tod(21, 0), tod(8, 0), true, "2026-10-25T07:00:00Z"},
		// A window ending in the skipped hour ends when the clock jumps.
		{"end in the skipped hour", "2026-03-29T00:30:00Z", "Europe/Berlin", tod(1, 0), tod(2, 30), true, "2026-03-29T01:30:00Z"},
		{"new york DST", "2026-03-08T05:00:00Z", "America/New_York", tod(21, 0), tod(8, 0), true, "2026-03-08T12:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, _ := time.Parse(time.RFC3339, tt.now)
			until, quiet := QuietUntil(now, zone(t, tt.zone), tt.from, tt.to)
			if quiet != tt.wantQuiet {
				t.Fatalf("quiet = %v, want %v", quiet, tt.wantQuiet)
			}
			if quiet && until.UTC().Format(time.RFC3339) != tt.wantUntil {
				t.Errorf("until %s, want %s", until.UTC().Format(time.RFC3339), tt.wantUntil)
			}
		})
	}
}

func TestNextTimeOfDay(t *testing.T) {
	tests := []struct {
		name     string
		now      string
		zone     string
		at       journey.TimeOfDay
		weekdays []string
		want     string
	}{
		{"later today", "2026-11-30T06:00:00Z", "Europe/Berlin", tod(9, 0), nil, "2026-11-30T08:00:00Z"},
		{"tomorrow when passed", "2026-11-30T09:00:00Z", "Europe/Berlin", tod(9, 0), nil, "2026-12-01T08:00:00Z"},
		{"exactly now is tomorrow", "2026-11-30T08:00:00Z", "Europe/Berlin", tod(9, 0), nil, "2026-12-01T08:00:00Z"},
		{"next weekday from saturday", "2026-11-28T10:00:00Z", "Europe/Berlin", tod(9, 0), []string{"mon", "tue", "wed", "thu", "fri"}, "2026-11-30T08:00:00Z"},
		{"one day a week", "2026-11-30T10:00:00Z", "UTC", tod(9, 0), []string{"mon"}, "2026-12-07T09:00:00Z"},
		{"across spring forward", "2026-03-28T09:00:00Z", "Europe/Berlin", tod(9, 0), nil, "2026-03-29T07:00:00Z"},
		{"across fall back", "2026-10-24T08:00:00Z", "Europe/Berlin", tod(9, 0), nil, "2026-10-25T08:00:00Z"},
		{"sydney, exactly 09:00 there", "2026-11-30T22:00:00Z", "Australia/Sydney", tod(9, 0), nil, "2026-12-01T22:00:00Z"},
		{"sydney, before 09:00 there", "2026-11-30T21:00:00Z", "Australia/Sydney", tod(9, 0), nil, "2026-11-30T22:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, _ := time.Parse(time.RFC3339, tt.now)
			got := NextTimeOfDay(now, zone(t, tt.zone), tt.at, tt.weekdays)
			if got.UTC().Format(time.RFC3339) != tt.want {
				t.Errorf("got %s, want %s", got.UTC().Format(time.RFC3339), tt.want)
			}
			if !got.After(now) {
				t.Errorf("%s is not after now %s", got, now)
			}
		})
	}
}
