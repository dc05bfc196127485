package content

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTextLinksFromHTML: the text part made from the HTML shows each
// tracked link with the very click URL its HTML link got (signed once),
// and leaves the unsubscribe, preference, mailto and opted-out links.
func TestTextLinksFromHTML(t *testing.T) {
	l := newLib(t, map[string]string{"templates/m.liquid": "---\nchannel: email\nsubject: s\n---\n<body>" +
		`<p>Read <a href="https://x.example/guide?a=1&amp;b=2">the guide</a>.</p>` +
		`<p><a href="https://x.example/">https://x.example/</a></p>` +
		`<p><a data-track="false" href="https://x.example/raw">raw</a> <a href="mailto:sales@x.example">sales@x.example</a></p>` +
		`<p><a href="{{ links.preferences }}">Preferences</a> <a href="{{ links.unsubscribe }}">Unsubscribe</a></p></body>`})
	lk := l.opts.Links
	m := mustRender(t, l, testRequest("m"))
	if diff := cmp.Diff([]string{"https://x.example/guide?a=1&b=2", "https://x.example/"}, m.TrackedLinks); diff != "" {
		t.Errorf("tracked (-want +got):\n%s", diff)
	}
	htmlClicks := clickURLs(strings.ReplaceAll(m.HTML, "&amp;", "&"))
	textClicks := clickURLs(m.Text)
	if diff := cmp.Diff(htmlClicks, textClicks); diff != "" || len(textClicks) != 2 {
		t.Errorf("the text's click URLs differ from the HTML's (-html +text):\n%s\n%s", diff, m.Text)
	}
	guide := lk.Click("msg-1", "https://x.example/guide?a=1&b=2")
	home := lk.Click("msg-1", "https://x.example/")
	for _, want := range []string{
		"Read the guide (" + guide + ").\n",
		"\n" + home + "\n", // the text was the URL: the click URL alone
		"raw (https://x.example/raw) sales@x.example\n",
		"Preferences (https://t.example.com/preferences?t=",
		"Unsubscribe (https://t.example.com/unsubscribe?t=",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
}

// TestTextLinksOwnTextPart: a template's own text part gets its http(s)
// URLs tracked, sentence punctuation left outside; the tracking
// endpoint's links, mailto and tracking: false stay untouched.
func TestTextLinksOwnTextPart(t *testing.T) {
	text := "Hi {{ contact.firstName }}, read https://x.example/guide?a=1&b=2. Or (see https://x.example/wiki/A_(b)), " +
		"HTTP://X.EXAMPLE/UP! xhttp://no.example/ and mailto:sales@x.example\n" +
		"Preferences: {{ links.preferences }}\nUnsubscribe: {{ links.unsubscribe }}\n"
	l := newLib(t, map[string]string{
		"templates/m.liquid": "---\nchannel: email\nsubject: s\n---\n<body><a href=\"https://x.example/h\">h</a><a href=\"{{ links.unsubscribe }}\">u</a></body>\n--- text\n" + text,
		"templates/q.liquid": "---\nchannel: email\ntracking: false\nsubject: s\n---\n<body><a href=\"{{ links.unsubscribe }}\">u</a></body>\n--- text\n" + text,
	})
	lk := l.opts.Links
	m := mustRender(t, l, testRequest("m"))
	wantTracked := []string{"https://x.example/h", "https://x.example/guide?a=1&b=2", "https://x.example/wiki/A_(b)", "HTTP://X.EXAMPLE/UP"}
	if diff := cmp.Diff(wantTracked, m.TrackedLinks); diff != "" {
		t.Errorf("tracked (-want +got):\n%s", diff)
	}
	wantStart := "Hi Ada, read " + lk.Click("msg-1", wantTracked[1]) + ". Or (see " + lk.Click("msg-1", wantTracked[2]) + "), " +
		lk.Click("msg-1", wantTracked[3]) + "! xhttp://no.example/ and mailto:sales@x.example\nPreferences: https://t.example.com/preferences?t="
	if !strings.HasPrefix(m.Text, wantStart) {
		t.Errorf("text:\n%s\nwant it to start:\n%s", m.Text, wantStart)
	}
	for _, c := range clickURLs(m.Text) {
		u, _ := url.Parse(c)
		if _, err := lk.Signer.VerifyClick(u.Query()); err != nil {
			t.Errorf("%s does not verify: %v", c, err)
		}
	}
	q := mustRender(t, l, testRequest("q"))
	if strings.Contains(q.Text, "/c?") || !strings.Contains(q.Text, "read https://x.example/guide?a=1&b=2. Or") || len(q.TrackedLinks) != 0 {
		t.Errorf("tracking: false changed the text part: %v\n%s", q.TrackedLinks, q.Text)
	}
}

var clickRE = regexp.MustCompile(`https://t\.example\.com/c\?[^\s")<]*[A-Za-z0-9_-]`)

func clickURLs(s string) []string { return clickRE.FindAllString(s, -1) }

func TestNextTextURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "see https://x.example/a now", "https://x.example/a"},
		{"full stop", "see https://x.example/a.", "https://x.example/a"},
		{"in brackets", "(https://x.example/a)", "https://x.example/a"},
		{"balanced bracket kept", "https://x.example/A_(b)", "https://x.example/A_(b)"},
		{"quoted", `"https://x.example/a"`, "https://x.example/a"},
		{"angle brackets", "<https://x.example/a>", "https://x.example/a"},
		{"non-ASCII ends it", "https://x.example/a…", "https://x.example/a"},
		{"other scheme", "ftp://x.example/ and xhttps://y.example/", ""},
		{"scheme only", "https:// nothing", ""},
		{"second one", "ftp://a.example/ http://b.example", "http://b.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if s, e := nextTextURL(tc.in, 0); s >= 0 {
				got = tc.in[s:e]
			}
			if got != tc.want {
				t.Errorf("nextTextURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
