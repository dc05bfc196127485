package intake_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/webhook"
)

func TestFromSettings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for bu, body := range map[string]string{"northwind": "events:\n  secret: events-signing\n", "plain": ""} {
		if err := os.WriteFile(settings.FileName(dir, bu), []byte("businessUnit: "+bu+"\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := webhook.NewSecret(nil)
	b, _ := webhook.NewSecret(nil)
	env := map[string]string{settings.EnvName("events-signing"): a.Text() + " " + b.Text()}
	secrets := &settings.LocalSecrets{File: filepath.Join(dir, "secrets.yaml"), Getenv: func(k string) string { return env[k] }, NoGenerate: true}
	config := intake.FromSettings(settings.NewDir(dir), secrets)
	if c, err := config(ctx, "northwind"); err != nil || len(c.Secrets) != 2 || c.Secrets[1] != b.Text() {
		t.Errorf("northwind: %d secrets, %v; want the two of a rotation", len(c.Secrets), err)
	}
	if c, err := config(ctx, "plain"); err != nil || len(c.Secrets) != 0 {
		t.Errorf("a unit without the section: %v, %v; want API keys only", c, err)
	}
	if _, err := config(ctx, "nowhere"); !errors.Is(err, intake.ErrUnknownBU) {
		t.Errorf("unknown unit: %v, want ErrUnknownBU", err)
	}
}
