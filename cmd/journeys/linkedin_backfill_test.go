package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

func TestLinkedInBackfill(t *testing.T) {
	fake := linkedintest.NewServer(t, linkedintest.Options{})
	owner := "urn:li:sponsoredAccount:1234567"
	form := linkedin.FormVersion{FormID: 42, Version: 1}
	for i := 1; i <= 23; i++ {
		fake.AddLead(linkedin.Lead{ID: fmt.Sprintf("lead-%02d", i), Owner: linkedin.Union{Kind: "sponsoredAccount", URN: owner},
			LeadType: linkedin.LeadTypeSponsored, FormURN: form.URN(),
			SubmittedAt: time.Date(2026, 10, i, 12, 0, 0, 0, time.UTC).UnixMilli()})
	}
	tokenPath := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenPath, []byte(fake.Token()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"LINKEDIN_API_URL": fake.URL, "LINKEDIN_VERSION": "202601", "LINKEDIN_TOKEN_FILE": tokenPath}
	getenv := func(k string) string { return env[k] }
	storePath := filepath.Join(t.TempDir(), ".journeys", "store.db")
	args := []string{"backfill", "--since", "2026-10-05", "--until", "2026-10-20T00:00:00Z", "--owner", owner, "--bu", "northwind",
		"--store", storePath, "--page-size", "4"}
	for _, s := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"first run", args, exitOK, "15 leads in 4 pages: 15 queued for sync, 0 already known (store " + storePath + ")\n", "page 4: 15 leads so far"},
		{"second run, json", append(args, "--json"), exitOK, "{\n  \"duplicates\": 15,\n  \"leads\": 15,\n  \"pages\": 4,\n  \"queued\": 0\n}\n", ""},
		{"no since", []string{"backfill", "--owner", owner, "--bu", "northwind"}, exitUsage, "", "--since and --owner are required"},
		{"bad date", []string{"backfill", "--since", "last week", "--owner", owner, "--bu", "northwind"}, exitUsage, "", "neither YYYY-MM-DD"},
		{"reversed range", []string{"backfill", "--since", "2026-10-05", "--until", "2026-10-01", "--owner", owner, "--bu", "northwind"}, exitUsage, "", "before --until"},
		{"bad owner", []string{"backfill", "--since", "2026-10-05", "--owner", "urn:li:person:1", "--bu", "northwind"}, exitUsage, "", "owner type"},
	} {
		t.Run(s.name, func(t *testing.T) {
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
	st, err := embedded.Open(storePath, store.Config{}, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := queue.NewStore(st, leads.QueueName, queue.StoreOptions{})
	msgs, err := q.Receive(context.Background(), 100)
	if err != nil || len(msgs) != 15 {
		t.Fatalf("queued %d messages, %v; want 15", len(msgs), err)
	}
	m, err := leads.ParseMessage(msgs[0].Body)
	if err != nil || m.BU != "northwind" || m.Action != linkedin.ActionCreated || m.Source != leads.SourceBackfill || m.Form != form.URN() {
		t.Errorf("message %+v, %v", m, err)
	}
}
