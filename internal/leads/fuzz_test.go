package leads_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/store"
)

// FuzzParseMessage reads lead queue bodies (the SQS message the worker is
// handed, or a dead letter put back): no panic; every refusal wraps
// ErrBadMessage; an accepted message has a valid action, business unit and
// lead id, and reads back the same once written again.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(`{"v":1,"bu":"northwind","lead":"1a2b3c-4","action":"CREATED","form":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1,1)","owner":"urn:li:sponsoredAccount:1","leadType":"SPONSORED","occurredAt":"2026-11-29T10:00:00Z","receivedAt":"2026-11-29T10:00:01Z","source":"webhook"}`))
	f.Add([]byte(`{"v":1,"bu":"northwind","lead":"urn:li:leadGenFormResponse:1a2b3c-4","action":"DELETED"}`))
	f.Add([]byte(`{"v":2,"bu":"northwind","lead":"x","action":"CREATED"}`))
	f.Add([]byte(`{"v":1,"bu":"north wind","lead":"x","action":"CREATED"}`))
	f.Add([]byte(`{"v":1,"bu":"northwind","lead":"x","action":"created","occurredAt":"yesterday"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := leads.ParseMessage(body)
		if err != nil {
			if !errors.Is(err, leads.ErrBadMessage) {
				t.Fatalf("error %v does not wrap ErrBadMessage", err)
			}
			return
		}
		if m.Action != linkedin.ActionCreated && m.Action != linkedin.ActionDeleted {
			t.Fatalf("accepted action %q", m.Action)
		}
		if store.CheckID("bu", m.BU) != nil {
			t.Fatalf("accepted business unit %q", m.BU)
		}
		if id, err := linkedin.LeadIDFromURN(linkedin.LeadURN(m.Lead)); err != nil || id != m.Lead {
			t.Fatalf("accepted lead id %q", m.Lead)
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := leads.ParseMessage(again)
		if err != nil {
			t.Fatalf("written again, the message is refused: %v", err)
		}
		if diff := cmp.Diff(m, back); diff != "" {
			t.Fatalf("written again, the message reads differently (-first +again):\n%s", diff)
		}
	})
}
