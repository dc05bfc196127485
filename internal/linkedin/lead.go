package linkedin

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidLead is wrapped by every ParseLead error.
var ErrInvalidLead = errors.New("invalid LinkedIn lead")

// A Lead is a lead form response, in the shape GET /rest/leadFormResponses
// returns it. Field names follow LinkedIn's JSON.
type Lead struct {
	ID               string          `json:"id"`
	Owner            Union           `json:"owner"`
	Submitter        string          `json:"submitter,omitempty"`
	LeadType         string          `json:"leadType"`
	LeadMetadata     json.RawMessage `json:"leadMetadata,omitempty"`
	FormURN          string          `json:"versionedLeadGenFormUrn"`
	SubmittedAt      int64           `json:"submittedAt"` // epoch milliseconds
	TestLead         bool            `json:"testLead"`
	AssociatedEntity *Union          `json:"associatedEntity,omitempty"`
	FormResponse     FormResponse    `json:"formResponse"`
	// Form is the form version the lead answered, present when the request
	// asked for it with the form:(...) projection (Client.Lead does).
	Form *Form `json:"form,omitempty"`
}

// FormResponse holds a lead's answers and consent ticks.
type FormResponse struct {
	Answers          []Answer          `json:"answers"`
	ConsentResponses []ConsentResponse `json:"consentResponses,omitempty"`
}

// An Answer answers one question, by id.
type Answer struct {
	QuestionID    int64         `json:"questionId"`
	AnswerDetails AnswerDetails `json:"answerDetails"`
}

// AnswerDetails is a union: exactly one member is set.
type AnswerDetails struct {
	TextQuestionAnswer   *TextQuestionAnswer   `json:"textQuestionAnswer,omitempty"`
	MultipleChoiceAnswer *MultipleChoiceAnswer `json:"multipleChoiceAnswer,omitempty"`
}

// TextQuestionAnswer is free text.
type TextQuestionAnswer struct {
	Answer string `json:"answer"`
}

// MultipleChoiceAnswer lists chosen option ids of the question.
type MultipleChoiceAnswer struct {
	Options []int64 `json:"options"`
}

// ConsentResponse says whether one of the form's consents was ticked.
type ConsentResponse struct {
	ConsentID int64 `json:"consentId"`
	Accepted  bool  `json:"accepted"`
}

// Version parses FormURN.
func (l Lead) Version() (FormVersion, error) { return ParseFormVersion(l.FormURN) }

// Submitted returns SubmittedAt as a time.
func (l Lead) Submitted() time.Time { return time.UnixMilli(l.SubmittedAt).UTC() }

// ParseLead reads one lead strictly: id, versionedLeadGenFormUrn, owner,
// leadType and a positive submittedAt are required, and every answer must name
// a question. Unknown fields are ignored. Errors are *FieldError wrapping
// ErrInvalidLead.
func ParseLead(raw []byte) (Lead, error) {
	var l Lead
	if err := decodeStrict(raw, &l); err != nil {
		return Lead{}, &FieldError{Reason: err.Error(), kind: ErrInvalidLead}
	}
	if err := l.validate(); err != nil {
		return Lead{}, err
	}
	return l, nil
}

func (l Lead) validate() error {
	bad := func(field, reason string) error {
		return &FieldError{Field: field, Reason: reason, kind: ErrInvalidLead}
	}
	if id, err := LeadIDFromURN(l.ID); err != nil || id != l.ID {
		return bad("id", "missing or not a lead id")
	}
	if _, err := l.Version(); err != nil {
		return bad("versionedLeadGenFormUrn", err.Error())
	}
	if l.Owner.IsZero() {
		return bad("owner", "missing")
	}
	if l.LeadType == "" {
		return bad("leadType", "missing")
	}
	if l.SubmittedAt <= 0 {
		return bad("submittedAt", "missing or not positive epoch milliseconds")
	}
	for i, a := range l.FormResponse.Answers {
		if a.QuestionID == 0 {
			return bad(fmt.Sprintf("formResponse.answers[%d].questionId", i), "missing")
		}
	}
	if l.Form != nil {
		if err := l.Form.validate(); err != nil {
			return bad("form", err.Error())
		}
	}
	return nil
}
