package tracking_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/channel"
	ctracking "github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// snapshot is what an inbound body may change for a contact: its
// interactions, its consents and the suppression of its addresses.
type snapshot struct {
	Interactions int
	Topics       map[string]store.Consent
	Channels     map[string]store.Consent
	Suppressed   []string
}

func (e *env) snapshot(t *testing.T, bu, contact string) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	page, err := e.st.ListInteractions(ctx, bu, contact, store.InteractionQuery{Limit: store.MaxLimit})
	if err == nil {
		s.Interactions = len(page.Items)
	}
	if c, err := e.st.GetContact(ctx, bu, contact); err == nil {
		s.Topics, s.Channels = c.Topics, c.Channels
		for kind, addr := range map[store.AddressKind]string{store.AddressEmail: c.Email, store.AddressPhone: c.Phone} {
			if _, err := e.st.GetSuppression(ctx, bu, kind, addr); addr != "" && err == nil {
				s.Suppressed = append(s.Suppressed, string(kind))
			}
		}
	}
	return s
}

// serve runs one request through the endpoint in-process (a panic fails
// the fuzz run) and returns the status.
func (e *env) serve(r *http.Request) int {
	w := httptest.NewRecorder()
	e.srv.Config.Handler.ServeHTTP(w, r)
	return w.Code
}

// FuzzStatusCallback posts provider status callbacks, signed with the
// channel secret or not, built from fields (to reach past the message id)
// or raw. No panic; an answer is 204 or a 4xx, never a 5xx; an unsigned or
// malformed body is a 4xx, and a 4xx stores nothing for the contacts it
// names.
func FuzzStatusCallback(f *testing.F) {
	e := newEnv(f)
	f.Add([]byte(nil), "acme", "c1", "delivered", "", "", true)
	f.Add([]byte(nil), "acme", "c1", "bounced", "hard", "2026-11-30T09:00:00Z", true)
	f.Add([]byte(nil), "acme", "c1", "complained", "", "", false)
	f.Add([]byte(nil), "globex", "c1", "bounced", "soft", "yesterday", true)
	f.Add([]byte(nil), "acme", "c 1/x", "delivered", "", "", true)
	f.Add([]byte(nil), "nowhere", "c1", "delivered", "", "", true)
	f.Add([]byte(`{"type":"message.status","id":"junk"}`), "", "", "", "", "", true)
	f.Add([]byte(`{"type":"message.status","id":`), "", "", "", "", "", true)
	f.Add([]byte(`[]`), "", "", "", "", "", true)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, raw []byte, bu, contact, status, bounce, at string, signed bool) {
		body, ref := raw, channel.MessageRef{BU: bu, Contact: contact, Journey: "welcome", Version: 1, Step: "hello", Exec: "x"}
		if len(raw) == 0 {
			body, _ = json.Marshal(channel.StatusEvent{Type: channel.TypeStatus, ID: ref.String(), Status: status, Bounce: bounce, At: at})
		}
		var ev channel.StatusEvent
		wellFormed := json.Unmarshal(body, &ev) == nil && ev.Type == channel.TypeStatus
		named, err := channel.ParseMessageRef(ev.ID)
		wellFormed = wellFormed && err == nil
		watched := [][2]string{{"acme", "c1"}, {"globex", "c1"}}
		if err == nil {
			watched = append(watched, [2]string{named.BU, named.Contact})
		}
		before := make([]snapshot, len(watched))
		for i, w := range watched {
			before[i] = e.snapshot(t, w[0], w[1])
		}
		r := httptest.NewRequest(http.MethodPost, "/t/status", bytes.NewReader(body))
		if signed {
			if err := webhook.SignHeaders(r.Header, e.secret, fmt.Sprintf("fz-%d", n.Add(1)), now, body); err != nil {
				t.Fatal(err)
			}
		}
		code := e.serve(r)
		switch {
		case code != http.StatusNoContent && (code < 400 || code > 499):
			t.Fatalf("status %d for %q", code, body)
		case code == http.StatusNoContent && (!signed || !wellFormed):
			t.Fatalf("accepted an unsigned or malformed callback (signed %v): %q", signed, body)
		case code == http.StatusNoContent:
			return
		}
		for i, w := range watched {
			if diff := cmp.Diff(before[i], e.snapshot(t, w[0], w[1])); diff != "" {
				t.Fatalf("refused callback (%d) changed %s/%s (-before +after):\n%s", code, w[0], w[1], diff)
			}
		}
	})
}

// nonceField finds the form nonce in the preference page.
var nonceField = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// FuzzPreferencePost posts form bodies to the unsubscribe URL of a valid
// token, with the nonce the page served or without. No panic; the answer
// is 200 (one-click), 303 (saved) or a 4xx; a 4xx changes nothing, and
// no consent outside the unit's catalogue (topic news, no channels) is
// ever written.
func FuzzPreferencePost(f *testing.F) {
	e := newEnv(f)
	l := e.link("acme")
	tok, err := l.Signer.Token(ctracking.Subscriber{BU: "acme", Contact: "c1", Message: "m", Topic: "news"})
	if err != nil {
		f.Fatal(err)
	}
	target := strings.TrimPrefix(l.Unsubscribe(tok), "https://t.example")
	w := httptest.NewRecorder()
	e.srv.Config.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(l.Preferences(tok), "https://t.example"), nil))
	m := nonceField.FindSubmatch(w.Body.Bytes())
	if w.Code != http.StatusOK || m == nil {
		f.Fatalf("preference page: %d, nonce found %v", w.Code, m != nil)
	}
	nonce := string(m[1])
	f.Add("List-Unsubscribe=One-Click", "application/x-www-form-urlencoded", false)
	f.Add("action=save&topic=news", "application/x-www-form-urlencoded", true)
	f.Add("action=unsubscribe-all", "application/x-www-form-urlencoded", true)
	f.Add("action=save&topic=other&channel=fax", "application/x-www-form-urlencoded", true)
	f.Add("action=save&topic=news", "application/x-www-form-urlencoded", false)
	f.Add("%zz=1;topic", "application/x-www-form-urlencoded", true)
	f.Add("--b\r\nContent-Disposition: form-data; name=\"topic\"\r\n\r\nnews\r\n--b--", "multipart/form-data; boundary=b", true)
	f.Fuzz(func(t *testing.T, form, contentType string, withNonce bool) {
		if withNonce {
			form += "&nonce=" + nonce
		}
		before := e.snapshot(t, "acme", "c1")
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form))
		r.Header.Set("Content-Type", contentType)
		code := e.serve(r)
		after := e.snapshot(t, "acme", "c1")
		switch {
		case code != http.StatusOK && code != http.StatusSeeOther && (code < 400 || code > 499):
			t.Fatalf("status %d for %q (%s)", code, form, contentType)
		case code >= 400:
			if diff := cmp.Diff(before, after); diff != "" {
				t.Fatalf("refused form (%d) changed the contact (-before +after):\n%s", code, diff)
			}
		}
		for name := range after.Topics {
			if name != "news" {
				t.Fatalf("consent to topic %q, not in the catalogue", name)
			}
		}
		if diff := cmp.Diff(before.Channels, after.Channels); diff != "" {
			t.Fatalf("channel consents changed, none is in the catalogue (-before +after):\n%s", diff)
		}
	})
}
