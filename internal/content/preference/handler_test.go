package preference

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testCatalog(context.Context, string) (Catalog, error) {
	return Catalog{
		Topics: []Topic{
			{ID: "newsletter", Label: "Monthly newsletter", Description: "Product news and customer stories, once a month.", Default: true},
			{ID: "events", Label: "Webinars and events", Default: true},
			{ID: "offers", Label: "Offers", Default: false},
		},
		Channels: []Channel{{ID: "email", Label: "Email", Default: true}, {ID: "sms", Label: "Text messages (SMS)"}},
	}, nil
}

type fixture struct {
	h      *Handler
	store  *memStore
	links  *tracking.Links
	token  string
	now    time.Time
	server *httptest.Server
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	signer, err := tracking.NewSigner(tracking.Key{ID: "k1", Secret: []byte("preference test secret, 32 bytes")})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: &memStore{}, now: testNow}
	f.h, err = NewHandler(Config{Signer: signer, Store: f.store, Catalog: testCatalog, Brand: "Northwind Analytics", Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(tracking.UnsubscribePath, f.h)
	mux.Handle(tracking.PreferencesPath, f.h)
	f.server = httptest.NewServer(mux)
	t.Cleanup(f.server.Close)
	f.links, err = tracking.NewLinks(f.server.URL, signer, "")
	if err != nil {
		t.Fatal(err)
	}
	f.token, err = signer.Token(tracking.Subscriber{BU: "northwind", Contact: "c-81f2", Message: "msg-1", Topic: "newsletter"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func (f *fixture) do(t testing.TB, method, rawURL string, form url.Values, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	body := strings.NewReader("")
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var nonceRE = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

func TestPageShowsState(t *testing.T) {
	f := newFixture(t)
	_ = f.store.SetConsents(context.Background(), "northwind", "c-81f2", []Consent{{Scope: ScopeTopic, Name: "offers", Granted: true}})
	resp, body := f.do(t, "GET", f.links.Unsubscribe(f.token), nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`id="topic-newsletter" checked> Monthly newsletter`,
		`id="topic-offers" checked> Offers`,
		`id="topic-events" checked>`,
		`id="channel-email" checked> Email`,
		`id="channel-sms"> Text messages (SMS)`,
		`To stop “Monthly newsletter” emails`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for h, want := range map[string]string{"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if strings.Contains(body, "c-81f2") || strings.Contains(body, "northwind\n") {
		t.Errorf("page shows ids")
	}
	if len(f.store.changes()) != 1 {
		t.Errorf("GET changed consent: %v", f.store.changes())
	}
}

func TestSaveAndUnsubscribeAll(t *testing.T) {
	f := newFixture(t)
	pageURL := f.links.Preferences(f.token)
	_, body := f.do(t, "GET", pageURL, nil, nil)
	nonce := nonceRE.FindStringSubmatch(body)[1]
	f.now = f.now.Add(time.Minute)
	resp, _ := f.do(t, "POST", pageURL, url.Values{"nonce": {nonce}, "action": {"save"}, "topic": {"events", "offers"}, "channel": {"email"}}, nil)
	// Relative to the page the browser is on: the handler does not know
	// the prefix it is mounted under.
	if wantLoc := "?saved=1&t=" + url.QueryEscape(f.token); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != wantLoc {
		t.Fatalf("save: %d %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), wantLoc)
	}
	at := testNow.Add(time.Minute)
	want := []Consent{
		{Scope: ScopeTopic, Name: "newsletter", Granted: false, Source: SourcePage, At: at},
		{Scope: ScopeTopic, Name: "offers", Granted: true, Source: SourcePage, At: at},
	}
	if diff := cmp.Diff(want, f.store.changes()); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	resp, _ = f.do(t, "POST", pageURL, url.Values{"nonce": {nonce}, "action": {"unsubscribe-all"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unsubscribe all: %d", resp.StatusCode)
	}
	got, _ := f.store.Consents(context.Background(), "northwind", "c-81f2")
	for _, c := range got {
		if c.Granted {
			t.Errorf("after unsubscribe-all %s %s is still granted", c.Scope, c.Name)
		}
	}
	if len(got) != 4 { // sms was never on, so it has no record
		t.Errorf("want the 4 topics and channels that were on recorded off, got %v", got)
	}
}

func TestOneClick(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do(t, "POST", f.links.Unsubscribe(f.token), url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("one-click: %d %s", resp.StatusCode, body)
	}
	want := []Consent{{Scope: ScopeTopic, Name: "newsletter", Granted: false, Source: SourceOneClick, At: testNow}}
	if diff := cmp.Diff(want, f.store.changes()); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	tok, _ := f.h.cfg.Signer.Token(tracking.Subscriber{BU: "northwind", Contact: "c-9"})
	f.do(t, "POST", f.links.Unsubscribe(tok), url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
	if last := f.store.changes()[1]; last.Scope != ScopeChannel || last.Name != "email" || last.Granted {
		t.Errorf("one-click without topic = %+v, want email channel off", last)
	}
}

func TestRefused(t *testing.T) {
	f := newFixture(t)
	pageURL := f.links.Preferences(f.token)
	_, body := f.do(t, "GET", pageURL, nil, nil)
	nonce := nonceRE.FindStringSubmatch(body)[1]
	other, _ := f.h.cfg.Signer.Token(tracking.Subscriber{BU: "northwind", Contact: "c-other"})
	tests := []struct {
		name   string
		method string
		url    string
		form   url.Values
		hdr    map[string]string
		later  time.Duration
		status int
	}{
		{"no token", "GET", f.server.URL + tracking.PreferencesPath, nil, nil, 0, 400},
		{"tampered token", "GET", f.links.Preferences(f.token[:len(f.token)-2] + "AA"), nil, nil, 0, 400},
		{"form without nonce", "POST", pageURL, url.Values{"action": {"unsubscribe-all"}}, nil, 0, 403},
		{"nonce of another token", "POST", f.links.Preferences(other), url.Values{"nonce": {nonce}, "action": {"save"}}, nil, 0, 403},
		{"expired nonce", "POST", pageURL, url.Values{"nonce": {nonce}, "action": {"save"}}, nil, 25 * time.Hour, 403},
		{"cross-site form", "POST", pageURL, url.Values{"nonce": {nonce}, "action": {"save"}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, 0, 403},
		{"foreign origin", "POST", pageURL, url.Values{"nonce": {nonce}, "action": {"save"}}, map[string]string{"Origin": "https://evil.example"}, 0, 403},
		{"other method", "DELETE", pageURL, nil, nil, 0, 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.now = testNow.Add(tc.later)
			resp, _ := f.do(t, tc.method, tc.url, tc.form, tc.hdr)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
	if n := len(f.store.changes()); n != 0 {
		t.Errorf("refused requests changed consent: %v", f.store.changes())
	}
}
