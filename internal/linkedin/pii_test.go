package linkedin_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/piicheck"
)

// TestHandlerLogsHoldNoPersonalData posts notifications to the webhook,
// some signed ones carrying canary values where LinkedIn puts enums, and
// fails on any log line holding one of them. (The lead's own data is
// fetched by the sync worker: internal/leads proves its logs.)
func TestHandlerLogsHoldNoPersonalData(t *testing.T) {
	body := string(notificationBody(t))
	with := func(old, new string) string { return strings.Replace(body, old, new, 1) }
	tests := []struct {
		name   string
		body   string
		secret string
		status int
	}{
		{"accepted", body, "app-secret", 200},
		{"bad signature", with(`"CREATED"`, `"`+piicheck.Email+`"`), "intruder", 401},
		{"email as action", with(`"CREATED"`, `"`+piicheck.Email+`"`), "app-secret", 400},
		{"name as type", with(`"LEAD_ACTION"`, `"`+piicheck.Name+`"`), "app-secret", 400},
		{"phone as lead type", with(`"SPONSORED"`, `"`+piicheck.Phone+`"`), "app-secret", 400},
		{"email as lead urn", with(`urn:li:leadGenFormResponse:1a2b3c-4`, piicheck.Email), "app-secret", 400},
		{"email as form", with(`urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1,1)`, "urn:li:versionedLeadGenForm:"+piicheck.Email), "app-secret", 400},
		{"phone as time", with(`1686182358881`, `"`+piicheck.Phone+`"`), "app-secret", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, lines := piicheck.New()
			h, err := linkedin.NewHandler(linkedin.HandlerOptions{ClientSecrets: []string{"app-secret"}, Inbox: &memInbox{}, Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			req.Header.Set(linkedin.SignatureHeader, linkedin.Sign(tt.secret, []byte(tt.body)))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("status %d (%s), want %d", rec.Code, rec.Body, tt.status)
			}
			piicheck.Check(t, "linkedin webhook "+tt.name, lines, true)
		})
	}
}

// TestParseNotificationQuotesOnlyEnums: an unexpected enum value is named
// in the error (LinkedIn added one), any other value only by its length.
func TestParseNotificationQuotesOnlyEnums(t *testing.T) {
	body := string(notificationBody(t))
	tests := []struct {
		name, action, want string
	}{
		{"new enum", `"UPDATED"`, `invalid LinkedIn notification: leadAction: "UPDATED" is not CREATED or DELETED`},
		{"email", `"` + piicheck.Email + `"`, `invalid LinkedIn notification: leadAction: a value of 26 bytes is not CREATED or DELETED`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := linkedin.ParseNotification([]byte(strings.Replace(body, `"CREATED"`, tt.action, 1)))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
}
