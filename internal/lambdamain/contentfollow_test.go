package lambdamain_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// TestRenderersFollowPublishedContent: a warm process's renderers (one
// compiled Library per business unit, as the send function keeps across
// invokes) read the store once per TTL, recompile only when a version was
// published, and then render it.
func TestRenderersFollowPublishedContent(t *testing.T) {
	ctx := context.Background()
	src, cs, st, clk := cachedSource(t)
	secrets := &settings.LocalSecrets{File: filepath.Join(t.TempDir(), "secrets.yaml"), NoGenerate: true,
		Getenv: func(k string) string {
			if k == settings.EnvName("tracking-key") {
				return "a tracking key for this test only"
			}
			return ""
		}}
	rs := handler.NewContentRenderers(src, settings.NewDir(filepath.Join(testsvc.Root(t), "journeys", "settings")), secrets, "https://t.example.com/t")
	subject := func() string {
		r, err := rs.Renderer(ctx, bu)
		if err != nil {
			t.Fatal(err)
		}
		m, err := r.Render(ctx, request("welcome-intro", "de-AT"))
		if err != nil {
			t.Fatal(err)
		}
		return m.Subject
	}
	publish := func() {
		tpl, err := exampleFiles(t).Template(ctx, bu, "welcome-intro", "de-AT", 0)
		if err != nil {
			t.Fatal(err)
		}
		c := lambdamainRecord(tpl)
		c.Fields["subject"] = "Servus, {{ contact.firstName }}"
		put(t, st, c)
	}
	steps := []struct {
		name      string
		advance   time.Duration
		publish   bool
		wantNew   bool
		wantCalls calls
	}{
		{name: "cold", wantCalls: calls{Revs: 1, Lists: 1}},
		{name: "warm", advance: ttl / 2},
		{name: "after the TTL, nothing published: only the revision is read", advance: ttl / 2, wantCalls: calls{Revs: 1}},
		{name: "published, within the TTL", publish: true, advance: ttl - time.Second},
		{name: "after the TTL", advance: time.Second, wantNew: true, wantCalls: calls{Revs: 1, Lists: 1}},
		{name: "warm again", wantNew: true},
	}
	for _, s := range steps {
		if s.publish {
			publish()
		}
		clk.Advance(s.advance)
		if got := strings.HasPrefix(subject(), "Servus"); got != s.wantNew {
			t.Errorf("%s: renders the published subject: %v, want %v", s.name, got, s.wantNew)
		}
		if diff := cmp.Diff(s.wantCalls, cs.take()); diff != "" {
			t.Errorf("%s: store calls (-want +got):\n%s", s.name, diff)
		}
	}
}

func lambdamainRecord(t *content.Template) store.Content {
	c := lambdamain.ContentRecord(t)
	c.Version = 0 // the next one
	return c
}
