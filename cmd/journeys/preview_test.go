package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPreviewEmail(t *testing.T) {
	htmlOut := filepath.Join(t.TempDir(), "welcome.html")
	code, out, errOut := runCLI("preview", "welcome-intro", "--content", "../../journeys/content",
		"--contact", "testdata/preview/contact.json", "--html-out", htmlOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"template:  welcome-intro v1 (email, marketing, locale de-AT, topic onboarding)\n",
		"subject:   Grüß Gott, Ada – willkommen bei Northwind Analytics\n",
		"header:    List-Unsubscribe: <http://localhost:8080/t/unsubscribe?t=",
		"header:    List-Unsubscribe-Post: List-Unsubscribe=One-Click\n",
		"Grace Hopper\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	html, err := os.ReadFile(htmlOut)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "<h1 style=\"margin:0 0 16px;font-size:24px;line-height:32px;color:#0b2545;\">Grüß Gott, Ada!</h1>") {
		t.Errorf("html file lacks the personalised heading")
	}
	if !strings.Contains(errOut, "bytes written to "+htmlOut) {
		t.Errorf("stderr %q", errOut)
	}
}

func TestPreviewFileAndLocale(t *testing.T) {
	code, out, errOut := runCLI("preview", "../../journeys/content/templates/webinar-reminder-sms.liquid",
		"--contact", "testdata/preview/contact.json", "--event", "testdata/preview/event.json", "--locale", "en")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "sms:       GSM-7, 158 units, 1 segment(s)\n\nNorthwind: \"Building a metrics layer your CFO trusts\" starts at 16:00 UTC."
	if !strings.Contains(out, want) {
		t.Errorf("output:\n%s\nwant it to contain:\n%s", out, want)
	}
}

func TestPreviewErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	bad := "---\nchannel: email\nkind: transactional\nsubject: Hi\n---\n<p>{% render 'nope' %}</p>\n"
	if err := os.WriteFile(filepath.Join(dir, "templates", "bad.liquid"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no contact", []string{"preview", "welcome-intro"}, exitUsage, "--contact FILE"},
		{"unknown template", []string{"preview", "nope", "--content", "../../journeys/content", "--contact", "testdata/preview/contact.json"}, exitFailed, `template "nope"`},
		{"invalid template", []string{"preview", "bad", "--content", dir, "--contact", "testdata/preview/contact.json"}, exitInvalid, `templates/bad.liquid:6:14: unknown block "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.inStderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errOut, tc.code, tc.inStderr)
			}
		})
	}
}
