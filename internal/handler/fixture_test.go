package handler_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/channel/channeltest"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/webhook"
	"github.com/journeys-oss/journeys/internal/wire"
)

// clock is a virtual clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// tasks records SendTaskSuccess calls: the Step Functions side of a wait.
type tasks struct {
	mu      sync.Mutex
	answers map[string][]string // token → outputs
}

func (t *tasks) SendTaskSuccess(_ context.Context, token, output string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.answers == nil {
		t.answers = map[string][]string{}
	}
	t.answers[token] = append(t.answers[token], output)
	return nil
}

func (t *tasks) outputs(token string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.answers[token]
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (the logger).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is a business unit "acme" with settings, content, a test
// provider for email and an outbox for sms and push, on the embedded store.
type fixture struct {
	t        *testing.T
	store    *embedded.Store
	clock    *clock
	h        *handler.Handlers
	provider *channeltest.Provider
	action   *channeltest.Provider
	tasks    *tasks
	logs     *syncBuffer
	outbox   string
	secrets  settings.SecretSource
	dir      string
}

// start is Monday 2026-11-30 10:00 UTC (11:00 in Berlin).
var start = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

type fixtureOptions struct {
	faults       func(key string, n int) channeltest.Fault
	actionFaults func(key string, n int) channeltest.Fault
	timeout      time.Duration // per delivery attempt
	lease        time.Duration
	answer       handler.TaskAnswerer // answers task tokens; default: fixture.tasks records them
}

func newFixture(t *testing.T, o fixtureOptions) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, clock: &clock{t: start}, tasks: &tasks{}, logs: &syncBuffer{}, dir: dir, outbox: filepath.Join(dir, "outbox")}
	st, err := embedded.Open(filepath.Join(dir, "store.db"), store.Config{Now: f.clock.Now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.store = st
	emailSecret, _ := settings.GenerateSecret()
	actionSecret, _ := settings.GenerateSecret()
	env := map[string]string{settings.EnvName("channel-email"): emailSecret, settings.EnvName("action-crm"): actionSecret,
		settings.EnvName("tracking-key"): "tracking-key-of-the-acme-test-unit"}
	f.secrets = &settings.LocalSecrets{File: filepath.Join(dir, "secrets.yaml"), Getenv: func(k string) string { return env[k] }, NoGenerate: true}
	es, _ := webhook.ParseSecrets(emailSecret)
	as, _ := webhook.ParseSecrets(actionSecret)
	f.provider = channeltest.Start(t, es, o.faults)
	f.action = channeltest.StartReceiver(t, as, o.actionFaults)
	writeSettings(t, dir, "acme", f.provider.URL, f.action.URL, f.outbox)
	writeSettings(t, dir, "globex", f.provider.URL, f.action.URL, f.outbox)
	sdir := settings.NewDir(dir)
	timeout := o.timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	out := handler.NewOutbound(sdir, f.secrets, handler.OutboundOptions{
		StatusURL: func(bu string) string { return "https://t.example/t/status" },
		Client:    webhook.ClientOptions{MaxAttempts: 2, Timeout: timeout, Sleep: func(context.Context, time.Duration) error { return nil }},
		Now:       f.clock.Now,
	})
	src, probs := content.LoadFiles(os.DirFS("testdata/content"), "testdata/content")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	renderers := handler.NewContentRenderers(src, sdir, f.secrets, "https://t.example/t")
	var answer handler.TaskAnswerer = f.tasks
	if o.answer != nil {
		answer = o.answer
	}
	f.h, err = handler.New(handler.Config{
		Store: st, Catalog: catalog.New(st, nil), Settings: sdir, Channels: out, Actions: out, Content: renderers,
		Tasks: answer, Now: f.clock.Now, Lease: o.lease,
		Logger: slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func writeSettings(t *testing.T, dir, bu, providerURL, actionURL, outbox string) {
	t.Helper()
	src := fmt.Sprintf(`businessUnit: %s
sender: {name: Acme, email: hello@acme.example, sms: Acme}
timezone: Europe/Berlin
tracking: {keys: [{id: k1, secret: tracking-key}]}
outbound: {allowedHosts: [127.0.0.1], httpHosts: [127.0.0.1], allowedNetworks: [127.0.0.1/32]}
channels:
  email: {provider: webhook, url: %q, secret: channel-email}
  sms: {provider: outbox, folder: %q}
  push: {provider: outbox, folder: %q}
actions:
  crm: {url: %q, secret: action-crm}
preferences:
  topics: [{id: news, label: News, default: true}, {id: offers, label: Offers}]
`, bu, providerURL, outbox, outbox, actionURL)
	if err := os.WriteFile(filepath.Join(dir, bu+".settings.yaml"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
}

// publish stores journey version 1 of the journey in src (business unit
// taken from it) and makes it current and active.
func (f *fixture) publish(src string) string {
	f.t.Helper()
	return f.publishPinned(src, nil)
}

// publishPinned publishes with content pins, as publish.Publisher records
// them ("block/<id>/<locale>" → version).
func (f *fixture) publishPinned(src string, pins map[string]int) string {
	f.t.Helper()
	schema, _ := os.ReadFile("testdata/acme.schema.yaml")
	seg, _ := os.ReadFile("testdata/customers.segment.yaml")
	bu := "acme"
	if strings.Contains(src, "businessUnit: globex") {
		bu = "globex"
		schema = bytes.ReplaceAll(schema, []byte("businessUnit: acme"), []byte("businessUnit: globex"))
		seg = bytes.ReplaceAll(seg, []byte("businessUnit: acme"), []byte("businessUnit: globex"))
	}
	b := journey.Bundle{Journey: journey.BundleFile{Name: "test.journey.yaml", Source: src},
		Schema:   journey.BundleFile{Name: "acme.schema.yaml", Source: string(schema)},
		Segments: []journey.BundleFile{{Name: "customers.segment.yaml", Source: string(seg)}}}
	if _, _, probs := b.Load(nil); len(probs) > 0 {
		f.t.Fatalf("test journey does not check: %v", probs)
	}
	raw, _ := b.Marshal()
	id := between(src, "id: ", "\n")
	ctx := context.Background()
	if err := f.store.CreateVersion(ctx, bu, store.JourneyVersion{Journey: id, Version: 1, Source: raw, PublishedBy: "test", PublishedAt: start, Content: pins}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.store.PutJourney(ctx, bu, store.Journey{ID: id, Name: id, Status: store.JourneyActive, Current: 1}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	j := strings.Index(s[i+len(a):], b)
	return s[i+len(a) : i+len(a)+j]
}

// journeyYAML is a test journey of acme with the given top-level extras
// (policies, goal, exit) and steps.
func journeyYAML(id, extras, steps string) string {
	return "id: " + id + "\nname: Test " + id + "\nbusinessUnit: acme\ntrigger: {event: {name: test.entered}}\n" + extras + "steps:\n" + steps
}

var granted = store.Consent{Status: store.ConsentGranted, Source: "test", At: start.Add(-time.Hour)}

// contact stores a contact with email consent and lets edit change it.
func (f *fixture) contact(bu, id string, edit func(p *store.ContactPatch)) store.Contact {
	f.t.Helper()
	p := store.ContactPatch{ID: id, Email: store.String(id + "@example.com"), FirstName: store.String("Ada"), LastName: store.String("Lovelace"),
		Phone: store.String("+491701234567"), Timezone: store.String("Europe/Berlin"), Locale: store.String("en"),
		LifecycleStage: store.String("lead"), Attributes: map[string]store.Value{"leadScore": store.NumberValue(70), "plan": store.StringValue("trial")},
		Channels: map[string]store.Consent{"email": granted, "sms": granted, "push": granted}}
	if edit != nil {
		edit(&p)
	}
	c, err := f.store.UpsertContact(context.Background(), bu, p)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// enrol creates the enrolment the guard reads.
func (f *fixture) enrol(bu, journeyID, contact string) {
	f.t.Helper()
	_, err := f.store.CreateEnrolment(context.Background(), bu, store.Enrolment{Journey: journeyID, Contact: contact, Entry: "e1", Version: 1, Execution: execution(journeyID, contact)})
	if err != nil && !errors.Is(err, store.ErrExists) {
		f.t.Fatal(err)
	}
}

func execution(journeyID, contact string) string {
	return "arn:aws:states:us-east-1:123456789012:execution:journeys-acme-" + journeyID + ":" + contact
}

// req is a step request of version 1 for the contact's execution.
func req(bu, journeyID, contact, op, step string) wire.StepRequest {
	return wire.StepRequest{V: wire.Version, Op: op, BU: bu, Journey: journeyID, Version: 1, Contact: contact,
		Entry: "e1", Execution: execution(journeyID, contact), Step: step}
}

// errName returns the wire error name of err ("" for nil, "Go" for an
// unnamed error).
func errName(err error) string {
	if err == nil {
		return ""
	}
	var named *wire.Error
	if errors.As(err, &named) {
		return named.Name
	}
	return "Go"
}

func (f *fixture) stepLogs(bu, contact string) []string {
	f.t.Helper()
	ls, err := f.store.ListStepLogs(context.Background(), bu, contact, "")
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, l.Step+" "+string(l.Outcome)+": "+l.Reason)
	}
	return out
}

func (f *fixture) funnel(bu, journeyID string) map[string]int64 {
	f.t.Helper()
	fc, err := f.store.Funnel(context.Background(), bu, journeyID)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, c := range fc {
		out[c.Step+"/"+c.Outcome] = c.Count
	}
	return out
}

func (f *fixture) interactions(bu, contact string) []string {
	f.t.Helper()
	page, err := f.store.ListInteractions(context.Background(), bu, contact, store.InteractionQuery{Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, i := range page.Items {
		out = append(out, i.Channel+"."+string(i.Kind))
	}
	sort.Strings(out) // interactions at one instant come in id order
	return out
}
