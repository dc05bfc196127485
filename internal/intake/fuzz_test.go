package intake_test

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/store"
)

// FuzzParseEvent: no panic; every refusal wraps ErrInvalidEvent; an
// accepted event has a usable name, id and contact and no json.Number left.
func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"name":"webinar.registered","id":"reg-1","contact":"c-1","attributes":{"webinarId":"w","seats":2,"tags":["a",1.5]}}`))
	f.Add([]byte(`{"bu":"northwind","name":"shop.visited","email":"a@example.com","correlation":"order-1","occurredAt":"2026-12-01T09:00:00Z"}`))
	f.Add([]byte(`{"name":"email.opened","contact":"c-1"}`))
	f.Add([]byte(`{"name":"a","contact":"c#1"}`))
	f.Add([]byte(`{"name":"a","contact":"c-1"} {}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		ev, err := intake.ParseEvent(body)
		if err != nil {
			if !errors.Is(err, intake.ErrInvalidEvent) {
				t.Fatalf("error %v does not wrap ErrInvalidEvent", err)
			}
			return
		}
		if ev.Name == "" || len(ev.Name) > intake.MaxNameLength || !utf8.ValidString(ev.Name) {
			t.Fatalf("accepted name %q", ev.Name)
		}
		if ev.ID != "" && store.CheckID("event", "i-ev-"+ev.ID) != nil {
			t.Fatalf("accepted id %q that cannot key an interaction", ev.ID)
		}
		if (ev.Contact == "") == (ev.Email == "") {
			t.Fatal("accepted an event without exactly one contact reference")
		}
		checkPlain(t, ev.Attributes)
	})
}

func checkPlain(t *testing.T, v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			checkPlain(t, e)
		}
	case []any:
		for _, e := range x {
			checkPlain(t, e)
		}
	case string, float64, bool, nil:
	default:
		t.Fatalf("attribute value of type %T", v)
	}
}
