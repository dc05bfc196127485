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
	if !strings.Contains(out, "html:      "+htmlOut+" (") {
		t.Errorf("output does not name the HTML file:\n%s", out)
	}
}

// TestPreviewWritesHTML checks that the HTML is written without
// --html-out: to build/preview/<template>[.<locale>].html under the
// working folder by default, or under --out-dir; --json keeps stdout JSON
// and names the file on stderr.
func TestPreviewWritesHTML(t *testing.T) {
	content, err := filepath.Abs("../../journeys/content")
	if err != nil {
		t.Fatal(err)
	}
	contact, err := filepath.Abs("testdata/preview/contact.json")
	if err != nil {
		t.Fatal(err)
	}
	outDir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		wantPath string // relative to the working folder
		json     bool
	}{
		{"default folder", []string{"welcome-intro"}, "build/preview/welcome-intro.de-AT.html", false},
		{"locale flag", []string{"welcome-intro", "--locale", "de"}, "build/preview/welcome-intro.de.html", false},
		{"default locale", []string{"welcome-offer", "--locale", "en"}, "build/preview/welcome-offer.html", false},
		{"out-dir", []string{"welcome-intro", "--out-dir", outDir}, filepath.Join(outDir, "welcome-intro.de-AT.html"), false},
		{"json", []string{"welcome-intro", "--json"}, "build/preview/welcome-intro.de-AT.html", true},
	}
	t.Chdir(t.TempDir())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"preview", "--content", content, "--contact", contact}, tc.args[1:]...)
			args = append(args, tc.args[0])
			code, out, errOut := runCLI(args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			html, err := os.ReadFile(tc.wantPath)
			if err != nil {
				t.Fatalf("the HTML was not written: %v", err)
			}
			if !strings.Contains(string(html), "</html>") {
				t.Errorf("%s holds no HTML document", tc.wantPath)
			}
			where, named := out, "html:      "+tc.wantPath+" ("
			if tc.json {
				where, named = errOut, "html: written to "+tc.wantPath+"\n"
			}
			if !strings.Contains(where, named) {
				t.Errorf("output does not contain %q:\nstdout:\n%s\nstderr:\n%s", named, out, errOut)
			}
		})
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
