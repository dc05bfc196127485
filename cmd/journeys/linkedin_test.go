package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
)

func TestLinkedInCommands(t *testing.T) {
	fake := linkedintest.NewServer(t, linkedintest.Options{})
	tokenPath := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenPath, []byte(fake.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"LINKEDIN_API_URL": fake.URL, "LINKEDIN_VERSION": "202601", "LINKEDIN_TOKEN_FILE": tokenPath}
	getenv := func(k string) string { return env[k] }
	owner := "urn:li:sponsoredAccount:1234567"
	steps := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string // substring
	}{
		{"list empty", []string{"subscriptions", "--owner", owner}, exitOK, "no SPONSORED subscriptions for " + owner + "\n", ""},
		{"subscribe", []string{"subscribe", "--webhook", "https://hooks.example.com/li", "--owner", owner}, exitOK, "subscribed: id 1\n", ""},
		{"subscribe organic, json", []string{"subscribe", "--json", "--webhook", "https://hooks.example.com/org", "--owner", "urn:li:organization:77", "--lead-type", "COMPANY"}, exitOK, "{\n  \"id\": \"2\"\n}\n", ""},
		{"list", []string{"subscriptions", "--owner", owner}, exitOK, "1\tSPONSORED\thttps://hooks.example.com/li\n", ""},
		{"list json", []string{"subscriptions", "--owner", owner, "--json"}, exitOK,
			"[\n  {\n    \"id\": \"1\",\n    \"webhook\": \"https://hooks.example.com/li\",\n    \"owner\": \"urn:li:sponsoredAccount:1234567\",\n    \"leadType\": \"SPONSORED\"\n  }\n]\n", ""},
		{"unsubscribe", []string{"unsubscribe", "--id", "1"}, exitOK, "deleted subscription 1\n", ""},
		{"unsubscribe again", []string{"unsubscribe", "--id", "1"}, exitFailed, "", "status 404"},
		{"missing owner", []string{"subscriptions"}, exitUsage, "", "--owner is required"},
		{"bad owner", []string{"subscribe", "--webhook", "https://x.example", "--owner", "urn:li:person:1"}, exitUsage, "", "owner type"},
		{"missing id", []string{"unsubscribe"}, exitUsage, "", "--id is required"},
		{"unknown subcommand", []string{"backfil"}, exitUsage, "", "unknown subcommand"},
		{"no subcommand", nil, exitUsage, "", "Usage: journeys linkedin"},
		{"help", []string{"subscribe", "--help"}, exitOK, "Usage: journeys linkedin subscribe", ""},
		{"bad version flag", []string{"subscriptions", "--owner", owner, "--version", "2026"}, exitUsage, "", "not YYYYMM"},
		{"wrong token", []string{"subscriptions", "--owner", owner, "--token-file", writeFile(t, "nope")}, exitFailed, "", "401"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runLinkedInEnv(&cli{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}, s.args, getenv)
			if code != s.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, s.code, stderr.String())
			}
			if s.name == "help" {
				if !strings.Contains(stdout.String(), s.stdout) {
					t.Errorf("stdout = %q", stdout.String())
				}
			} else if diff := cmp.Diff(s.stdout, stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if !strings.Contains(stderr.String(), s.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), s.stderr)
			}
		})
	}
	want := []linkedin.Subscription{{ID: "2", Webhook: "https://hooks.example.com/org",
		Owner: linkedin.Union{Kind: "organization", URN: "urn:li:organization:77"}, LeadType: "COMPANY"}}
	if diff := cmp.Diff(want, fake.Subscriptions()); diff != "" {
		t.Errorf("server subscriptions (-want +got):\n%s", diff)
	}
}

func TestLinkedInNoTokenFile(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := runLinkedInEnv(&cli{stdout: &stdout, stderr: &stderr}, []string{"subscriptions", "--owner", "urn:li:sponsoredAccount:1", "--version", "202601"},
		func(string) string { return "" })
	if code != exitUsage || !strings.Contains(stderr.String(), "LINKEDIN_TOKEN_FILE") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestLinkedInListedInHelp(t *testing.T) {
	var stdout bytes.Buffer
	run([]string{"--help"}, nil, &stdout, &stdout)
	if !strings.Contains(stdout.String(), "linkedin") {
		t.Errorf("help does not list linkedin:\n%s", stdout.String())
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
