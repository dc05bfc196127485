package linkedin_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
)

// memInbox records accepted notifications and dedupes on DedupeKey.
type memInbox struct {
	mu   sync.Mutex
	seen map[string]bool
	raws [][]byte
	fail error
}

func (m *memInbox) Accept(_ context.Context, n linkedin.Notification, raw []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return false, m.fail
	}
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	if m.seen[n.DedupeKey()] {
		return true, nil
	}
	m.seen[n.DedupeKey()] = true
	m.raws = append(m.raws, append([]byte(nil), raw...))
	return false, nil
}

func (m *memInbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.raws)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newWebhook(t *testing.T, inbox *memInbox, secrets ...string) *httptest.Server {
	t.Helper()
	h, err := linkedin.NewHandler(linkedin.HandlerOptions{ClientSecrets: secrets, Inbox: inbox, MaxBody: 4096, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func notificationBody(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "notification.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHandlerChallenge(t *testing.T) {
	srv := newWebhook(t, &memInbox{}, "app-secret", "old-secret")
	snd := &linkedintest.Sender{ClientSecret: "app-secret", ChallengeCode: "4bb1a2d1-ae51-4e0a-9e68-0d0d1b2b8f2a"}
	if err := snd.Validate(context.Background(), srv.URL+"/linkedin?tenant=acme"); err != nil {
		t.Fatalf("LinkedIn-style validation failed: %v", err)
	}
	resp, err := http.Get(srv.URL + "?challengeCode=4bb1a2d1-ae51-4e0a-9e68-0d0d1b2b8f2a")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	json.NewDecoder(resp.Body).Decode(&got)
	if got["challengeResponse"] != "e0956e9da3c35076eccf76ae2683a03361e325aa2cdfd354d054b21b74995836" {
		t.Errorf("challengeResponse = %q", got["challengeResponse"])
	}
	wrong := &linkedintest.Sender{ClientSecret: "other"}
	if err := wrong.Validate(context.Background(), srv.URL); err == nil {
		t.Error("validation with another app's secret passed")
	}
	for _, q := range []string{"", "?challengeCode=", "?challengeCode=" + strings.Repeat("a", 300)} {
		resp, err := http.Get(srv.URL + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %q: status %d, want 400", q, resp.StatusCode)
		}
	}
}

func TestHandlerNotifications(t *testing.T) {
	body := notificationBody(t)
	post := func(t *testing.T, url, sig string, body []byte) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
		if sig != "" {
			req.Header.Set(linkedin.SignatureHeader, sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	malformed := []byte(`{"type": "LEAD_ACTION", "leadAction": "CREATED"`)
	unknownAction := []byte(strings.Replace(string(body), `"CREATED"`, `"UPDATED"`, 1))
	tests := []struct {
		name     string
		sig      string
		body     []byte
		status   int
		stored   int
		inboxErr error
	}{
		{"signed, bare hex", linkedin.Sign("app-secret", body), body, 200, 1, nil},
		{"signed, with prefix", "hmacsha256=" + linkedin.Sign("app-secret", body), body, 200, 1, nil},
		{"signed with the old secret", linkedin.Sign("old-secret", body), body, 200, 1, nil},
		{"wrong secret", linkedin.Sign("intruder", body), body, 401, 0, nil},
		{"tampered body", linkedin.Sign("app-secret", body), append([]byte(" "), body...), 401, 0, nil},
		{"no signature", "", body, 401, 0, nil},
		{"oversize", linkedin.Sign("app-secret", []byte(strings.Repeat("x", 5000))), []byte(strings.Repeat("x", 5000)), 413, 0, nil},
		{"malformed JSON", linkedin.Sign("app-secret", malformed), malformed, 400, 0, nil},
		{"unknown action", linkedin.Sign("app-secret", unknownAction), unknownAction, 400, 0, nil},
		{"inbox fails", linkedin.Sign("app-secret", body), body, 500, 0, errors.New("store down")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inbox := &memInbox{fail: tt.inboxErr}
			srv := newWebhook(t, inbox, "app-secret", "old-secret")
			status, _ := post(t, srv.URL, tt.sig, tt.body)
			if status != tt.status {
				t.Fatalf("status = %d, want %d", status, tt.status)
			}
			if inbox.count() != tt.stored {
				t.Fatalf("inbox holds %d, want %d", inbox.count(), tt.stored)
			}
			if tt.stored == 1 && string(inbox.raws[0]) != string(body) {
				t.Error("inbox did not get the raw body byte for byte")
			}
		})
	}
}

func TestHandlerDuplicateAndMethods(t *testing.T) {
	inbox := &memInbox{}
	srv := newWebhook(t, inbox, "app-secret")
	snd := &linkedintest.Sender{ClientSecret: "app-secret", WithPrefix: true}
	body := notificationBody(t)
	for i, want := range []int{200, 200} {
		status, err := snd.Notify(context.Background(), srv.URL, body)
		if err != nil || status != want {
			t.Fatalf("delivery %d: %d, %v", i+1, status, err)
		}
	}
	if inbox.count() != 1 {
		t.Errorf("inbox holds %d after a repeated delivery, want 1", inbox.count())
	}
	req, _ := http.NewRequest(http.MethodPut, srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d, want 405", resp.StatusCode)
	}
}

func TestNewHandlerRequiresSecretAndInbox(t *testing.T) {
	if _, err := linkedin.NewHandler(linkedin.HandlerOptions{Inbox: &memInbox{}}); err == nil {
		t.Error("no secret: want error")
	}
	if _, err := linkedin.NewHandler(linkedin.HandlerOptions{ClientSecrets: []string{"s"}}); err == nil {
		t.Error("no inbox: want error")
	}
}
