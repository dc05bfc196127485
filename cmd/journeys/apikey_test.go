package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/local/devserver"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo/dynamotest"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// created is what apikey create --json prints.
type created struct {
	Secret string
	Key    store.APIKey
}

func createKey(t *testing.T, args ...string) created {
	t.Helper()
	code, out, errOut := runCLI(append([]string{"apikey", "create", "--json"}, args...)...)
	var c created
	if code != exitOK || json.Unmarshal([]byte(out), &c) != nil {
		t.Fatalf("apikey create %v: exit %d\n%s%s", args, code, out, errOut)
	}
	if !strings.HasPrefix(c.Secret, manage.KeyPrefix) || c.Key.Hash != manage.HashKey(c.Secret) {
		t.Fatalf("created key: %+v", c)
	}
	return c
}

func listKeyNames(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, errOut := runCLI(append([]string{"apikey", "list", "--json"}, args...)...)
	var l struct{ Keys []store.APIKey }
	if code != exitOK || json.Unmarshal([]byte(out), &l) != nil {
		t.Fatalf("apikey list %v: exit %d\n%s%s", args, code, out, errOut)
	}
	names := []string{}
	for _, k := range l.Keys {
		names = append(names, k.Name)
	}
	return names
}

// exerciseKeys creates, lists and revokes keys in the store the flags
// name, and checks the refusals.
func exerciseKeys(t *testing.T, where ...string) {
	t.Helper()
	with := func(args ...string) []string { return append(args, where...) }
	ci := createKey(t, with("--bu", "northwind", "--scopes", "journeys:read,leads:write", "--name", "ci", "--expires", "90d")...)
	if ci.Key.ExpiresAt.Sub(ci.Key.CreatedAt).Round(time.Hour) != 90*24*time.Hour {
		t.Errorf("expiry: created %s, expires %s, want 90 days later", ci.Key.CreatedAt, ci.Key.ExpiresAt)
	}
	createKey(t, with("--bu", "northwind", "--scopes", "*", "--name", "ops")...)
	createKey(t, with("--bu", "contoso", "--scopes", "*", "--name", "ci")...)
	if diff := cmp.Diff([]string{"ci", "ops"}, listKeyNames(t, with("--bu", "northwind")...)); diff != "" {
		t.Errorf("northwind's keys (-want +got):\n%s", diff)
	}
	code, out, _ := runCLI(with("apikey", "list", "--bu", "northwind")...)
	if code != exitOK || !strings.Contains(out, "journeys:read,leads:write") || !strings.Contains(out, ci.Key.Hash[:12]) ||
		!strings.Contains(out, ci.Key.ExpiresAt.Format(time.RFC3339)) || strings.Contains(out, ci.Secret) {
		t.Errorf("apikey list: exit %d\n%s", code, out)
	}
	for _, tc := range []struct {
		name string
		args []string
		exit int
		err  string
	}{
		{"name taken", with("apikey", "create", "--bu", "northwind", "--scopes", "*", "--name", "ci"), exitUsage, "has a key of that name"},
		{"unknown scope", with("apikey", "create", "--bu", "northwind", "--scopes", "journeys:write"), exitUsage, `unknown scope "journeys:write"`},
		{"no scopes", with("apikey", "create", "--bu", "northwind"), exitUsage, "--scopes is required"},
		{"past expiry", with("apikey", "create", "--bu", "northwind", "--scopes", "*", "--expires", "2020-01-01"), exitUsage, "not in the future"},
		{"bad expiry", with("apikey", "create", "--bu", "northwind", "--scopes", "*", "--expires", "soon"), exitUsage, "neither a duration"},
		{"no bu", with("apikey", "list"), exitUsage, "--bu is required"},
		{"revoke unknown", with("apikey", "revoke", "--bu", "northwind", "ghost"), exitUsage, "has no key of that name"},
		{"revoke without name", with("apikey", "revoke", "--bu", "northwind"), exitUsage, "give the key's name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(tc.args...)
			if code != tc.exit || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s%s", code, tc.exit, tc.err, out, errOut)
			}
		})
	}
	if code, out, errOut := runCLI(with("apikey", "revoke", "--bu", "northwind", "ci")...); code != exitOK || !strings.Contains(out, "revoked 1") {
		t.Fatalf("revoke: exit %d\n%s%s", code, out, errOut)
	}
	if diff := cmp.Diff([]string{"ops"}, listKeyNames(t, with("--bu", "northwind")...)); diff != "" {
		t.Errorf("northwind's keys after the revocation (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ci"}, listKeyNames(t, with("--bu", "contoso")...)); diff != "" {
		t.Errorf("contoso's keys (-want +got):\n%s", diff)
	}
}

