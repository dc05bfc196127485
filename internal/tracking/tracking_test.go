package tracking_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/channel"
	ctracking "github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/tracking"
	"github.com/journeys-oss/journeys/internal/webhook"
)

type tasks struct {
	mu    sync.Mutex
	got   []string
	fails int // how many more calls are throttled
}

func (t *tasks) SendTaskSuccess(_ context.Context, token, output string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fails > 0 {
		t.fails--
		return errors.New("ThrottlingException: rate exceeded")
	}
	t.got = append(t.got, token+" "+output)
	return nil
}

type env struct {
	t      testing.TB
	st     *embedded.Store
	srv    *httptest.Server
	tasks  *tasks
	links  *handler.ContentRenderers
	secret []webhook.Secret
	now    time.Time
	// With envOptions.retry: the retry queue, its worker and the clock
	// both run on.
	clock   *asl.VirtualClock
	queue   *queue.Store
	retrier *tracking.Retrier
	worker  *queue.Worker
}

var now = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// envOptions vary newEnv: a store that fails some calls, a retry queue
// with its worker on a virtual clock, a sender in front of the queue.
type envOptions struct {
	store  func(*embedded.Store) retryStore
	retry  bool
	sender func(queue.Sender) queue.Sender
	log    *slog.Logger // the endpoint's logger (slog.Default when nil)
}

// retryStore is both the endpoint's store and the retrier's.
type retryStore interface {
	tracking.Store
	tracking.RetryStore
}

// noBackoff: the queue is the backoff under test, not Resumer's pauses.
func noBackoff(context.Context, int) error { return nil }

// Retry queue settings of the tests.
const (
	testMaxAttempts = 4
	testVisibility  = time.Minute
)

func newEnv(t testing.TB) *env { return newEnvWith(t, envOptions{}) }

