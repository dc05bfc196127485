package manage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/workflow/workflowtest"
)

const bu = "northwind"

// principalHeader stands in for the API Gateway request context in tests:
// the Identity option reads the IAM principal from it.
const principalHeader = "X-Test-Principal"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

// now advances a millisecond per reading, so audit entries sort in the
// order they were written.
func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *clock) sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return nil
}

type fixture struct {
	st     *embedded.Store
	api    *workflowtest.Memory
	clock  *clock
	svc    *manage.Service
	srv    *httptest.Server
	keys   map[string]string // name → secret
	enrol  *enrol.Enroller
	starts *launches
	inbox  *leads.Inbox // routes northwindOwner to northwind, contosoOwner to contoso
	leadQ  *queue.Store
}

// The LinkedIn owners of the fixture's business units.
const (
	northwindOwner = "urn:li:sponsoredAccount:1001"
	contosoOwner   = "urn:li:sponsoredAccount:2002"
)

type launches struct {
	mu    sync.Mutex
	calls []string
}

func (l *launches) StartLaunch(_ context.Context, bu, id, launchID, by string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, bu+"/"+id+"/"+launchID+"/"+by)
	return "exec-" + launchID, nil
}

func newFixture(t *testing.T, cfg manage.Config) *fixture {
	t.Helper()
	return newFixtureWith(t, cfg, fixtureOptions{})
}

// fixtureOptions vary newFixtureWith: a logger for the service and the
// handler (discarded when nil), a previewer.
type fixtureOptions struct {
	log      *slog.Logger
	previews manage.Previewer
}

func newFixtureWith(t *testing.T, cfg manage.Config, o fixtureOptions) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}, keys: map[string]string{}, starts: &launches{}}
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: f.clock.now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st, f.api = st, workflowtest.New(f.clock.now)
	fns := map[string]string{}
	for name, fn := range compile.Placeholders {
		fns[name] = "arn:aws:lambda:us-east-1:123456789012:function:journeys-" + fn
	}
	quiet := o.log
	if quiet == nil {
		quiet = slog.New(slog.DiscardHandler)
	}
	pub, err := publish.New(st, f.api, publish.Config{RoleArn: "arn:aws:iam::123456789012:role/j", Functions: fns}, f.clock.now,
		publish.Options{Approvals: publish.StoreApprovals{Store: st}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = manage.NewService(st, f.api, pub, cfg, manage.Options{Launcher: f.starts, Now: f.clock.now, Sleep: f.clock.sleep, Logger: quiet})
	f.leadQ = queue.NewStore(st, leads.QueueName, queue.StoreOptions{})
	f.inbox, err = leads.NewInbox(leads.InboxOptions{Store: st, Queue: f.leadQ, Now: f.clock.now, Logger: quiet,
		Routes: leads.Routes{northwindOwner: bu, contosoOwner: "contoso"}})
	if err != nil {
		t.Fatal(err)
	}
	h := manage.NewHandler(f.svc, manage.HandlerOptions{Identity: func(r *http.Request) (string, bool) {
		p := r.Header.Get(principalHeader)
		return p, p != ""
	}, Leads: f.inbox, Previews: o.previews})
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	for _, k := range []struct {
		name, bu string
		scopes   []string
	}{
		{"ops", bu, nil},
		{"reader", bu, []string{manage.ScopeJourneysRead, manage.ScopeContactsRead}},
		{"other", "contoso", nil},
		{"all", bu, []string{manage.ScopeAll}},
		{"backfill", bu, []string{manage.ScopeLeadsWrite}},
		{"other-backfill", "contoso", []string{manage.ScopeLeadsWrite}},
	} {
		secret, key := manage.NewAPIKey(k.bu, k.name, k.scopes, f.clock.now())
		if err := st.PutAPIKey(context.Background(), key); err != nil {
			t.Fatal(err)
		}
		f.keys[k.name] = secret
	}
	f.enrol = enrol.New(st, catalog.New(st, nil), f.api, f.clock.now)
	return f
}

// client returns an API client with a key.
func (f *fixture) client(key string) *manage.Client {
	return &manage.Client{BaseURL: f.srv.URL, Key: f.keys[key]}
}

// call sends a raw request and returns the status and body.
func (f *fixture) call(t *testing.T, method, path string, headers map[string]string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (f *fixture) bearer(name string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + f.keys[name], "Content-Type": "application/json"}
}

// welcome reads the welcome journey's bundle.
func welcome(t *testing.T) journey.Bundle {
	t.Helper()
	dir := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(dir)
	checked, more := journey.ReadJourney(filepath.Join(dir, "welcome.journey.yaml"), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	b, err := journey.NewBundle(checked, lib)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publishWelcome publishes welcome with the ops key and adds consenting
// contacts enrolled in it.
func (f *fixture) publishWelcome(t *testing.T, contacts ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.client("ops").Publish(ctx, manage.PublishRequest{Bundle: welcome(t), By: "alice"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range contacts {
		_, err := f.st.UpsertContact(ctx, bu, store.ContactPatch{ID: id, Email: store.String(id + "@example.com"),
			Channels: map[string]store.Consent{"email": {Status: store.ConsentGranted, At: f.clock.now()}}})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := f.enrol.Enrol(ctx, enrol.Request{BU: bu, Journey: "welcome", Contact: id, Entry: "lead-" + id}); err != nil || out.Status != enrol.Enrolled {
			t.Fatalf("enrol %s: %+v, %v", id, out, err)
		}
	}
}

func decodeJSON[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// audit returns the business unit's audit log, oldest first, as
// "actor action target".
func (f *fixture) audit(t *testing.T, bu string) []string {
	t.Helper()
	page, err := f.st.ListAudit(context.Background(), bu, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(page.Items) - 1; i >= 0; i-- {
		e := page.Items[i]
		out = append(out, e.Actor+" "+e.Action+" "+e.Target)
	}
	return out
}
