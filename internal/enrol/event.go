package enrol

import (
	"encoding/json"
	"slices"
	"sort"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
)

// keepEvent chooses the event attributes an enrolment keeps: all of them
// when they fit in store.MaxEnrolmentEvent; otherwise those the journey's
// trigger declares (the ones its templates may read) first, then the
// others, each in name order, as long as they fit. It returns the kept
// attributes (nil when none) and the names of those left out, sorted.
func keepEvent(j *journey.Journey, data map[string]any) (map[string]any, []string) {
	if len(data) == 0 {
		return nil, nil
	}
	var declared map[string]bool
	if s := j.EventScope(); s != nil {
		declared = make(map[string]bool, len(s.Attributes))
		for _, n := range s.Attributes {
			declared[n] = true
		}
	}
	names := make([]string, 0, len(data))
	for n := range data {
		names = append(names, n)
	}
	sort.Slice(names, func(a, b int) bool {
		if declared[names[a]] != declared[names[b]] {
			return declared[names[a]]
		}
		return names[a] < names[b]
	})
	kept := make(map[string]any, len(data))
	var dropped []string
	size := len("{}")
	for _, n := range names {
		k, _ := json.Marshal(n)
		v, err := json.Marshal(data[n])
		grow := len(k) + len(":") + len(v)
		if len(kept) > 0 {
			grow += len(",")
		}
		if err != nil || size+grow > store.MaxEnrolmentEvent {
			dropped = append(dropped, n)
			continue
		}
		kept[n], size = data[n], size+grow
	}
	slices.Sort(dropped)
	if len(kept) == 0 {
		kept = nil
	}
	return kept, dropped
}
