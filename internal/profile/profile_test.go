package profile_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/segment"
	"github.com/journeys-oss/journeys/internal/store"
)

func TestAttributes(t *testing.T) {
	at := time.Date(2026, 2, 2, 5, 15, 0, 0, time.UTC)
	c := store.Contact{
		ID: "c-1", Email: "amelia@example.com", FirstName: "Amelia", LifecycleStage: "sql", Owner: "u-1",
		Attributes: map[string]store.Value{
			"leadScore":  store.NumberValue(24),
			"signedUpAt": store.TimeValue(at),
			"interests":  {Kind: store.KindList, List: []string{"forecasting"}},
			"vip":        store.BoolValue(true),
		},
	}
	want := map[string]any{
		"email": "amelia@example.com", "firstName": "Amelia", "lifecycleStage": "sql", "owner": "u-1",
		"leadScore": 24.0, "signedUpAt": at, "interests": []string{"forecasting"}, "vip": true,
	}
	if diff := cmp.Diff(want, profile.Attributes(c)); diff != "" {
		t.Fatalf("Attributes (-want +got):\n%s", diff)
	}
}

func TestInteractions(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	in := []store.Interaction{
		{Kind: store.InteractionOpened, Channel: "email", At: at, Journey: "welcome", Detail: map[string]string{"template": "welcome-intro"}},
		{Kind: store.InteractionDelivered, Channel: "sms", At: at},
		{Kind: store.InteractionCustom, At: at, Detail: map[string]string{"event": "webinar.attended"}},
		{Kind: store.InteractionFormSubmitted, At: at, Detail: map[string]string{"form": "urn:li:leadGenForm:1"}},
	}
	want := []segment.Interaction{
		{Type: "email.opened", Channel: "email", At: at, Journey: "welcome", Template: "welcome-intro"},
		{Type: "sms.delivered", Channel: "sms", At: at},
		{Type: "webinar.attended", At: at},
		{Type: "form.submitted", At: at, Form: "urn:li:leadGenForm:1"},
	}
	if diff := cmp.Diff(want, profile.Interactions(in)); diff != "" {
		t.Fatalf("Interactions (-want +got):\n%s", diff)
	}
}

// TestContactFieldsRoundTrip: every own field Attributes names is one that
// store.ContactPatch.SetField writes to the contact itself, and back.
func TestContactFieldsRoundTrip(t *testing.T) {
	full := store.Contact{Email: "a@example.com", Phone: "+4917", FirstName: "A", LastName: "B", Company: "C", JobTitle: "D",
		Country: "DE", Timezone: "Europe/Berlin", Locale: "de", Owner: "u-1", LifecycleStage: "lead"}
	for name := range profile.Attributes(full) {
		t.Run(name, func(t *testing.T) {
			var p store.ContactPatch
			if !store.IsContactField(name) || !p.SetField(name, "x") {
				t.Fatalf("%s is not a contact field for store.ContactPatch", name)
			}
			got := profile.Attributes(store.Contact{}.Apply(p, time.Time{}))
			if diff := cmp.Diff(map[string]any{name: "x"}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	var p store.ContactPatch
	if store.IsContactField("plan") || p.SetField("plan", "x") || !cmp.Equal(p, store.ContactPatch{}) {
		t.Error("a custom attribute name set a contact field")
	}
}
