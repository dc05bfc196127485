package journey

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCheckDates(t *testing.T) {
	today := func() time.Time { return time.Date(2026, 11, 30, 15, 4, 5, 0, time.UTC) }
	tests := []struct {
		name     string
		trigger  string // the trigger line (line 4)
		policies string // the policies line (line 5)
		steps    string // from line 7 on
		now      func() time.Time
		want     []string
	}{
		{"within the maximum", "{event: {name: x.y}}", "{start: 2026-12-01, maxDuration: 60d}", `
  - {id: a, wait: {until: "2027-01-15T09:00:00-05:00"}}
`, today, nil},
		{"date only is midnight UTC", "{event: {name: x.y}}", "{start: 2026-12-01}", `
  - {id: a, wait: {until: 2026-12-10}}
`, today, []string{
			`j.journey.yaml:7:27: step "a": until 2026-12-10 means midnight UTC, not midnight where the contact is (write the time and its offset, e.g. 2026-12-10T09:00:00-05:00, or wait with timeOfDay in the contact's time zone)`,
		}},
		{"after the end date", "{event: {name: x.y}}", "{start: 2026-12-01, end: 2027-01-01}", `
  - {id: a, wait: {until: "2027-02-01T09:00:00Z"}}
`, today, []string{
			`j.journey.yaml:7:27: step "a": waits until 2027-02-01T09:00:00Z, after the journey's end date 2027-01-01 (the journey ends for everyone at its end date)`,
		}},
		{"before the start date", "{event: {name: x.y}}", "{start: 2027-03-01}", `
  - {id: a, wait: {until: "2027-02-01T09:00:00Z"}}
`, today, []string{
			`j.journey.yaml:7:27: step "a": waits until 2027-02-01T09:00:00Z, not after the journey's start date 2027-03-01 (every contact enters after it, so the wait never waits; correct the date or remove the step)`,
		}},
		{"beyond maxDuration from the start", "{event: {name: x.y}}", "{start: 2027-01-01, maxDuration: 60d}", `
  - {id: a, wait: {until: "2027-06-01T09:00:00Z"}}
`, today, []string{
			`j.journey.yaml:7:27: step "a": waits until 2027-06-01T09:00:00Z, 151d after the journey's start date 2027-01-01: contacts who enter before 2027-04-02 time out while waiting (an execution lives at most policies.maxDuration, 60d (at most 365d); wait for a duration, or start the journey closer to the date)`,
		}},
		{"beyond a year from today", "{event: {name: x.y}}", "{}", `
  - {id: a, wait: {until: "2029-12-10T09:00:00Z"}}
`, today, []string{
			`j.journey.yaml:7:27: step "a": waits until 2029-12-10T09:00:00Z, 1,105d after today (2026-11-30): contacts who enter before 2028-12-10 time out while waiting (a Step Functions execution lives at most 365d; wait for a duration, or start the journey closer to the date)`,
		}},
		{"without a clock or start date the date is not placed", "{event: {name: x.y}}", "{}", `
  - {id: a, wait: {until: "2029-12-10T09:00:00Z"}}
`, nil, nil},
		{"a start date in the past counts from today", "{event: {name: x.y}}", "{start: 2026-01-01, maxDuration: 60d}", `
  - {id: a, wait: {until: "2027-01-15T09:00:00Z"}}
`, today, nil},
		{"waits before the date count on the path", "{event: {name: x.y}}", "{start: 2027-01-01, maxDuration: 60d}", `
  - {id: a, wait: {duration: 20d}}
  - {id: b, wait: {until: "2027-02-10T00:00:00Z"}}
  - {id: c, wait: {duration: 30d}}
`, today, []string{
			`j.journey.yaml:9:5: step "c": the longest path to here waits 70d, more than the journey's maximum of 60d (shorten the waits, or raise policies.maxDuration to at most 365d)`,
		}},
		{"a segment launch outside the dates", "{segment: {segment: engaged, schedule: at(2026-11-01T09:00:00)}}", "{start: 2026-12-01, end: 2027-01-01}", `
  - {id: a, wait: {duration: 1d}}
`, today, []string{
			`j.journey.yaml:4:49: the segment launches at 2026-11-01T09:00:00 UTC, before the journey's start date 2026-12-01 (contacts enter from the start date on; launch on or after it)`,
		}},
		{"a segment launch after the end", "{segment: {segment: engaged, schedule: at(2027-01-01T00:00:00)}}", "{start: 2026-12-01, end: 2027-01-01}", `
  - {id: a, wait: {duration: 1d}}
`, today, []string{
			`j.journey.yaml:4:49: the segment launches at 2027-01-01T00:00:00 UTC, when the journey has ended (end date 2027-01-01) (launch before the end date)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "id: j\nname: J\nbusinessUnit: acme\ntrigger: " + tt.trigger + "\npolicies: " + tt.policies + "\nsteps:\n" + tt.steps[1:]
			lib := testLib(t)
			lib.Now = tt.now
			j, probs := ParseJourney("j.journey.yaml", []byte(src))
			_, more := Check(j, lib)
			if diff := cmp.Diff(tt.want, problemLines(probs.Merge(more))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
