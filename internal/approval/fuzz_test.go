package approval_test

import (
	"errors"
	"net/url"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/approval/flowtest"
)

// FuzzParseOutcome: no panic; an accepted body has one of the two
// outcomes and UTF-8 text; every refusal wraps ErrMalformed.
func FuzzParseOutcome(f *testing.F) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	f.Add(flowtest.OutcomeBody(flowtest.Decision{Outcome: "Approve", Responder: "A", Email: "a@example.com", Comments: "ok"}, now))
	f.Add(flowtest.OutcomeBody(flowtest.Decision{Outcome: "Reject"}, now))
	f.Add([]byte(`{"outcome":"Approve","responses":[]}`))
	f.Add([]byte(`{"outcome":"approve"}`))
	f.Add([]byte(`{"outcome":"Approve","responses":[{"responder":{"displayName":"\ud800"}}]}`))
	f.Add([]byte(`{"outcome":"Reject"} trailing`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		o, err := approval.ParseOutcome(body)
		if err != nil {
			if !errors.Is(err, approval.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if o.Outcome != approval.OutcomeApprove && o.Outcome != approval.OutcomeReject {
			t.Fatalf("accepted outcome %q", o.Outcome)
		}
		for _, r := range o.Responses {
			if !utf8.ValidString(r.Responder.DisplayName) || !utf8.ValidString(r.Comments) {
				t.Fatal("accepted text that is not UTF-8")
			}
		}
	})
}

// FuzzCallbackURL: a query is accepted only with the signature made for
// exactly its business unit, id and expiry, under one of the keys.
func FuzzCallbackURL(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	older := []byte("fedcba9876543210fedcba9876543210")
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	good, _ := approval.CallbackURL("https://api.example.com/approvals/callback", key, "northwind", "ap-1", now.Add(time.Hour))
	u, _ := url.Parse(good)
	f.Add(u.RawQuery)
	rotated, _ := approval.CallbackURL("https://api.example.com/approvals/callback", older, "northwind", "ap-2", now.Add(time.Hour))
	u, _ = url.Parse(rotated)
	f.Add(u.RawQuery)
	f.Add("bu=northwind&id=ap-1&exp=1&sig=x")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		target, err := approval.CheckCallbackURL(q, [][]byte{key, older}, now)
		if err != nil {
			return
		}
		for _, k := range [][]byte{key, older} {
			again, _ := approval.CallbackURL("https://x/", k, target.BU, target.ID, target.Expires)
			if au, _ := url.Parse(again); au.Query().Get("sig") == q.Get("sig") {
				return
			}
		}
		t.Fatalf("accepted %q with a signature not made for it", raw)
	})
}
