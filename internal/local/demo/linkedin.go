package demo

import (
	"errors"
	"testing"

	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
)

// fakeLinkedIn is linkedintest's fake LinkedIn (the Lead Sync REST API,
// subscriptions validated with the challenge handshake, signed
// notifications) run outside a test. NewServer wants a testing.TB for
// Helper and Cleanup only; cleanups is that much of one, and Close runs
// what it registered.
type fakeLinkedIn struct {
	*linkedintest.Server
	tb *cleanups
}

func startLinkedIn(clientSecret string) (*fakeLinkedIn, error) {
	tb := &cleanups{}
	s := linkedintest.NewServer(tb, linkedintest.Options{ClientSecret: clientSecret, ValidateOnSubscribe: true})
	if s == nil {
		return nil, errors.New("the fake LinkedIn did not start")
	}
	s.AddForm(form())
	return &fakeLinkedIn{Server: s, tb: tb}, nil
}

// Close stops the server.
func (f *fakeLinkedIn) Close() {
	for i := len(f.tb.fns) - 1; i >= 0; i-- {
		f.tb.fns[i]()
	}
}

// cleanups implements the part of testing.TB that linkedintest.NewServer
// calls; any other method would panic on the nil embedded TB, and none is
// called.
type cleanups struct {
	testing.TB
	fns []func()
}

func (c *cleanups) Helper()          {}
func (c *cleanups) Cleanup(f func()) { c.fns = append(c.fns, f) }

// form is the welcome journey's lead form: name, email, company and an
// email consent (id 1).
func form() linkedin.Form {
	text := func(s string) linkedin.MultiLocaleString {
		return linkedin.MultiLocaleString{Localized: map[string]string{"en_US": s}}
	}
	q := func(id int64, name, predefined string) linkedin.Question {
		return linkedin.Question{QuestionID: id, Name: name, Question: text(name), PredefinedField: predefined,
			QuestionDetails: linkedin.QuestionDetails{TextQuestionDetails: &linkedin.TextQuestionDetails{MaxResponseLength: 300}}}
	}
	return linkedin.Form{
		ID: formID, VersionID: 1, Name: "Northwind trial", Owner: &linkedin.Union{Kind: "sponsoredAccount", URN: owner},
		CreationLocale: &linkedin.Locale{Country: "US", Language: "en"},
		Content: linkedin.FormContent{
			Questions: []linkedin.Question{q(11, "firstName", "FIRST_NAME"), q(12, "lastName", "LAST_NAME"), q(13, "email", "EMAIL"), q(14, "company", "COMPANY_NAME")},
			LegalInfo: &linkedin.LegalInfo{Consents: []linkedin.ConsentDef{{ID: 1, Consent: text("Email me about getting started")}}},
		},
	}
}