// TestAPIKeyLocalStore manages keys in the local project store, and the
// secret finds its key there (by hash, as the API looks it up).
func TestAPIKeyLocalStore(t *testing.T) {
	dir := t.TempDir()
	exerciseKeys(t, "--data", dir)
	c := createKey(t, "--data", dir, "--bu", "northwind", "--scopes", "contacts:read", "--name", "reader")
	st, err := embedded.Open(filepath.Join(dir, "store.db"), store.Config{}, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k, err := st.GetAPIKey(context.Background(), manage.HashKey(c.Secret))
	if err != nil || k.BU != "northwind" || k.Name != "reader" {
		t.Fatalf("the secret's key in the store: %+v, %v", k, err)
	}
	if code, _, errOut := runCLI("apikey", "list", "--bu", "northwind", "--data", filepath.Join(dir, "missing")); code != exitFailed || !strings.Contains(errOut, "no local data folder") {
		t.Errorf("a missing data folder: exit %d %s", code, errOut)
	}
}

// TestAPIKeyDynamo manages keys in a DynamoDB table on moto.
func TestAPIKeyDynamo(t *testing.T) {
	cfg := testsvc.AWSConfig(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	_, table := dynamotest.Table(t, cfg, "keys")
	exerciseKeys(t, "--table", table, "--endpoint", testsvc.Moto(t))
}

// TestAPIKeyDevServer: journeys dev makes a local key per business unit
// into a 0600 file; API commands against it need no key; apikey works
// through the server while it holds the store; a restart keeps the key.
func TestAPIKeyDevServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Setenv(envAPIKey, "")
	t.Setenv(envData, dir)
	cfg := devserver.Config{Root: "../../journeys", DataDir: dir, Addr: "127.0.0.1:0",
		Journeys: []string{"../../journeys/welcome.journey.yaml"}, NoSync: true, Logger: slog.New(slog.DiscardHandler)}
	start := func() *devserver.Server {
		cfg.Clock = asl.NewVirtualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		s, err := devserver.Start(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close(context.Background()) })
		return s
	}
	s := start()
	fi, err := os.Stat(s.KeyFile())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	kf, err := devserver.ReadKeyFile(dir)
	if err != nil || kf.URL != s.URL() || len(kf.Keys) != 1 || kf.Keys["northwind"] == "" {
		t.Fatalf("key file: %+v, %v", kf, err)
	}
	if code, out, errOut := runCLI("status", "--api", s.URL(), "welcome"); code != exitOK || !strings.Contains(out, "welcome (") {
		t.Fatalf("status with no key given: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI("status", "--api", s.URL(), "--bu", "contoso", "welcome"); code != exitUsage || !strings.Contains(errOut, "no key of business unit contoso") {
		t.Errorf("status for a unit without a local key: exit %d %s", code, errOut)
	}

	// The server holds the store: apikey goes through it.
	reader := createKey(t, "--bu", "northwind", "--scopes", "journeys:read", "--name", "reader")
	if diff := cmp.Diff([]string{"local-dev", "reader"}, listKeyNames(t, "--bu", "northwind")); diff != "" {
		t.Errorf("keys listed through the dev server (-want +got):\n%s", diff)
	}
	t.Setenv(envAPIKey, reader.Secret)
	if code, out, errOut := runCLI("status", "--api", s.URL(), "welcome"); code != exitOK {
		t.Fatalf("status with the new key: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI("apikey", "revoke", "--bu", "northwind", "reader"); code != exitOK {
		t.Fatalf("revoke through the dev server: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI("status", "--api", s.URL(), "welcome"); code != exitFailed || !strings.Contains(errOut, "401") {
		t.Errorf("status with the revoked key: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCLI("apikey", "create", "--bu", "northwind", "--scopes", "*", "--name", "local-dev"); code != exitUsage || !strings.Contains(errOut, "has a key of that name") {
		t.Errorf("a taken name through the dev server: exit %d %s", code, errOut)
	}

	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s2 := start()
	kf2, err := devserver.ReadKeyFile(dir)
	if err != nil || kf2.Keys["northwind"] != kf.Keys["northwind"] || kf2.URL != s2.URL() {
		t.Fatalf("after a restart the local key should be kept: %+v, %v", kf2, err)
	}
	// A lost key file: a new local key replaces the old one, which stops working.
	if err := s2.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(s2.KeyFile()); err != nil {
		t.Fatal(err)
	}
	s3 := start()
	kf3, err := devserver.ReadKeyFile(dir)
	if err != nil || kf3.Keys["northwind"] == "" || kf3.Keys["northwind"] == kf.Keys["northwind"] {
		t.Fatalf("after losing the key file: %+v, %v", kf3, err)
	}
	if _, err := s3.System().Store.GetAPIKey(ctx, manage.HashKey(kf.Keys["northwind"])); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old local key should be revoked: %v", err)
	}
	if diff := cmp.Diff([]string{"local-dev"}, listKeyNames(t, "--bu", "northwind")); diff != "" {
		t.Errorf("keys after the new local key (-want +got):\n%s", diff)
	}
}
