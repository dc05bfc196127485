package linkedin

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func baseMapping() Mapping {
	return Mapping{
		Default: FormMapping{
			Questions:    map[string]string{"Team size": "teamSize", "807234246": "project"},
			HiddenFields: map[string]string{"utm_campaign": "campaign"},
			Consents:     map[int64]ConsentTarget{0: {Channel: "email", Topic: "newsletter"}, 1: {Channel: "sms", Topic: "offers"}},
		},
	}
}

func TestMapDocumentedLead(t *testing.T) {
	got, err := baseMapping().Map(testLead(t), testForm(t))
	if err != nil {
		t.Fatal(err)
	}
	want := MappedLead{
		LeadID:      "249592fc-d272-44ba-a7db-c2bdce579507-6",
		Form:        FormVersion{FormID: 7234246, Version: 1},
		SubmittedAt: time.UnixMilli(1689894599288).UTC(),
		LeadType:    "SPONSORED",
		Owner:       Union{Kind: "sponsoredAccount", URN: "urn:li:sponsoredAccount:1234567"},
		Test:        true,
		Attributes: map[string]string{
			"firstName": "Ada", "lastName": "Lovelace", "email": "someone@example.com",
			"company": "Analytical Engines Ltd", "teamSize": "1-10", "project": "Q3 budget", "campaign": "spring-launch",
		},
		Consents: []Consent{{ConsentID: 0, Channel: "email", Topic: "newsletter", Text: "Send me the newsletter by email"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mapped lead (-want +got):\n%s", diff)
	}
}

func TestMapCases(t *testing.T) {
	tests := []struct {
		name     string
		mapping  func(*Mapping)
		lead     func(*Lead)
		form     func(*Form)
		attrs    map[string]string // checked keys only; "" means absent
		consents []int64
		problems []string
		noEmail  bool
	}{
		{
			name: "custom question by id overrides predefined",
			mapping: func(m *Mapping) {
				m.Default.Questions["407234246"] = "organisation"
			},
			attrs: map[string]string{"organisation": "Analytical Engines Ltd", "company": ""},
		},
		{
			name:     "unmapped custom question",
			mapping:  func(m *Mapping) { delete(m.Default.Questions, "Team size") },
			attrs:    map[string]string{"teamSize": ""},
			problems: []string{`custom question 707234246 ("Team size") has no mapping`},
		},
		{
			name: "per-form mapping adds to default",
			mapping: func(m *Mapping) {
				m.Forms = map[int64]FormMapping{7234246: {Questions: map[string]string{"Team size": "headcount"}}}
			},
			attrs: map[string]string{"headcount": "1-10", "teamSize": "", "project": "Q3 budget"},
		},
		{
			name:  "multiple choice, several options, form locale",
			lead:  func(l *Lead) { l.FormResponse.Answers[4].AnswerDetails.MultipleChoiceAnswer.Options = []int64{2, 0} },
			form:  func(f *Form) { f.CreationLocale = &Locale{Language: "fr", Country: "FR"} },
			attrs: map[string]string{"teamSize": "51 et plus; 1 à 10"},
		},
		{
			name:     "unknown option id",
			lead:     func(l *Lead) { l.FormResponse.Answers[4].AnswerDetails.MultipleChoiceAnswer.Options = []int64{9} },
			attrs:    map[string]string{"teamSize": ""},
			problems: []string{"question 707234246: option 9 is not in form version urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)"},
		},
		{
			name: "text answer to multiple choice question",
			lead: func(l *Lead) {
				l.FormResponse.Answers[4].AnswerDetails = AnswerDetails{TextQuestionAnswer: &TextQuestionAnswer{Answer: "lots"}}
			},
			attrs:    map[string]string{"teamSize": ""},
			problems: []string{"question 707234246 is multiple choice but got a text answer"},
		},
		{
			name: "unknown question id",
			lead: func(l *Lead) {
				l.FormResponse.Answers = append(l.FormResponse.Answers, Answer{QuestionID: 999, AnswerDetails: AnswerDetails{TextQuestionAnswer: &TextQuestionAnswer{Answer: "x"}}})
			},
			problems: []string{"answer to question 999, which form version urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1) does not have"},
		},
		{
			name: "consent accepted and not accepted",
			lead: func(l *Lead) {
				l.FormResponse.ConsentResponses = []ConsentResponse{{ConsentID: 1, Accepted: true}, {ConsentID: 0, Accepted: false}}
			},
			consents: []int64{1},
		},
		{
			name:     "accepted consent without mapping is not granted",
			mapping:  func(m *Mapping) { delete(m.Default.Consents, 0) },
			consents: nil,
			problems: []string{"consent 0 was accepted but has no mapping"},
		},
		{
			name:     "consent not in form",
			lead:     func(l *Lead) { l.FormResponse.ConsentResponses = []ConsentResponse{{ConsentID: 7, Accepted: true}} },
			problems: []string{"consent 7 is not in form version urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)"},
		},
		{
			name:     "no consent responses means no consent",
			lead:     func(l *Lead) { l.FormResponse.ConsentResponses = nil },
			consents: nil,
		},
		{
			name:     "no email",
			lead:     func(l *Lead) { l.FormResponse.Answers = l.FormResponse.Answers[:2] },
			attrs:    map[string]string{"email": "", "firstName": "Ada"},
			problems: []string{"lead has no email address"},
			noEmail:  true,
		},
		{
			name:     "email that is not an address",
			lead:     func(l *Lead) { l.FormResponse.Answers[2].AnswerDetails.TextQuestionAnswer.Answer = "ada at example" },
			attrs:    map[string]string{"email": ""},
			problems: []string{"email answer is not an address", "lead has no email address"},
			noEmail:  true,
		},
		{
			name:  "work email fills a missing email",
			form:  func(f *Form) { f.Content.Questions[2].PredefinedField = "WORK_EMAIL" },
			attrs: map[string]string{"email": "someone@example.com", "workEmail": "someone@example.com"},
		},
		{
			name:     "unknown predefined field",
			form:     func(f *Form) { f.Content.Questions[3].PredefinedField = "FAVOURITE_COLOUR" },
			attrs:    map[string]string{"company": ""},
			problems: []string{"question 407234246 has predefined field FAVOURITE_COLOUR, which has no mapping"},
		},
		{
			name:     "unmapped hidden field",
			form:     func(f *Form) { f.HiddenFields = append(f.HiddenFields, HiddenField{Name: "adset", Value: "a1"}) },
			problems: []string{`hidden field "adset" has no mapping`},
		},
		{
			name:     "two sources for one attribute",
			mapping:  func(m *Mapping) { m.Default.HiddenFields["utm_campaign"] = "project" },
			attrs:    map[string]string{"project": "Q3 budget"},
			problems: []string{`attribute project set by question 807234246 and hidden field "utm_campaign"; kept the first`},
		},
		{
			name: "test lead flag off",
			lead: func(l *Lead) { l.TestLead = false },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, lead, form := baseMapping(), testLead(t), testForm(t)
			if tt.mapping != nil {
				tt.mapping(&m)
			}
			if tt.lead != nil {
				tt.lead(&lead)
			}
			if tt.form != nil {
				tt.form(&form)
			}
			got, err := m.Map(lead, form)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.attrs {
				if got.Attributes[k] != v {
					t.Errorf("attribute %s = %q, want %q", k, got.Attributes[k], v)
				}
			}
			if tt.consents != nil || tt.name == "accepted consent without mapping is not granted" || tt.name == "no consent responses means no consent" {
				var ids []int64
				for _, c := range got.Consents {
					ids = append(ids, c.ConsentID)
				}
				if diff := cmp.Diff(tt.consents, ids); diff != "" {
					t.Errorf("consents (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tt.problems, got.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if got.MissingEmail != tt.noEmail {
				t.Errorf("MissingEmail = %v, want %v", got.MissingEmail, tt.noEmail)
			}
			if got.Test != lead.TestLead {
				t.Errorf("Test = %v, want %v", got.Test, lead.TestLead)
			}
		})
	}
}

func TestMapFormVersionMismatch(t *testing.T) {
	form := testForm(t)
	form.VersionID = 2
	_, err := baseMapping().Map(testLead(t), form)
	var fve *FormVersionError
	if !errors.As(err, &fve) || !errors.Is(err, ErrFormVersion) {
		t.Fatalf("err = %v, want FormVersionError", err)
	}
	if fve.Want != (FormVersion{7234246, 1}) || fve.Got != (FormVersion{7234246, 2}) {
		t.Errorf("versions = %+v", fve)
	}
}
