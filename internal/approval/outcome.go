package approval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Outcomes a flow's approval action gives (case-sensitive).
const (
	OutcomeApprove = "Approve"
	OutcomeReject  = "Reject"
)

// ErrMalformed is wrapped by ParseOutcome errors.
var ErrMalformed = errors.New("malformed approval outcome")

// An Outcome is what "Start and wait for an approval" gives a flow to post
// back. Fields this package does not keep (the responder's email, ids,
// tenant) are not even read.
type Outcome struct {
	Outcome   string     `json:"outcome"`
	Responses []Response `json:"responses"`
}

// A Response is one approver's answer.
type Response struct {
	Responder        Responder `json:"responder"`
	Comments         string    `json:"comments"`
	ResponseDate     string    `json:"responseDate"`
	ApproverResponse string    `json:"approverResponse"`
}

// Responder is who answered; only the display name is kept.
type Responder struct {
	DisplayName string `json:"displayName"`
}

// Limits on what is kept from a response.
const (
	maxDisplayName = 200
	maxComments    = 2000
	maxResponses   = 100
)

// ParseOutcome reads an outcome body strictly: one JSON object, outcome
// exactly "Approve" or "Reject", at most 100 responses, text fields valid
// UTF-8. Errors wrap ErrMalformed and quote no field values.
func ParseOutcome(body []byte) (Outcome, error) {
	var o Outcome
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&o); err != nil {
		return Outcome{}, fmt.Errorf("%w: not a JSON object of the documented shape", ErrMalformed)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Outcome{}, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	if o.Outcome != OutcomeApprove && o.Outcome != OutcomeReject {
		return Outcome{}, fmt.Errorf("%w: outcome must be %q or %q", ErrMalformed, OutcomeApprove, OutcomeReject)
	}
	if len(o.Responses) > maxResponses {
		return Outcome{}, fmt.Errorf("%w: more than %d responses", ErrMalformed, maxResponses)
	}
	for i, r := range o.Responses {
		if !utf8.ValidString(r.Responder.DisplayName) || !utf8.ValidString(r.Comments) {
			return Outcome{}, fmt.Errorf("%w: response %d is not UTF-8", ErrMalformed, i)
		}
	}
	return o, nil
}

// Approved reports whether the outcome approves.
func (o Outcome) Approved() bool { return o.Outcome == OutcomeApprove }

// decider returns the response that decided: the last one whose answer is
// the outcome (a flow's "first to respond" or "everyone must approve"
// ends on it), or the last response.
func (o Outcome) decider() Response {
	for i := len(o.Responses) - 1; i >= 0; i-- {
		if o.Responses[i].ApproverResponse == o.Outcome {
			return o.Responses[i]
		}
	}
	if len(o.Responses) > 0 {
		return o.Responses[len(o.Responses)-1]
	}
	return Response{}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
