package linkedin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"
)

// Notification types and lead actions as LinkedIn writes them.
const (
	TypeLeadAction = "LEAD_ACTION"
	ActionCreated  = "CREATED"
	ActionDeleted  = "DELETED"
)

// Lead types LinkedIn documents.
const (
	LeadTypeSponsored           = "SPONSORED"
	LeadTypeEvent               = "EVENT"
	LeadTypeCompany             = "COMPANY"
	LeadTypeOrganizationProduct = "ORGANIZATION_PRODUCT"
)

// ErrInvalidNotification is wrapped by every ParseNotification error.
var ErrInvalidNotification = errors.New("invalid LinkedIn notification")

// A FieldError names the offending field of a notification or lead. It
// wraps the sentinel of what was being parsed (ErrInvalidNotification or
// ErrInvalidLead). It never quotes personal data: only field names and
// reasons.
type FieldError struct {
	Field  string
	Reason string
	kind   error
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%v: %s", e.kind, e.Reason)
	}
	return fmt.Sprintf("%v: %s: %s", e.kind, e.Field, e.Reason)
}

// Unwrap returns the sentinel.
func (e *FieldError) Unwrap() error { return e.kind }

// A Notification is one LEAD_ACTION push.
type Notification struct {
	Type string
	// LeadID is the id inside LeadURN, the key for GET /rest/leadFormResponses/{id}.
	LeadID  string
	LeadURN string
	// Form is the form version the lead answered.
	Form             FormVersion
	Owner            Union
	AssociatedEntity Union // zero when absent
	LeadType         string
	Action           string
	OccurredAt       time.Time
}

// DedupeKey identifies a delivery for deduplication. LinkedIn documents no
// notification id and may deliver the same push twice, so the key is the lead
// and what happened to it.
func (n Notification) DedupeKey() string { return n.LeadURN + "|" + n.Action }

type wireNotification struct {
	Type                *string `json:"type"`
	LeadGenFormResponse *string `json:"leadGenFormResponse"`
	LeadGenForm         *string `json:"leadGenForm"`
	Owner               *Union  `json:"owner"`
	AssociatedEntity    *Union  `json:"associatedEntity"`
	LeadType            *string `json:"leadType"`
	LeadAction          *string `json:"leadAction"`
	OccurredAt          *int64  `json:"occurredAt"`
}

// ParseNotification reads a notification body strictly: every documented
// field must be present and well formed, type must be LEAD_ACTION, leadAction
// CREATED or DELETED, leadType one of the documented four. Unknown extra
// fields are ignored, since LinkedIn adds fields without a new version.
// Errors are *FieldError wrapping ErrInvalidNotification.
func ParseNotification(raw []byte) (Notification, error) {
	var w wireNotification
	if err := decodeStrict(raw, &w); err != nil {
		return Notification{}, &FieldError{Reason: err.Error(), kind: ErrInvalidNotification}
	}
	bad := func(field, reason string) (Notification, error) {
		return Notification{}, &FieldError{Field: field, Reason: reason, kind: ErrInvalidNotification}
	}
	switch {
	case w.Type == nil:
		return bad("type", "missing")
	case *w.Type != TypeLeadAction:
		return bad("type", fmt.Sprintf("%s is not %s", shown(*w.Type), TypeLeadAction))
	case w.LeadGenFormResponse == nil:
		return bad("leadGenFormResponse", "missing")
	case w.LeadGenForm == nil:
		return bad("leadGenForm", "missing")
	case w.Owner == nil || w.Owner.IsZero():
		return bad("owner", "missing")
	case w.LeadType == nil:
		return bad("leadType", "missing")
	case !knownLeadType(*w.LeadType):
		return bad("leadType", fmt.Sprintf("%s is not a documented lead type", shown(*w.LeadType)))
	case w.LeadAction == nil:
		return bad("leadAction", "missing")
	case *w.LeadAction != ActionCreated && *w.LeadAction != ActionDeleted:
		return bad("leadAction", fmt.Sprintf("%s is not CREATED or DELETED", shown(*w.LeadAction)))
	case w.OccurredAt == nil || *w.OccurredAt <= 0:
		return bad("occurredAt", "missing or not positive epoch milliseconds")
	}
	if !bytes.HasPrefix([]byte(*w.LeadGenFormResponse), []byte(leadURNPrefix)) {
		return bad("leadGenFormResponse", "not a leadGenFormResponse URN")
	}
	id, err := LeadIDFromURN(*w.LeadGenFormResponse)
	if err != nil {
		return bad("leadGenFormResponse", err.Error())
	}
	form, err := ParseFormVersion(*w.LeadGenForm)
	if err != nil {
		// Not err.Error(): it quotes the value, and the error is logged.
		return bad("leadGenForm", "not a versionedLeadGenForm URN with positive form id and version")
	}
	n := Notification{
		Type: *w.Type, LeadID: id, LeadURN: *w.LeadGenFormResponse, Form: form, Owner: *w.Owner,
		LeadType: *w.LeadType, Action: *w.LeadAction, OccurredAt: time.UnixMilli(*w.OccurredAt).UTC(),
	}
	if w.AssociatedEntity != nil {
		n.AssociatedEntity = *w.AssociatedEntity
	}
	return n, nil
}

// enumPattern is how LinkedIn's enum values look.
var enumPattern = regexp.MustCompile(`^[A-Z][A-Z_]{0,63}$`)

// shown quotes an unexpected enum value for an error message when it
// looks like an enum (a value LinkedIn added), and otherwise says only
// its length: errors get logged, and a value of another shape could be
// anything, personal data included.
func shown(v string) string {
	if enumPattern.MatchString(v) {
		return strconv.Quote(v)
	}
	return fmt.Sprintf("a value of %d bytes", len(v))
}

func knownLeadType(t string) bool {
	switch t {
	case LeadTypeSponsored, LeadTypeEvent, LeadTypeCompany, LeadTypeOrganizationProduct:
		return true
	}
	return false
}

// decodeStrict decodes one JSON object with nothing after it.
func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a JSON object of the documented shape: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}
