package settings_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

func TestExampleSettings(t *testing.T) {
	dir := filepath.Join(testsvc.Root(t), "journeys", "settings")
	files, _ := filepath.Glob(filepath.Join(dir, "*.settings.yaml"))
	if len(files) == 0 {
		t.Fatal("no example settings files")
	}
	d := settings.NewDir(dir)
	for _, f := range files {
		bu := strings.TrimSuffix(filepath.Base(f), ".settings.yaml")
		s, err := d.For(bu)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if unknown := s.UnknownSections(approval.SectionName, intake.SectionName, leads.SectionName); len(unknown) > 0 {
			t.Errorf("%s: sections no package reads yet: %v", f, unknown)
		}
		if _, err := s.Outbound.Policy(); err != nil {
			t.Error(err)
		}
	}
}

func TestParse(t *testing.T) {
	s, err := settings.Parse("acme.settings.yaml", []byte(`
businessUnit: acme
sender: {name: Acme, email: hi@acme.example}
timezone: America/New_York
tracking: {baseUrl: "https://t.acme.example", keys: [{id: k2, secret: tracking-new}, {id: k1, secret: tracking-old}]}
outbound: {allowedHosts: [mail.example], allowedNetworks: [127.0.0.1/32], httpHosts: [127.0.0.1]}
channels:
  email: {provider: webhook, url: "https://mail.example/send", secret: channel-email, timeout: 5s}
  push: {provider: outbox, folder: out}
actions:
  crm: {url: "https://mail.example/crm", secret: crm}
  flow: {url: "https://mail.example/flow?sig=x", unsigned: true}
approvals:
  flowUrl: https://flow.example
  timeout: 3d
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Channels["email"].Timeout.Or(time.Minute); got != 5*time.Second {
		t.Errorf("email timeout %v", got)
	}
	if got := s.Channels["push"].Timeout.Or(time.Minute); got != time.Minute {
		t.Errorf("push timeout default %v", got)
	}
	if s.Location().String() != "America/New_York" {
		t.Errorf("location %v", s.Location())
	}
	var appr struct {
		FlowURL string `yaml:"flowUrl"`
		Timeout string `yaml:"timeout"`
	}
	found, err := s.Section("approvals", &appr)
	if err != nil || !found || appr.FlowURL != "https://flow.example" || appr.Timeout != "3d" {
		t.Errorf("Section(approvals) = %v, %v, %+v", found, err, appr)
	}
	if found, _ := s.Section("linkedin", &appr); found {
		t.Error("Section(linkedin) found a section that is not there")
	}
	if diff := cmp.Diff([]string{"approvals"}, s.UnknownSections("linkedin")); diff != "" {
		t.Error(diff)
	}
	p, err := s.Outbound.Policy()
	if err != nil || len(p.AllowedNetworks) != 1 || p.AllowedHosts[0] != "mail.example" {
		t.Errorf("policy %+v %v", p, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"no bu", `sender: {name: x}`, "businessUnit is missing"},
		{"typo in known section", "businessUnit: a\nsender: {nmae: x}", "field nmae not found"},
		{"bad zone", "businessUnit: a\ntimezone: Mars/Olympus", `timezone "Mars/Olympus"`},
		{"webhook without secret", "businessUnit: a\nchannels: {email: {provider: webhook, url: 'https://x'}}", "channels.email: a webhook provider needs url and secret"},
		{"unknown provider", "businessUnit: a\nchannels: {email: {provider: smtp}}", `provider "smtp" is not webhook or outbox`},
		{"plain-text secret", "businessUnit: a\nchannels: {email: {provider: webhook, url: 'https://x', secret: 'not a name!'}}", "needs url and secret"},
		{"unsigned action not said", "businessUnit: a\nactions: {crm: {url: 'https://x'}}", "unsigned: true"},
		{"bad network", "businessUnit: a\noutbound: {allowedNetworks: [localhost]}", `"localhost" is not a CIDR prefix`},
		{"bad duration", "businessUnit: a\nchannels: {email: {provider: outbox, timeout: soon}}", `"soon" is not a duration`},
		{"tracking key without secret", "businessUnit: a\ntracking: {keys: [{id: k1}]}", "tracking.keys[0] needs an id and a secret name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := settings.Parse("a.settings.yaml", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "a.settings.yaml: ") {
				t.Errorf("error %v, want one naming the file and containing %q", err, tt.want)
			}
		})
	}
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "acme.settings.yaml"), []byte("businessUnit: acme\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "wrong.settings.yaml"), []byte("businessUnit: acme\n"), 0o600)
	d := settings.NewDir(dir)
	if s, err := d.For("acme"); err != nil || s.BusinessUnit != "acme" {
		t.Fatalf("For(acme) = %v, %v", s, err)
	}
	for _, bu := range []string{"nobody", "../acme", ""} {
		if _, err := d.For(bu); !errors.Is(err, settings.ErrNotFound) {
			t.Errorf("For(%q) = %v, want ErrNotFound", bu, err)
		}
	}
	if _, err := d.For("wrong"); err == nil || !strings.Contains(err.Error(), `the file name says "wrong"`) {
		t.Errorf("For(wrong) = %v", err)
	}
}

func TestLocalSecrets(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), ".journeys", "secrets.yaml")
	env := map[string]string{"JOURNEYS_SECRET_CHANNEL_EMAIL": "from-env"}
	src := &settings.LocalSecrets{File: file, Getenv: func(k string) string { return env[k] }}
	if v, err := src.Secret(ctx, "channel-email"); err != nil || v != "from-env" {
		t.Fatalf("env secret = %q, %v", v, err)
	}
	first, err := src.Secret(ctx, "tracking-key")
	if err != nil || !strings.HasPrefix(first, "whsec_") {
		t.Fatalf("generated secret = %q, %v", first, err)
	}
	again, _ := (&settings.LocalSecrets{File: file}).Secret(ctx, "tracking-key")
	if again != first {
		t.Error("a generated secret changed between reads")
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file mode %v, %v", fi.Mode(), err)
	}
	strict := &settings.LocalSecrets{File: file, NoGenerate: true}
	if _, err := strict.Secret(ctx, "missing"); !errors.Is(err, settings.ErrNoSecret) {
		t.Errorf("missing secret: %v", err)
	}
	if _, err := src.Secret(ctx, "../etc"); !errors.Is(err, settings.ErrNoSecret) {
		t.Errorf("bad name: %v", err)
	}
}

type fixedSecrets map[string]string

func (f fixedSecrets) Secret(_ context.Context, name string) (string, error) {
	v, ok := f[name]
	if !ok {
		return "", settings.ErrNoSecret
	}
	return v, nil
}

func TestWebhookSecrets(t *testing.T) {
	gen, _ := settings.GenerateSecret()
	src := fixedSecrets{
		"whsec":    gen,
		"raw":      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123",
		"rotation": gen + "  abcdefghijklmnopqrstuvwxyzABCDEF",
		"short":    "tooshort",
		"empty":    "  ",
	}
	tests := []struct {
		name string
		n    int
		err  bool
	}{{"whsec", 1, false}, {"raw", 1, false}, {"rotation", 2, false}, {"short", 0, true}, {"empty", 0, true}, {"absent", 0, true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := settings.WebhookSecrets(context.Background(), src, tt.name)
			if (err != nil) != tt.err || len(got) != tt.n {
				t.Errorf("WebhookSecrets(%s) = %d secrets, %v", tt.name, len(got), err)
			}
			if err != nil && strings.Contains(err.Error(), src[tt.name]) && src[tt.name] != "" && strings.TrimSpace(src[tt.name]) != "" {
				t.Errorf("error reveals the secret: %v", err)
			}
		})
	}
}
