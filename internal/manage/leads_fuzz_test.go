package manage

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
)

// FuzzParseBackfill: any body is either refused with a 400 *bodyError or
// gives 1 to MaxBackfillLeads leads, each of which the Inbox can derive a
// notification from; never a panic.
func FuzzParseBackfill(f *testing.F) {
	lead := `{"id":"lead-1","owner":{"sponsoredAccount":"urn:li:sponsoredAccount:1"},"leadType":"SPONSORED",` +
		`"versionedLeadGenFormUrn":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:42,1)","submittedAt":1767268800000`
	for _, seed := range []string{
		`{"leads":[` + lead + `}]}`,
		`{"leads":[` + lead + `,"testLead":true,"associatedEntity":{"sponsoredCreative":"urn:li:sponsoredCreative:9"},` +
			`"formResponse":{"answers":[{"questionId":7,"answerDetails":{"textQuestionAnswer":{"answer":"Ada"}}}]}}]}`,
		`{"leads":[]}`,
		`{"leads":[null]}`,
		`{"leads":[` + lead + `}]} []`,
		`{"leads":[{"id":"lead-1","owner":{"a":"b","c":"d"}}]}`,
		`{"leads":[` + lead + `,"submittedAt":-1}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > MaxBackfillBytes {
			return
		}
		page, err := parseBackfill(raw)
		if err != nil {
			var be *bodyError
			if !errors.As(err, &be) || be.status != http.StatusBadRequest {
				t.Fatalf("error %v is not a 400 body error", err)
			}
			return
		}
		if len(page) == 0 || len(page) > MaxBackfillLeads {
			t.Fatalf("%d leads accepted", len(page))
		}
		for _, l := range page {
			n, err := leads.NotificationFor(l)
			if err != nil || n.LeadID != l.ID || n.Owner.IsZero() {
				t.Fatalf("lead %q gives notification %+v, %v", l.ID, n, err)
			}
		}
	})
}

// TestBackfillBodyCarriesIDsOnly: the client sends what the server derives
// the notification from, never the lead's answers, and the server reads it
// back to the same notification.
func TestBackfillBodyCarriesIDsOnly(t *testing.T) {
	l := linkedin.Lead{
		ID: "lead-1", Owner: linkedin.Union{Kind: "sponsoredAccount", URN: "urn:li:sponsoredAccount:1"}, LeadType: linkedin.LeadTypeSponsored,
		FormURN: linkedin.FormVersion{FormID: 42, Version: 3}.URN(), SubmittedAt: 1767268800000, TestLead: true,
		Submitter:        "urn:li:person:secret",
		AssociatedEntity: &linkedin.Union{Kind: "sponsoredCreative", URN: "urn:li:sponsoredCreative:9"},
		LeadMetadata:     json.RawMessage(`{"sponsoredLeadMetadata":{"campaign":"urn:li:sponsoredCampaign:5"}}`),
		FormResponse: linkedin.FormResponse{Answers: []linkedin.Answer{{QuestionID: 7,
			AnswerDetails: linkedin.AnswerDetails{TextQuestionAnswer: &linkedin.TextQuestionAnswer{Answer: "ada@example.com"}}}}},
	}
	raw, err := json.Marshal(backfillBody([]linkedin.Lead{l}))
	if err != nil {
		t.Fatal(err)
	}
	page, err := parseBackfill(raw)
	if err != nil || len(page) != 1 {
		t.Fatalf("parse %s: %v", raw, err)
	}
	if len(page[0].FormResponse.Answers) != 0 || page[0].Submitter != "" || page[0].LeadMetadata != nil {
		t.Errorf("the body carries more than ids: %s", raw)
	}
	want, _ := leads.NotificationFor(l)
	got, err := leads.NotificationFor(page[0])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notification (-sent +received):\n%s", diff)
	}
}
