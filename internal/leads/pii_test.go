package leads_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
	"github.com/journeys-oss/journeys/internal/piicheck"
)

// canaryLead is a lead whose name, email and plan answer (a phone number)
// are canaries.
func canaryLead(n int, consent bool) linkedin.Lead {
	l := makeLead(leadSpec{n: n, email: piicheck.Email, consent: consent, plan: piicheck.Phone})
	for i, a := range l.FormResponse.Answers {
		if a.QuestionID == 12 {
			l.FormResponse.Answers[i].AnswerDetails.TextQuestionAnswer.Answer = "Canary"
		}
	}
	return l
}

// TestLogsHoldNoPersonalData drives the LinkedIn webhook and the sync
// worker that fetches the lead with leads whose name, email and answers
// are canaries, and fails on any log line holding one of them.
func TestLogsHoldNoPersonalData(t *testing.T) {
	log, lines := piicheck.New()
	f := newLoggedFixture(t, log)
	first, second := canaryLead(1, true), canaryLead(2, false)
	f.li.AddLead(first)
	f.li.AddLead(second)
	post := func(body []byte, sig string) int {
		req, _ := http.NewRequest(http.MethodPost, f.webhook.URL, bytes.NewReader(body))
		req.Header.Set(linkedin.SignatureHeader, sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	notify := func(l linkedin.Lead, action string) func() {
		return func() {
			body := linkedintest.NotificationFor(l, action, f.clock.Now())
			if got := post(body, linkedin.Sign(clientSecret, body)); got != http.StatusOK {
				t.Errorf("notification answered %d", got)
			}
		}
	}
	tests := []struct {
		name string
		do   func()
	}{
		{"webhook created", notify(first, linkedin.ActionCreated)},
		{"sync created", func() {
			f.drain()
			if _, ok := f.contactByEmail(piicheck.Email); !ok {
				t.Error("the worker made no contact of the lead")
			}
		}},
		{"webhook duplicate", notify(first, linkedin.ActionCreated)},
		{"webhook second lead, same email", notify(second, linkedin.ActionCreated)},
		{"sync same email", f.drain},
		{"webhook bad signature", func() {
			body := linkedintest.NotificationFor(first, linkedin.ActionCreated, f.clock.Now())
			if got := post(body, linkedin.Sign("intruder", body)); got != http.StatusUnauthorized {
				t.Errorf("bad signature answered %d", got)
			}
		}},
		{"webhook deleted", notify(first, linkedin.ActionDeleted)},
		{"sync deleted", f.drain},
	}
	// The cases are steps of one story, in order: a plain loop, not
	// subtests, as the fixture's helpers fail the test they were made for.
	for _, tt := range tests {
		lines.Reset()
		tt.do()
		piicheck.Check(t, "linkedin "+tt.name, lines, true)
	}
	if _, ok := f.contactByEmail(piicheck.Email); ok {
		t.Error("the canary contact outlived the lead's deletion")
	}
}
