package demo

import (
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
)

// startLinkedIn starts linkedintest's fake LinkedIn (the Lead Sync REST
// API, subscriptions validated with the challenge handshake, signed
// notifications) with the demo's form.
func startLinkedIn(clientSecret string) (*linkedintest.Server, error) {
	s, err := linkedintest.Start(linkedintest.Options{ClientSecret: clientSecret, ValidateOnSubscribe: true})
	if err != nil {
		return nil, err
	}
	s.AddForm(form())
	return s, nil
}

// consentOffers is the id of the form's "send me offers" checkbox, which
// the business unit's settings (linkedin.mapping.consents) map to the
// offers topic.
const consentOffers = 2

// form is the welcome journey's lead form: name, email, company, an email
// consent (id 1) and an offers consent (id 2).
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
			LegalInfo: &linkedin.LegalInfo{Consents: []linkedin.ConsentDef{
				{ID: 1, Consent: text("Email me about getting started and the monthly newsletter")},
				{ID: consentOffers, Consent: text("Send me offers")},
			}},
		},
	}
}
