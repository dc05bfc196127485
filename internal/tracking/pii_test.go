package tracking_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	ctracking "github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/piicheck"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

var nonceRE = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// TestLogsHoldNoPersonalData drives every tracking path for a contact
// whose email, phone and name are canaries (and a click whose destination
// carries the email) and fails on any log line holding one of them.
func TestLogsHoldNoPersonalData(t *testing.T) {
	log, lines := piicheck.New()
	e := newEnvWith(t, envOptions{log: log, retry: true})
	ctx := context.Background()
	if _, err := e.st.UpsertContact(ctx, "acme", store.ContactPatch{ID: "c1", Email: store.String(strings.ToLower(piicheck.Email)),
		Phone: store.String(piicheck.Phone), FirstName: store.String("Ada"), LastName: store.String("Canary")}); err != nil {
		t.Fatal(err)
	}
	e.wait("acme", "exec-1", "email.opened")
	e.wait("acme", "exec-1", "email.clicked")
	l := e.link("acme")
	m := ref("acme", "exec-1", false).String()
	sms := channel.MessageRef{BU: "acme", Contact: "c1", Journey: "welcome", Version: 1, Step: "text", Exec: "x"}.String()
	e.st.AppendInteraction(ctx, "acme", store.Interaction{Contact: "c1", Kind: store.InteractionSent, Channel: "sms", At: now.Add(-time.Hour), Message: sms})
	tok, err := l.Signer.Token(ctracking.Subscriber{BU: "acme", Contact: "c1", Message: m, Topic: "news"})
	if err != nil {
		t.Fatal(err)
	}
	wrong, _ := webhook.NewSecret(nil)
	dest := "https://acme.example/offer?email=" + url.QueryEscape(piicheck.Email) + "&name=" + url.QueryEscape(piicheck.Name)
	status := func(ev channel.StatusEvent, id string, secrets []webhook.Secret) func() int {
		return func() int { return e.postStatus(ev, id, secrets) }
	}
	tests := []struct {
		name string
		do   func() int
		want int
		logs bool // whether the request writes a log line
	}{
		{"open pixel", func() int { return get(t, e.local(l.Open(m))).StatusCode }, 200, true},
		{"click redirect", func() int { return get(t, e.local(l.Click(m, dest))).StatusCode }, http.StatusFound, true},
		{"tampered click", func() int {
			return get(t, strings.Replace(e.local(l.Click(m, dest)), "offer", "other", 1)).StatusCode
		}, 400, false},
		{"one-click unsubscribe", func() int {
			resp, err := http.PostForm(e.local(l.Unsubscribe(tok)), url.Values{"List-Unsubscribe": {"One-Click"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}, 200, false},
		{"preference page post", func() int { return e.postPreferences(l.Preferences(tok)) }, http.StatusSeeOther, false},
		{"delivered", status(channel.StatusEvent{Type: channel.TypeStatus, ID: m, Status: channel.EventDelivered, Reason: piicheck.Email}, "p1", e.secret), 204, false},
		{"email hard bounce", status(channel.StatusEvent{Type: channel.TypeStatus, ID: m, Status: channel.EventBounced, Bounce: "hard",
			Reason: "550 " + piicheck.Email + " unknown"}, "p2", e.secret), 204, true},
		{"sms complaint", status(channel.StatusEvent{Type: channel.TypeStatus, ID: sms, Status: channel.EventComplained}, "p3", e.secret), 204, true},
		{"failed", status(channel.StatusEvent{Type: channel.TypeStatus, ID: m, Status: "failed", Reason: piicheck.Phone}, "p4", e.secret), 204, true},
		{"bad signature", status(channel.StatusEvent{Type: channel.TypeStatus, ID: m, Status: channel.EventBounced, Bounce: "hard"}, "p5", []webhook.Secret{wrong}), 401, false},
	}
	// The cases are steps of one story, in order: a plain loop, not
	// subtests, as the fixture's helpers fail the test they were made for.
	for _, tt := range tests {
		lines.Reset()
		if got := tt.do(); got != tt.want {
			t.Errorf("track %s: status %d, want %d", tt.name, got, tt.want)
		}
		piicheck.Check(t, "track "+tt.name, lines, tt.logs)
	}
	if _, err := e.st.GetSuppression(ctx, "acme", store.AddressPhone, "+447700900123"); err != nil {
		t.Errorf("the canary phone is not suppressed (did the complaint run?): %v", err)
	}
}

// postPreferences loads the preference page at link and saves it with
// every topic off, as the form does.
func (e *env) postPreferences(link string) int {
	e.t.Helper()
	page := e.local(link)
	resp, err := http.Get(page)
	if err != nil {
		e.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	nonce := nonceRE.FindSubmatch(body)
	if nonce == nil {
		e.t.Fatalf("preference page has no form nonce: %d", resp.StatusCode)
	}
	resp, err = noRedirect.PostForm(page, url.Values{"nonce": {string(nonce[1])}, "action": {"unsubscribe-all"}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