func newEnvWith(t testing.TB, o envOptions) *env {
	t.Helper()
	dir := t.TempDir()
	clock := asl.NewVirtualClock(now)
	st, err := embedded.Open(filepath.Join(dir, "store.db"), store.Config{Now: clock.Now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var data retryStore = st
	if o.store != nil {
		data = o.store(st)
	}
	chSecret, _ := settings.GenerateSecret()
	vars := map[string]string{settings.EnvName("channel-email"): chSecret, settings.EnvName("key-acme"): "acme-tracking-key-0123456789",
		settings.EnvName("key-globex"): "globex-tracking-key-0123456789"}
	secrets := &settings.LocalSecrets{File: filepath.Join(dir, "s.yaml"), Getenv: func(k string) string { return vars[k] }, NoGenerate: true}
	for _, bu := range []string{"acme", "globex"} {
		src := fmt.Sprintf("businessUnit: %s\ntracking: {keys: [{id: k1, secret: key-%s}]}\nchannels:\n  email: {provider: webhook, url: 'https://mail.example/x', secret: channel-email}\n  sms: {provider: webhook, url: 'https://sms.example/x', secret: channel-email}\npreferences: {topics: [{id: news, label: News, default: true}]}\n", bu, bu)
		os.WriteFile(filepath.Join(dir, bu+".settings.yaml"), []byte(src), 0o600)
	}
	sd := settings.NewDir(dir)
	e := &env{t: t, st: st, tasks: &tasks{}, now: now, clock: clock}
	e.links = handler.NewContentRenderers(nil, sd, secrets, "https://t.example/t")
	e.secret, _ = webhook.ParseSecrets(chSecret)
	cfg := tracking.Config{Store: data, Links: e.links, Settings: sd, Secrets: secrets, Tasks: e.tasks,
		Now: clock.Now, ResumeBackoff: noBackoff, Logger: o.log}
	if o.retry {
		e.queue = queue.NewStore(st, "track-retry", queue.StoreOptions{Visibility: testVisibility, MaxAttempts: testMaxAttempts})
		cfg.Retry = e.queue
		if o.sender != nil {
			cfg.Retry = o.sender(e.queue)
		}
		e.retrier, err = tracking.NewRetrier(tracking.RetrierConfig{Store: data, Tasks: e.tasks, ResumeBackoff: noBackoff})
		if err != nil {
			t.Fatal(err)
		}
		e.worker = &queue.Worker{Receiver: e.queue, Handler: e.retrier.Handle, RetryBase: 10 * time.Second, RetryMax: time.Minute,
			Rand: func() float64 { return 0.5 }}
	}
	h, err := tracking.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(http.StripPrefix("/t", h))
	t.Cleanup(e.srv.Close)
	for _, bu := range []string{"acme", "globex"} {
		st.UpsertContact(context.Background(), bu, store.ContactPatch{ID: "c1", Email: store.String("ada-" + bu + "@example.com"), Phone: store.String("+4917000000")})
	}
	return e
}

func (e *env) link(bu string) *ctracking.Links {
	l, err := e.links.Links(context.Background(), bu)
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

// local rewrites a link of https://t.example/t to the test server.
func (e *env) local(u string) string { return strings.Replace(u, "https://t.example", e.srv.URL, 1) }

func ref(bu, exec string, test bool) channel.MessageRef {
	return channel.MessageRef{BU: bu, Contact: "c1", Journey: "welcome", Version: 1, Step: "hello", Exec: channel.ExecTag(exec, "hello"), Test: test}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t testing.TB, u string) *http.Response {
	t.Helper()
	resp, err := noRedirect.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func (e *env) kinds(bu string) []string {
	page, _ := e.st.ListInteractions(context.Background(), bu, "c1", store.InteractionQuery{})
	var out []string
	for _, i := range page.Items {
		out = append(out, i.Channel+"."+string(i.Kind))
	}
	sort.Strings(out) // interactions at one instant come in id order
	return out
}

func (e *env) wait(bu, exec, event string) {
	e.t.Helper()
	_, err := e.st.CreateCallback(context.Background(), bu, store.Callback{ID: "cb-" + event, Kind: store.CallbackEvent, Token: "tok-" + event,
		Execution: exec, Contact: "c1", Journey: "welcome", Step: "wait", Events: []string{event},
		Correlation: `{"` + event + `":{"send":"hello"}}`, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
}

func TestOpenAndClick(t *testing.T) {
	e := newEnv(t)
	e.wait("acme", "exec-1", "email.opened")
	e.wait("acme", "exec-1", "email.clicked")
	l := e.link("acme")
	m := ref("acme", "exec-1", false).String()
	for i := 0; i < 3; i++ { // duplicate opens: recorded, resume once
		if resp := get(t, e.local(l.Open(m))); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/gif" {
			t.Fatalf("open: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	dest := "https://acme.example/offer?utm=x&a=1"
	resp := get(t, e.local(l.Click(m, dest)))
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != dest {
		t.Fatalf("click: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	get(t, e.local(l.Click(m, dest)))
	want := []string{"tok-email.opened {\"event\":\"email.opened\",\"send\":\"hello\"}", "tok-email.clicked {\"event\":\"email.clicked\",\"send\":\"hello\"}"}
	if diff := cmp.Diff(want, e.tasks.got); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"email.clicked", "email.clicked", "email.opened", "email.opened", "email.opened"}, e.kinds("acme")); diff != "" {
		t.Errorf("interactions: %s", diff)
	}
}

// TestClickAfterAFailedResume: when Step Functions throttles every
// attempt to resume a wait, the contact is still redirected, the click is
// recorded, and the wait waits again: the next click resumes it on the
// click branch.
func TestClickAfterAFailedResume(t *testing.T) {
	e := newEnv(t)
	e.wait("acme", "exec-1", "email.clicked")
	l := e.link("acme")
	m := ref("acme", "exec-1", false).String()
	dest := "https://acme.example/offer"
	e.tasks.fails = handler.ResumeAttempts
	for i, want := range [][]string{nil, {"tok-email.clicked {\"event\":\"email.clicked\",\"send\":\"hello\"}"}} {
		resp := get(t, e.local(l.Click(m, dest)))
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != dest {
			t.Fatalf("click %d: %d to %q", i+1, resp.StatusCode, resp.Header.Get("Location"))
		}
		if diff := cmp.Diff(want, e.tasks.got); diff != "" {
			t.Errorf("after click %d, resumed (-want +got):\n%s", i+1, diff)
		}
		waiting, err := e.st.WaitingCallbacks(context.Background(), "acme", "c1", "email.clicked")
		if err != nil || len(waiting) != 1-i {
			t.Errorf("after click %d, waiting %+v, %v", i+1, waiting, err)
		}
	}
	if diff := cmp.Diff([]string{"email.clicked", "email.clicked"}, e.kinds("acme")); diff != "" {
		t.Errorf("interactions: %s", diff)
	}
}

func TestTamperedLinks(t *testing.T) {
	e := newEnv(t)
	l := e.link("acme")
	m := ref("acme", "exec-1", false).String()
	click := e.local(l.Click(m, "https://acme.example/offer"))
	evil := strings.Replace(click, url.QueryEscape("https://acme.example/offer"), url.QueryEscape("https://evil.example/"), 1)
	otherUnit := e.local(e.link("globex").Click(m, "https://acme.example/offer")) // globex's key, acme's message
	js := e.local(l.Click(m, "javascript:alert(1)"))
	tests := map[string]string{
		"changed destination":      evil,
		"no signature":             strings.Split(click, "&s=")[0],
		"signed by another unit":   otherUnit,
		"signed script url":        js,
		"open with a click's sig":  strings.Replace(click, "/t/c?", "/t/o?", 1),
		"unknown path":             e.srv.URL + "/t/x",
		"message of no known unit": e.local(l.Open(ref("nobody", "e", false).String())),
	}
	for name, u := range tests {
		t.Run(name, func(t *testing.T) {
			resp := get(t, u)
			if resp.StatusCode != 400 && resp.StatusCode != 404 || resp.Header.Get("Location") != "" {
				t.Errorf("%d, location %q; want 400/404 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
	if k := e.kinds("acme"); len(k) != 0 {
		t.Errorf("recorded %v", k)
	}
}

func TestTestSendsAreNotCounted(t *testing.T) {
	e := newEnv(t)
	l := e.link("acme")
	m := ref("acme", "exec-1", true).String()
	get(t, e.local(l.Open(m)))
	if resp := get(t, e.local(l.Click(m, "https://acme.example/"))); resp.StatusCode != http.StatusFound {
		t.Errorf("test click: %d", resp.StatusCode)
	}
	if k := e.kinds("acme"); len(k) != 0 {
		t.Errorf("a test send was recorded: %v", k)
	}
}

func (e *env) postStatus(ev channel.StatusEvent, id string, secrets []webhook.Secret) int {
	e.t.Helper()
	body, _ := json.Marshal(ev)
	r, _ := http.NewRequest("POST", e.srv.URL+"/t/status", bytes.NewReader(body))
	if err := webhook.SignHeaders(r.Header, secrets, id, now, body); err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestStatusCallbacks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := ref("acme", "exec-1", false).String()
	sms := channel.MessageRef{BU: "acme", Contact: "c1", Journey: "welcome", Version: 1, Step: "text", Exec: "x"}.String()
	e.st.AppendInteraction(ctx, "acme", store.Interaction{Contact: "c1", Kind: store.InteractionSent, Channel: "sms", At: now.Add(-time.Hour), Message: sms})
	wrong, _ := webhook.NewSecret(nil)
	tests := []struct {
		name    string
		ev      channel.StatusEvent
		id      string
		secrets []webhook.Secret
		want    int
	}{
		{"delivered", channel.StatusEvent{Type: channel.TypeStatus, ID: m, Status: channel.EventDelivered}, "s1", e.secret, 204},
		{"replayed", channel.StatusEvent{Type: channel.TypeStatus, ID: m, Status: channel.EventDelivered}, "s1", e.secret, 409},
		{"bad signature", channel.StatusEvent{Type: channel.TypeStatus, ID: m, Status: channel.EventBounced, Bounce: "hard"}, "s2", []webhook.Secret{wrong}, 401},
		{"soft bounce", channel.StatusEvent{Type: channel.TypeStatus, ID: m, Status: channel.EventBounced, Bounce: "soft"}, "s3", e.secret, 204},
		{"hard bounce of an sms", channel.StatusEvent{Type: channel.TypeStatus, ID: sms, Status: channel.EventBounced, Bounce: "hard"}, "s4", e.secret, 204},
		{"complaint", channel.StatusEvent{Type: channel.TypeStatus, ID: m, Status: channel.EventComplained}, "s5", e.secret, 204},
		{"test send", channel.StatusEvent{Type: channel.TypeStatus, ID: ref("acme", "e", true).String(), Status: channel.EventComplained}, "s6", e.secret, 204},
		{"not an event", channel.StatusEvent{Type: "other", ID: m}, "s7", e.secret, 400},
		{"unknown message", channel.StatusEvent{Type: channel.TypeStatus, ID: "junk", Status: "delivered"}, "s8", e.secret, 400},
	}
	for _, tt := range tests {
		if got := e.postStatus(tt.ev, tt.id, tt.secrets); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
	want := []string{"email.bounced", "email.complained", "email.delivered", "sms.bounced", "sms.sent"}
	if diff := cmp.Diff(want, e.kinds("acme")); diff != "" {
		t.Errorf("interactions (-want +got):\n%s", diff)
	}
	for kind, addr := range map[store.AddressKind]string{store.AddressEmail: "ada-acme@example.com", store.AddressPhone: "+4917000000"} {
		if _, err := e.st.GetSuppression(ctx, "acme", kind, addr); err != nil {
			t.Errorf("%s not suppressed: %v", kind, err)
		}
	}
	if _, err := e.st.GetSuppression(ctx, "globex", store.AddressEmail, "ada-globex@example.com"); err == nil {
		t.Error("globex's address was suppressed by acme's callback")
	}
}

func TestOneClickUnsubscribe(t *testing.T) {
	e := newEnv(t)
	l := e.link("acme")
	tok, err := l.Signer.Token(ctracking.Subscriber{BU: "acme", Contact: "c1", Message: "m", Topic: "news"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(e.local(l.Unsubscribe(tok)), url.Values{"List-Unsubscribe": {"One-Click"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("one-click: %v %v", resp, err)
	}
	c, _ := e.st.GetContact(context.Background(), "acme", "c1")
	if c.Topics["news"].Status != store.ConsentDenied {
		t.Errorf("topic consent %+v", c.Topics)
	}
	if diff := cmp.Diff([]string{".unsubscribed"}, e.kinds("acme")); diff != "" {
		t.Error(diff)
	}
	if resp := get(t, e.local(l.Preferences(tok))); resp.StatusCode != 200 {
		t.Errorf("preference page: %d", resp.StatusCode)
	}
	if resp := get(t, e.srv.URL+"/t/preferences?t=garbage"); resp.StatusCode != 400 {
		t.Errorf("garbage token: %d", resp.StatusCode)
	}
}
