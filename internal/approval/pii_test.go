package approval_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/approval/flowtest"
	"github.com/journeys-oss/journeys/internal/piicheck"
	"github.com/journeys-oss/journeys/internal/store"
)

// TestLogsHoldNoPersonalData requests approvals for a contact whose name
// and email are canaries and posts Power Automate outcomes whose responder
// (responses[].responder) is one, accepted and refused, failing on any log
// line holding a canary.
func TestLogsHoldNoPersonalData(t *testing.T) {
	log, lines := piicheck.New()
	f := newLoggedFixture(t, flowtest.Options{}, log)
	ctx := context.Background()
	if _, err := f.st.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: ptr(piicheck.Email), Phone: ptr(piicheck.Phone),
		FirstName: ptr("Ada"), LastName: ptr("Canary")}); err != nil {
		t.Fatal(err)
	}
	responder := flowtest.Decision{Outcome: approval.OutcomeApprove, Responder: piicheck.Name, Email: piicheck.Email,
		Comments: "call " + piicheck.Phone}
	var first, second flowtest.Request
	post := func(req *flowtest.Request, body []byte, want int) func() {
		return func() {
			r, _ := http.NewRequest(http.MethodPost, req.CallbackURL, bytes.NewReader(body))
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("callback answered %d, want %d", resp.StatusCode, want)
			}
		}
	}
	outcome := flowtest.OutcomeBody(responder, f.clock.Now())
	tests := []struct {
		name string
		do   func()
		logs bool // whether the call writes a log line
	}{
		{"request", func() { first = f.request("token-1") }, true},
		{"approved", post(&first, outcome, http.StatusOK), true},
		{"decided again", post(&first, outcome, http.StatusConflict), false},
		{"resume fails", func() {
			second = f.request("token-2")
			f.tasks.fail = errors.New("ThrottlingException: rate exceeded")
			post(&second, outcome, http.StatusServiceUnavailable)()
			f.tasks.fail = nil
		}, true},
		{"malformed outcome", post(&second, bytes.Replace(outcome, []byte(`"outcome"`), []byte(`"outcome":"`+piicheck.Email+`","x"`), 1), http.StatusBadRequest), false},
		{"tampered url", func() {
			bad := second
			bad.CallbackURL += "x"
			post(&bad, outcome, http.StatusUnauthorized)()
		}, false},
	}
	// The cases are steps of one story, in order: a plain loop, not
	// subtests, as the fixture's helpers fail the test they were made for.
	for _, tt := range tests {
		lines.Reset()
		tt.do()
		piicheck.Check(t, "approval "+tt.name, lines, tt.logs)
	}
}
