package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

// backfillSystem is a deployed system in miniature: the management API
// and the LinkedIn webhook over one embedded store and lead queue, as the
// manage and linkedin-webhook functions share the table and SQS queue.
type backfillSystem struct {
	st      *embedded.Store
	q       *queue.Store
	api     *httptest.Server
	webhook *httptest.Server
	failAt  atomic.Int32 // the POST (1-based, counted in posts) to answer 503, 0: none
	posts   atomic.Int32
	keys    map[string]string
}

const (
	northwindLinkedIn = "urn:li:sponsoredAccount:1234567"
	contosoLinkedIn   = "urn:li:sponsoredAccount:7654321"
	webhookSecret     = "li-client-secret"
)

func newBackfillSystem(t *testing.T) *backfillSystem {
	t.Helper()
	s := &backfillSystem{keys: map[string]string{}}
	now := func() time.Time { return time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC) }
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s.st, s.q = st, queue.NewStore(st, leads.QueueName, queue.StoreOptions{})
	quiet := slog.New(slog.DiscardHandler)
	inbox, err := leads.NewInbox(leads.InboxOptions{Store: st, Queue: s.q, Now: now, Logger: quiet,
		Routes: leads.Routes{northwindLinkedIn: "northwind", contosoLinkedIn: "contoso"}})
	if err != nil {
		t.Fatal(err)
	}
	// The backfill route needs no workflow or publisher.
	svc := manage.NewService(st, nil, nil, manage.Config{}, manage.Options{Now: now, Logger: quiet})
	h := manage.NewHandler(svc, manage.HandlerOptions{Leads: inbox, Logger: quiet})
	s.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && s.posts.Add(1) == s.failAt.Load() {
			http.Error(w, "the API is having a bad minute", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.api.Close)
	hook, err := linkedin.NewHandler(linkedin.HandlerOptions{ClientSecrets: []string{webhookSecret}, Inbox: inbox, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	s.webhook = httptest.NewServer(hook)
	t.Cleanup(s.webhook.Close)
	for _, k := range []struct {
		name, bu string
		scopes   []string
	}{
		{"backfill", "northwind", []string{manage.ScopeLeadsWrite}},
		{"ops", "northwind", nil},
		{"contoso", "contoso", []string{manage.ScopeLeadsWrite}},
	} {
		secret, key := manage.NewAPIKey(k.bu, k.name, k.scopes, now())
		if err := st.PutAPIKey(context.Background(), key); err != nil {
			t.Fatal(err)
		}
		s.keys[k.name] = secret
	}
	return s
}

// deliver posts a lead's signed CREATED notification to the webhook, as
// LinkedIn does when the lead is submitted.
func (s *backfillSystem) deliver(t *testing.T, l linkedin.Lead) {
	t.Helper()
	body := linkedintest.NotificationFor(l, linkedin.ActionCreated, l.Submitted())
	req, _ := http.NewRequest(http.MethodPost, s.webhook.URL, bytes.NewReader(body))
	req.Header.Set(linkedin.SignatureHeader, linkedin.Sign(webhookSecret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook answered %d", resp.StatusCode)
	}
}

// queued returns the lead and source of every queued message.
func (s *backfillSystem) queued(t *testing.T) map[string]string {
	t.Helper()
	msgs, err := s.q.Receive(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range msgs {
		pm, err := leads.ParseMessage(m.Body)
		if err != nil || pm.BU != "northwind" {
			t.Fatalf("message %+v, %v", pm, err)
		}
		if _, dup := out[pm.Lead]; dup {
			t.Errorf("lead %s queued twice", pm.Lead)
		}
		out[pm.Lead] = pm.Source
	}
	return out
}

// TestLinkedInBackfillThroughAPI backfills a deployed system through its
// management API: leads the webhook delivered are duplicates, an
// interrupted run resumes with --start, a second run finds every lead
// known, and a key without the scope, or of another business unit,
// queues nothing.
func TestLinkedInBackfillThroughAPI(t *testing.T) {
	sys := newBackfillSystem(t)
	fake := linkedintest.NewServer(t, linkedintest.Options{})
	form := linkedin.FormVersion{FormID: 42, Version: 1}
	for i := 1; i <= 23; i++ {
		l := linkedin.Lead{ID: fmt.Sprintf("lead-%02d", i), Owner: linkedin.Union{Kind: "sponsoredAccount", URN: northwindLinkedIn},
			LeadType: linkedin.LeadTypeSponsored, FormURN: form.URN(),
			SubmittedAt: time.Date(2026, 10, i, 12, 0, 0, 0, time.UTC).UnixMilli()}
		fake.AddLead(l)
		if i == 6 || i == 7 {
			sys.deliver(t, l)
		}
	}
	tokenPath := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenPath, []byte(fake.Token()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"LINKEDIN_API_URL": fake.URL, "LINKEDIN_VERSION": "202601", "LINKEDIN_TOKEN_FILE": tokenPath,
		envAPI: sys.api.URL}
	getenv := func(k string) string { return env[k] }
	args := []string{"backfill", "--since", "2026-10-05", "--until", "2026-10-20T00:00:00Z", "--owner", northwindLinkedIn, "--page-size", "4"}
	with := func(more ...string) []string { return append(append([]string{}, args...), more...) }
	where := "(API " + sys.api.URL + ")\n"
	for _, s := range []struct {
		name   string
		key    string
		failAt int32
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"a key without leads:write", "ops", 0, args, exitFailed, "", "the key lacks the scope leads:write: forbidden (HTTP 403 forbidden) (resume with --start 0)"},
		{"another unit's key", "contoso", 0, args, exitFailed, "", "not one of the business unit's linkedin owners (nothing of this page was queued) (HTTP 403 forbidden) (resume with --start 0)"},
		{"interrupted at the third page", "backfill", 3, args, exitFailed, "", "page 2: 8 leads so far\njourneys linkedin backfill: backfill page at 8: the API is having a bad minute (HTTP 503 http) (resume with --start 8)"},
		{"resumed", "backfill", 0, with("--start", "8"), exitOK, "7 leads in 2 pages: 7 queued for sync, 0 already known " + where, "page 2: 7 leads so far"},
		{"again from the start", "backfill", 0, with("--json"), exitOK, "{\n  \"duplicates\": 15,\n  \"leads\": 15,\n  \"pages\": 4,\n  \"queued\": 0\n}\n", ""},
		{"--bu with a key", "backfill", 0, with("--bu", "northwind"), exitUsage, "", "--bu with --api goes with --iam"},
		{"--store with --api", "backfill", 0, with("--store", "x.db"), exitUsage, "", "--store and --api exclude each other"},
		{"page too large for the API", "backfill", 0, with("--page-size", "501"), exitUsage, "", "--page-size is at most 500 with --api"},
		{"--iam without --bu", "backfill", 0, with("--iam"), exitUsage, "", "--iam needs --bu BU"},
		{"--iam without --api", "backfill", 0, with("--api", "", "--iam", "--bu", "northwind"), exitUsage, "", "--iam goes with --api URL"},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Setenv(envAPIKey, sys.keys[s.key])
			sys.failAt.Store(s.failAt)
			sys.posts.Store(0)
			var stdout, stderr bytes.Buffer
			code := runLinkedInEnv(&cli{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}, s.args, getenv)
			if code != s.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, s.code, stderr.String())
			}
			if diff := cmp.Diff(s.stdout, stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if !strings.Contains(stderr.String(), s.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), s.stderr)
			}
		})
	}
	want := map[string]string{}
	for i := 5; i <= 19; i++ {
		want[fmt.Sprintf("lead-%02d", i)] = leads.SourceBackfill
	}
	want["lead-06"], want["lead-07"] = leads.SourceWebhook, leads.SourceWebhook
	if diff := cmp.Diff(want, sys.queued(t)); diff != "" {
		t.Errorf("queued leads (-want +got):\n%s", diff)
	}
}
