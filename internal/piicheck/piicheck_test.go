package piicheck_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/piicheck"
)

func TestLeaks(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string // the form found; "" for none
	}{
		{"ids only", `{"msg":"event","bu":"acme","contact":"c-1"}`, ""},
		{"email", `{"error":"no contact ada.pii-canary@example.com"}`, "ada.pii-canary@example.com"},
		{"email as given", `{"email":"Ada.PII-Canary@Example.com"}`, "ada.pii-canary@example.com"},
		{"escaped at", `{"email":"ada.pii-canary\u0040example.com"}`, "ada.pii-canary@example.com"},
		{"local part", `{"who":"ada.pii-canary"}`, "ada.pii-canary"},
		{"phone", `{"phone":"+44 7700 900123"}`, "+44 7700 900123"},
		{"e164", `{"phone":"+447700900123"}`, "+447700900123"},
		{"national", `{"phone":"07700 900123"}`, "7700 900123"},
		{"name", `{"name":"Ada Canary"}`, "ada canary"},
		{"last name", `{"name":"CANARY"}`, "canary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			if l := piicheck.Leaks([]string{tt.line}); len(l) > 0 {
				got = l[0].Form
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("form (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewLogsJSONAtDebug(t *testing.T) {
	log, l := piicheck.New()
	log.Debug("hello", "contact", "c-1")
	if got := l.Lines(); len(got) != 1 || !cmp.Equal(piicheck.Leaks(got), []piicheck.Leak(nil)) {
		t.Fatalf("lines = %q", got)
	}
	log.Info("oops", "email", piicheck.Email)
	if n := len(piicheck.Leaks(l.Lines())); n != 1 {
		t.Errorf("%d leaks, want 1", n)
	}
	l.Reset()
	if got := l.Lines(); got != nil {
		t.Errorf("after Reset: %q", got)
	}
}
