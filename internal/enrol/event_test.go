package enrol_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/store"
)

// TestEnrolmentKeepsEvent: the trigger event's attributes are kept on the
// enrolment (never in the execution input), the webinar trigger's
// declared ones first when they do not all fit.
func TestEnrolmentKeepsEvent(t *testing.T) {
	declared := map[string]any{
		"webinarId":       "nw-2026-12-forecasting",
		"webinarTitle":    "Forecasting with confidence",
		"webinarStartsAt": "2026-12-10T15:00:00Z",
		"joinUrl":         "https://webinars.northwind.example/j/8841?pw=Ada",
	}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for _, m := range []map[string]any{declared, extra} {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	big := func(n int) string { return strings.Repeat("x", n) }
	for _, tt := range []struct {
		name    string
		journey string
		data    map[string]any
		kept    map[string]any
		dropped []string
	}{
		{"everything fits", "webinar", with(map[string]any{"seats": 2.0, "source": "partner"}), with(map[string]any{"seats": 2.0, "source": "partner"}), nil},
		{"declared first, then by name while they fit", "webinar",
			with(map[string]any{"aaa": big(8100), "abstract": big(7000), "zz": big(2000)}),
			with(map[string]any{"abstract": big(7000)}), []string{"aaa", "zz"}},
		{"one too big for the rest", "webinar", with(map[string]any{"webinarTitle": big(store.MaxEnrolmentEvent)}),
			map[string]any{"webinarId": declared["webinarId"], "webinarStartsAt": declared["webinarStartsAt"], "joinUrl": declared["joinUrl"]}, []string{"webinarTitle"}},
		{"no event", "welcome", nil, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			r := enrol.Request{BU: bu, Journey: tt.journey, Contact: "c-ok", Entry: "ev-1"}
			if tt.data != nil {
				r.Event, r.EventName, r.EventData = "ev-1", "webinar.registered", tt.data
			}
			out, err := f.e.Enrol(ctx, r)
			if err != nil || out.Status != enrol.Enrolled {
				t.Fatalf("enrol: %+v, %v", out, err)
			}
			if diff := cmp.Diff(tt.dropped, out.Dropped); diff != "" {
				t.Errorf("dropped (-want +got):\n%s", diff)
			}
			en, err := f.st.GetEnrolment(ctx, bu, tt.journey, "c-ok", "ev-1")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.kept, en.Event); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
			input := f.starts.inputs[enrol.ExecutionName(bu, tt.journey, "c-ok", "ev-1")]
			if input == "" || strings.Contains(input, "Forecasting") || strings.Contains(input, "pw=Ada") {
				t.Errorf("execution input %s: want ids only", input)
			}
		})
	}
}
