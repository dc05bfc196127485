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
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
	"github.com/journeys-oss/journeys/internal/workflow/workflowtest"
)

// contentAPI serves the management API of a deployment in miniature over
// a memory store, with a key that may write content.
func contentAPI(t *testing.T) (string, *memory.Store) {
	t.Helper()
	clock := asl.NewVirtualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	st := memory.New(store.Config{Now: clock.Now})
	quiet := slog.New(slog.DiscardHandler)
	svc := manage.NewService(st, workflowtest.New(clock.Now), nil, manage.Config{}, manage.Options{Now: clock.Now, Logger: quiet})
	srv := httptest.NewServer(manage.NewHandler(svc, manage.HandlerOptions{Logger: quiet}))
	t.Cleanup(srv.Close)
	secret, key := manage.NewAPIKey("northwind", "copywriter", []string{manage.ScopeContentWrite}, clock.Now())
	if err := st.PutAPIKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envAPIKey, secret)
	t.Setenv(envAPI, "")
	return srv.URL, st
}

func TestContentPublish(t *testing.T) {
	url, st := contentAPI(t)
	code, out, errOut := runCLI("content", "publish", "--root", "../../journeys", "--api", url)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"block footer de v2 written\n", "template welcome-intro de-AT v1 written\n", "template welcome-intro default v1 written\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "not checked: contact variables") {
		t.Errorf("stderr does not say what was not checked: %q", errOut)
	}
	if c, err := st.GetContent(context.Background(), "northwind", store.ContentTemplate, "welcome-intro", "de-AT", 1); err != nil || c.Fields["subject"] == "" {
		t.Errorf("stored welcome-intro de-AT: %+v, %v", c, err)
	}

	// One file again: unchanged.
	code, out, errOut = runCLI("content", "publish", "--root", "../../journeys", "--api", url, "../../journeys/content/blocks/footer@1.liquid")
	if code != exitOK || out != "block footer default v1 unchanged\n" {
		t.Errorf("exit %d, out %q, err %q: want footer v1 unchanged", code, out, errOut)
	}
}

func TestContentPublishRefuses(t *testing.T) {
	url, _ := contentAPI(t)
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "content", "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "content", "blocks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "content", "blocks", "ok@1.liquid"), []byte("<p>ok</p>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := "---\nchannel: email\nsubject: Hi\n---\n<p>{% render 'nowhere' %}</p>\n"
	if err := os.WriteFile(filepath.Join(root, "content", "templates", "hi.liquid"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"does_not_check", []string{"--root", root, "--api", url}, exitInvalid, "templates/hi.liquid:5:14: unknown block \"nowhere\""},
		{"approval_not_configured", []string{"--root", root, "--api", url, "--require-approval", filepath.Join(root, "content", "blocks")}, exitFailed, "content approval is not configured here"},
		{"outside_the_folder", []string{"--root", root, "--api", url, "content_test.go"}, exitUsage, "is not inside the content folder"},
		{"no_api", []string{"--root", root}, exitUsage, "no management API"},
		{"nothing_to_upload", []string{"--root", t.TempDir(), "--api", url}, exitUsage, "no .liquid files"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(append([]string{"content", "publish"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.err) {
				t.Errorf("exit %d, stderr %q: want %d and %q", code, errOut, tt.code, tt.err)
			}
		})
	}
	if code, out, _ := runCLI("content", "publish", "--help"); code != exitOK || !strings.Contains(out, "--require-approval") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI("content", "push"); code != exitUsage {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}
