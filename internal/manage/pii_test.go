package manage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/piicheck"
	"github.com/journeys-oss/journeys/internal/store"
)

// previewer answers previews as the render function does: a test send
// when To is set, failing with the provider's error when fail is.
type previewer struct{ fail bool }

func (p *previewer) Render(_ context.Context, req handler.RenderRequest) (handler.RenderResult, error) {
	if p.fail {
		return handler.RenderResult{}, fmt.Errorf("test send on email: %w", errors.New("provider answered 503"))
	}
	return handler.RenderResult{Template: req.Template, Subject: "Hello", Sent: req.Send}, nil
}

// TestLogsHoldNoPersonalData drives the management API's contact import
// (rows with canary emails, phones and names, good and bad), erasure, and
// previews with a canary sendTo address, and fails on any log line
// holding a canary.
func TestLogsHoldNoPersonalData(t *testing.T) {
	log, lines := piicheck.New()
	prev := &previewer{}
	f := newFixtureWith(t, manage.Config{}, fixtureOptions{log: log, previews: prev})
	f.publishWelcome(t, "c-1")
	ctx := context.Background()
	if _, err := f.st.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String(strings.ToLower(piicheck.Email)),
		Phone: store.String(piicheck.Phone), FirstName: store.String("Ada"), LastName: store.String("Canary")}); err != nil {
		t.Fatal(err)
	}
	csv := strings.Join([]string{
		"email,phone,firstName,lastName,consent.email,leadScore:number",
		piicheck.Email + "," + piicheck.Phone + ",Ada,Canary,granted,72",
		"other." + strings.ToLower(piicheck.Email) + "," + piicheck.Phone + ",Ada,Canary,granted," + piicheck.Phone,
		"Ada Canary <" + piicheck.Email + ">,,Ada,Canary,granted,1",
		piicheck.Email + ",not a phone " + piicheck.Phone + ",Ada,Canary,perhaps,1",
	}, "\n")
	preview := func(body map[string]any, want int) func(*testing.T) {
		return func(t *testing.T) {
			raw, _ := json.Marshal(body)
			if status, out := f.call(t, "POST", "/api/previews", f.bearer("ops"), raw); status != want {
				t.Errorf("preview %d (%s), want %d", status, out, want)
			}
		}
	}
	tests := []struct {
		name string
		do   func(*testing.T)
		logs bool // whether the request writes a log line
	}{
		{"import", func(t *testing.T) {
			status, out := f.call(t, "POST", "/api/contacts/import", map[string]string{"Authorization": "Bearer " + f.keys["ops"],
				"Content-Type": "text/csv"}, []byte(csv))
			if rep := decodeJSON[manage.ImportReport](t, out); status != http.StatusOK || rep.Updated != 1 || rep.Failed != 3 {
				t.Errorf("import %d: %s", status, out)
			}
		}, false},
		{"preview with sendTo", preview(map[string]any{"template": "welcome", "contact": "c-1", "sendTo": piicheck.Email,
			"values": map[string]any{"firstName": piicheck.Name, "phone": piicheck.Phone}}, http.StatusOK), true},
		{"preview fails", func(t *testing.T) {
			prev.fail = true
			defer func() { prev.fail = false }()
			preview(map[string]any{"template": "welcome", "sendTo": piicheck.Email}, http.StatusInternalServerError)(t)
		}, true},
		{"preview malformed", preview(map[string]any{"template": "welcome", "sendTo": piicheck.Email, "to": piicheck.Phone}, http.StatusBadRequest), false},
		{"erase", func(t *testing.T) {
			if status, out := f.call(t, "DELETE", "/api/contacts/c-1", f.bearer("ops"), nil); status != http.StatusOK {
				t.Errorf("erase %d: %s", status, out)
			}
		}, false},
	}
	// The cases are steps of one story, in order: a plain loop, not
	// subtests, as the fixture's helpers fail the test they were made for.
	for _, tt := range tests {
		lines.Reset()
		tt.do(t)
		piicheck.Check(t, "manage "+tt.name, lines, tt.logs)
	}
}
