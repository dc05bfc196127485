package linkedin

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseNotificationDocumentedExample(t *testing.T) {
	n, err := ParseNotification(readTestdata(t, "notification.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := Notification{
		Type: "LEAD_ACTION", LeadID: "1a2b3c-4", LeadURN: "urn:li:leadGenFormResponse:1a2b3c-4",
		Form:             FormVersion{FormID: 1, Version: 1},
		Owner:            Union{Kind: "sponsoredAccount", URN: "urn:li:sponsoredAccount:123"},
		AssociatedEntity: Union{Kind: "sponsoredCreative", URN: "urn:li:sponsoredCreative:456"},
		LeadType:         "SPONSORED", Action: "CREATED",
		OccurredAt: time.UnixMilli(1686182358881).UTC(),
	}
	if diff := cmp.Diff(want, n); diff != "" {
		t.Errorf("notification (-want +got):\n%s", diff)
	}
	if got := n.DedupeKey(); got != "urn:li:leadGenFormResponse:1a2b3c-4|CREATED" {
		t.Errorf("DedupeKey = %q", got)
	}
}

func TestParseNotificationErrors(t *testing.T) {
	base := string(readTestdata(t, "notification.json"))
	replace := func(old, new string) string {
		if !strings.Contains(base, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(base, old, new, 1)
	}
	tests := []struct {
		name, body, field string
	}{
		{"not JSON", "{", ""},
		{"array", "[]", ""},
		{"trailing data", base + "{}", ""},
		{"wrong type", replace(`"LEAD_ACTION"`, `"ORGANIZATION_SOCIAL_ACTION"`), "type"},
		{"missing type", replace(`"type": "LEAD_ACTION",`, ``), "type"},
		{"missing lead", replace(`"leadGenFormResponse": "urn:li:leadGenFormResponse:1a2b3c-4",`, ``), "leadGenFormResponse"},
		{"lead not a URN", replace(`urn:li:leadGenFormResponse:1a2b3c-4`, `1a2b3c-4`), "leadGenFormResponse"},
		{"lead with bad characters", replace(`1a2b3c-4`, `1a2b/../c`), "leadGenFormResponse"},
		{"form not versioned", replace(`urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1,1)`, `urn:li:leadGenForm:1`), "leadGenForm"},
		{"form version zero", replace(`urn:li:leadGenForm:1,1)`, `urn:li:leadGenForm:1,0)`), "leadGenForm"},
		{"missing owner", replace(`"owner": {"sponsoredAccount": "urn:li:sponsoredAccount:123"},`, ``), "owner"},
		{"owner with two members", replace(`{"sponsoredAccount": "urn:li:sponsoredAccount:123"}`, `{"sponsoredAccount": "urn:li:sponsoredAccount:123", "organization": "urn:li:organization:1"}`), ""},
		{"unknown lead type", replace(`"SPONSORED"`, `"PROMOTED"`), "leadType"},
		{"unknown action", replace(`"CREATED"`, `"UPDATED"`), "leadAction"},
		{"missing occurredAt", replace(`, "occurredAt": 1686182358881`, ``), "occurredAt"},
		{"negative occurredAt", replace(`1686182358881`, `-1`), "occurredAt"},
		{"occurredAt as string", replace(`1686182358881`, `"1686182358881"`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNotification([]byte(tt.body))
			var fe *FieldError
			if !errors.Is(err, ErrInvalidNotification) || !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FieldError wrapping ErrInvalidNotification", err)
			}
			if fe.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tt.field, err)
			}
		})
	}
}

func TestParseNotificationIgnoresUnknownFields(t *testing.T) {
	body := strings.Replace(string(readTestdata(t, "notification.json")), `{"type"`, `{"newField": {"x": 1}, "type"`, 1)
	if _, err := ParseNotification([]byte(body)); err != nil {
		t.Fatalf("unknown field rejected: %v", err)
	}
}

func FuzzParseNotification(f *testing.F) {
	f.Add(readTestdata(f, "notification.json"))
	f.Add([]byte(`{"type":"LEAD_ACTION"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		n, err := ParseNotification(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidNotification) {
				t.Fatalf("error %v does not wrap ErrInvalidNotification", err)
			}
			return
		}
		if n.LeadID == "" || n.Form.FormID <= 0 || n.Owner.IsZero() || LeadURN(n.LeadID) != n.LeadURN {
			t.Fatalf("accepted an incomplete notification: %+v", n)
		}
	})
}
