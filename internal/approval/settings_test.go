package approval_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/webhook"
)

func TestFromSettings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(bu, body string) {
		if err := os.WriteFile(settings.FileName(dir, bu), []byte("businessUnit: "+bu+"\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("northwind", "outbound:\n  allowedHosts: [flows.example]\napprovals:\n  flowUrl: flow-url\n  secret: flow-signing\n  callbackKey: callback-key\n")
	write("rotated", "outbound:\n  allowedHosts: [flows.example]\napprovals:\n  flowUrl: flow-url\n  secret: flow-signing\n  callbackKey: callback-keys\n")
	write("plain", "outbound:\n  allowedHosts: [flows.example]\n")
	signing, _ := webhook.NewSecret(nil)
	env := map[string]string{
		settings.EnvName("flow-url"):     "https://flows.example/x?sig=abc",
		settings.EnvName("flow-signing"): signing.Text(),
		settings.EnvName("callback-key"): "0123456789abcdef0123456789abcdef",
		// A rotation: the new key first, the old one until its URLs expire.
		settings.EnvName("callback-keys"): "fedcba9876543210fedcba9876543210\n 0123456789abcdef0123456789abcdef ",
	}
	secrets := &settings.LocalSecrets{File: filepath.Join(dir, "secrets.yaml"), Getenv: func(k string) string { return env[k] }, NoGenerate: true}
	config, posters := approval.FromSettings(settings.NewDir(dir), secrets, webhook.ClientOptions{})
	got, err := config(ctx, "northwind")
	want := approval.Config{FlowURL: "https://flows.example/x?sig=abc", Secrets: []string{signing.Text()}, CallbackKeys: []string{"0123456789abcdef0123456789abcdef"}}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("config: %v (-want +got):\n%s", err, diff)
	}
	got, err = config(ctx, "rotated")
	want.CallbackKeys = []string{"fedcba9876543210fedcba9876543210", "0123456789abcdef0123456789abcdef"}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("rotated config: %v (-want +got):\n%s", err, diff)
	}
	for _, bu := range []string{"plain", "nowhere"} {
		if _, err := config(ctx, bu); !errors.Is(err, approval.ErrUnknownBU) {
			t.Errorf("config of %s: %v, want ErrUnknownBU", bu, err)
		}
	}
	p, err := posters(ctx, "northwind")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := posters(ctx, "northwind"); again != p {
		t.Error("the poster of a business unit was built twice")
	}
	_, err = p.Send(ctx, webhook.Message{URL: "https://elsewhere.example/hook", ID: "ap-1", Body: []byte("{}")})
	if !errors.Is(err, webhook.ErrBlocked) {
		t.Errorf("post outside the allow-list: %v, want ErrBlocked", err)
	}
}

func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	body := []byte(`{"v":1,"type":"approval.requested","approval":"ap-1","kind":"step","bu":"northwind"}`)
	if _, err := (approval.Outbox{Dir: dir}).Send(context.Background(), webhook.Message{ID: "ap-1", Body: body}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "northwind", "approvals", "ap-1.json"))
	if err != nil || string(got) != string(body) {
		t.Errorf("outbox file %q, %v", got, err)
	}
}
