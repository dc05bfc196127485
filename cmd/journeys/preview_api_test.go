package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
)

// previewServer serves the management API of a local system over the
// example journeys folder, delivering into an outbox, with one stored
// contact and a key that may only preview.
func previewServer(t *testing.T) (url, outbox string) {
	t.Helper()
	clock := asl.NewVirtualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	st := memory.New(store.Config{Now: clock.Now})
	outbox = t.TempDir()
	sys, err := local.NewSystem(local.SystemConfig{
		Root: "../../journeys", Store: st, Clock: clock, Secrets: &local.DerivedSecrets{Seed: "preview"},
		BaseURL: "http://127.0.0.1:1", Outbox: outbox, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(manage.NewHandler(sys.Manage, manage.HandlerOptions{Previews: sys.Handlers, Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	first, locale := "Ada", "de-AT"
	if _, err := st.UpsertContact(ctx, "northwind", store.ContactPatch{ID: "c-ada", Email: ptr("ada@analytical.example"),
		FirstName: &first, Locale: &locale}); err != nil {
		t.Fatal(err)
	}
	secret, key := manage.NewAPIKey("northwind", "copywriter", []string{manage.ScopeContentPreview}, clock.Now())
	if err := st.PutAPIKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envAPIKey, secret)
	t.Setenv(envAPI, "")
	return srv.URL, filepath.Join(outbox, "northwind")
}

func ptr[T any](v T) *T { return &v }

// TestPreviewStoredContact renders a template for a stored contact through
// the management API, then sends it as a test: the message reaches the
// channel marked as a test.
func TestPreviewStoredContact(t *testing.T) {
	url, outbox := previewServer(t)
	dir := t.TempDir()
	code, out, errOut := runCLI("preview", "welcome-intro", "--api", url, "--contact", "c-ada", "--out-dir", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	htmlPath := filepath.Join(dir, "welcome-intro.de-AT.html")
	if html, err := os.ReadFile(htmlPath); err != nil || !strings.Contains(string(html), "Grüß Gott, Ada!") {
		t.Errorf("the HTML file %s: %v; want the personalised heading", htmlPath, err)
	}
	for _, want := range []string{"template:  welcome-intro v1 (email, marketing, locale de-AT, topic onboarding)", "subject:   Grüß Gott, Ada", "html:      " + htmlPath + " ("} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if sent, _ := channel.ListOutbox(outbox); len(sent) != 0 {
		t.Fatalf("a preview sent %d messages", len(sent))
	}

	code, out, errOut = runCLI("preview", "welcome-intro", "--api", url, "--contact", "c-ada", "--send-test", "qa@northwind.example", "--out-dir", dir)
	if code != exitOK || !strings.Contains(out, "test send: sent as ") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	// The trigger event's attributes personalise as they do locally.
	code, out, errOut = runCLI("preview", "webinar-reminder-sms", "--api", url, "--contact", "c-ada", "--event", "testdata/preview/event.json", "--locale", "en")
	if code != exitOK || !strings.Contains(out, `Northwind: "Building a metrics layer your CFO trusts" starts at 16:00 UTC.`) {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	sent, err := channel.ListOutbox(outbox)
	if err != nil || len(sent) != 1 || !sent[0].Test || sent[0].Subject != "[TEST] Grüß Gott, Ada – willkommen bei Northwind Analytics" {
		t.Fatalf("outbox %+v, %v: want one test message", sent, err)
	}
}

func TestPreviewAPIRefuses(t *testing.T) {
	url, _ := previewServer(t)
	for _, tt := range []struct {
		name string
		args []string
		exit int
		err  string
	}{
		{"no API for an id", []string{"preview", "welcome-intro", "--contact", "c-ada"}, exitUsage, "c-ada is not a file; to preview a stored contact give --api URL"},
		{"unknown contact", []string{"preview", "welcome-intro", "--api", url, "--contact", "c-nobody"}, exitFailed, "404"},
		{"unknown template", []string{"preview", "no-such-template", "--api", url, "--contact", "c-ada"}, exitFailed, "no-such-template"},
		{"a file through the API", []string{"preview", "../../journeys/content/templates/welcome-intro.liquid", "--api", url, "--contact", "c-ada"}, exitUsage, "name a published template by id"},
		{"test send without an API", []string{"preview", "welcome-intro", "--contact", "testdata/preview/contact.json", "--send-test", "qa@northwind.example"}, exitUsage, "no management API"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(tt.args...)
			if code != tt.exit || !strings.Contains(errOut, tt.err) {
				t.Fatalf("exit %d, want %d; stderr %q lacks %q\n%s", code, tt.exit, errOut, tt.err, out)
			}
		})
	}
}
