package intake_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/piicheck"
	"github.com/journeys-oss/journeys/internal/store"
)

// TestLogsHoldNoPersonalData drives POST /events with a contact whose
// email, phone and name are canaries, by email and by id, accepted and
// rejected, and fails on any log line holding one of them.
func TestLogsHoldNoPersonalData(t *testing.T) {
	log, lines := piicheck.New()
	f := newLoggedFixture(t, log)
	granted := map[string]store.Consent{"email": {Status: store.ConsentGranted, Source: "test", At: f.clock.Now()}}
	if _, err := f.st.UpsertContact(context.Background(), bu, store.ContactPatch{ID: "c-7", Email: ptr(strings.ToLower(piicheck.Email)),
		Phone: ptr(piicheck.Phone), FirstName: ptr("Ada"), LastName: ptr("Canary"), Channels: granted}); err != nil {
		t.Fatal(err)
	}
	personal := map[string]any{"webinarId": webinarID, "phone": piicheck.Phone, "fullName": piicheck.Name, "email": piicheck.Email}
	signedBody := mustJSON(map[string]any{"bu": bu, "name": "webinar.registered", "id": "pii-signed", "email": piicheck.Email, "attributes": personal})
	tests := []struct {
		name   string
		body   []byte
		header http.Header
		status int
		logs   bool // whether the request writes a log line
	}{
		{"by email", mustJSON(map[string]any{"name": "webinar.registered", "id": "pii-1", "email": piicheck.Email, "attributes": personal}), bearer(apiKey), http.StatusOK, true},
		{"by email again", mustJSON(map[string]any{"name": "webinar.registered", "id": "pii-1", "email": piicheck.Email, "attributes": personal}), bearer(apiKey), http.StatusOK, false}, // a replay
		{"by id", mustJSON(map[string]any{"name": "webinar.attended", "id": "pii-2", "contact": "c-7", "attributes": personal}), bearer(apiKey), http.StatusOK, true},
		{"signed by email", signedBody, f.signed("msg_pii", f.clock.Now(), signedBody), http.StatusOK, true},
		{"unknown email", mustJSON(map[string]any{"name": "webinar.registered", "email": "ada.pii-canary+new@example.com"}), bearer(apiKey), http.StatusUnprocessableEntity, false},
		{"email and contact", mustJSON(map[string]any{"name": "webinar.registered", "email": piicheck.Email, "contact": "c-7"}), bearer(apiKey), http.StatusBadRequest, false},
		{"malformed email", mustJSON(map[string]any{"name": "webinar.registered", "email": "Ada Canary <" + piicheck.Email}), bearer(apiKey), 0, false},
		{"reserved name", mustJSON(map[string]any{"name": "email.opened", "email": piicheck.Email}), bearer(apiKey), http.StatusBadRequest, false},
		{"unknown key", mustJSON(map[string]any{"name": "webinar.registered", "email": piicheck.Email}), bearer("jk_nope"), http.StatusUnauthorized, false},
		{"wrong unit", mustJSON(map[string]any{"bu": "contoso", "name": "webinar.registered", "email": piicheck.Email}), bearer(apiKey), http.StatusForbidden, false},
		{"bad signature", signedBody, f.signed("msg_pii", f.clock.Now(), []byte("{}")), http.StatusUnauthorized, false},
	}
	// The cases are steps of one story, in order: a plain loop, not
	// subtests, as the fixture's helpers fail the test they were made for.
	for _, tc := range tests {
		lines.Reset()
		status, got := f.post(tc.body, tc.header)
		if tc.status != 0 && status != tc.status {
			t.Errorf("events %s: status %d (%v), want %d", tc.name, status, got, tc.status)
		}
		piicheck.Check(t, "events "+tc.name, lines, tc.logs)
	}
}
