package content

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

func TestEscaping(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/t.liquid": "---\nchannel: email\nkind: transactional\ntracking: false\nsubject: Hi {{ contact.firstName }}\n---\n" +
			`<p>{{ contact.firstName }}</p><p title="{{ contact.company }}">{{ contact.company | escape }}</p>{% capture c %}<b>{{ contact.firstName }}</b>{% endcapture %}{{ c }}{% render 'trusted', html: "<em>ok</em>" %}`,
		"blocks/trusted@1.liquid": "---\nparams: html\n---\n{{ html | raw }}",
		"templates/p.liquid":      "---\nchannel: custom\nkind: transactional\n---\n{\"name\": \"{{ contact.firstName }}\", \"n\": {{ contact.leadScore | json }}}",
		"templates/s.liquid":      smsFile("Hi {{ contact.firstName }}"),
	})
	req := testRequest("t")
	req.Contact["firstName"] = `<script>alert(1)</script>`
	req.Contact["company"] = `"Acme" & <Co>`
	m := mustRender(t, l, req)
	wantHTML := `<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p title="&#34;Acme&#34; &amp; &lt;Co&gt;">&#34;Acme&#34; &amp; &lt;Co&gt;</p><b>&lt;script&gt;alert(1)&lt;/script&gt;</b><em>ok</em>`
	if diff := cmp.Diff(wantHTML, m.HTML); diff != "" {
		t.Errorf("html (-want +got):\n%s", diff)
	}
	if m.Subject != "Hi <script>alert(1)</script>" {
		t.Errorf("subject %q: a subject is text, not HTML", m.Subject)
	}
	req.Template = "p"
	req.Contact["firstName"] = "Ada \"The Countess\"\n</script>"
	m = mustRender(t, l, req)
	var payload map[string]any
	if err := json.Unmarshal(m.Payload, &payload); err != nil {
		t.Fatalf("payload %s: %v", m.Payload, err)
	}
	if payload["name"] != req.Contact["firstName"] || payload["n"] != float64(72) {
		t.Errorf("payload = %v", payload)
	}
	if strings.Contains(string(m.Payload), "</script>") {
		t.Errorf("payload %s carries </script> unescaped", m.Payload)
	}
	req.Template = "s"
	if m = mustRender(t, l, req); m.Text != "Hi Ada \"The Countess\"\n</script>" {
		t.Errorf("sms text %q", m.Text)
	}
}

func TestPersonalisation(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/t.liquid": email(`Hi {{ contact.firstName | default: "there" }}!` +
			`{% if contact.leadScore > 50 %} Hot lead of {{ owner.name }}.{% else %} Not yet.{% endif %}` +
			`{% unless contact.plan == "free" %} Paid.{% endunless %}` +
			`{% case contact.industry %}{% when "Retail", "Wholesale" %} Shops.{% else %} Other.{% endcase %}` +
			` {{ event.webinarTitle | default: "no webinar" }} {{ journey.name }} v{{ journey.version }} {{ step.id }} {{ message.id }}`),
	})
	tests := []struct {
		name    string
		contact map[string]any
		event   map[string]any
		want    string
	}{
		{"all set", map[string]any{"firstName": "Ada", "leadScore": 72, "plan": "pro", "industry": "Retail"}, map[string]any{"webinarTitle": "Dashboards 101"},
			"Hi Ada! Hot lead of Grace Hopper. Paid. Shops. Dashboards 101 Welcome v3 send-intro msg-1"},
		{"missing values take defaults", map[string]any{"plan": "free"}, nil,
			"Hi there! Not yet. Other. no webinar Welcome v3 send-intro msg-1"},
		{"empty string takes the default", map[string]any{"firstName": "", "leadScore": 10, "industry": "Wholesale"}, nil,
			"Hi there! Not yet. Paid. Shops. no webinar Welcome v3 send-intro msg-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := testRequest("t")
			req.Contact, req.Event = tc.contact, tc.event
			if got := mustRender(t, l, req).HTML; got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestBlockVersions(t *testing.T) {
	files := map[string]string{
		"templates/latest.liquid":            email(`{% render 'footer' %}`),
		"templates/pinned.liquid":            email(`{% render 'footer@1' %}`),
		"blocks/footer@1.liquid":             "footer one",
		"blocks/footer@2.liquid":             "footer two {% render 'legal' %}",
		"blocks/legal@1.liquid":              "legal",
		"units/emea/blocks/legal@1.liquid":   "EMEA legal",
		"units/emea/templates/pinned.liquid": email(`emea {% render 'footer@2' %}`),
	}
	l := newLib(t, files)
	for _, tc := range []struct{ bu, template, want string }{
		{"northwind", "latest", "footer two legal"},
		{"northwind", "pinned", "footer one"},
		{"emea", "latest", "footer two EMEA legal"},
		{"emea", "pinned", "emea footer two EMEA legal"},
	} {
		req := testRequest(tc.template)
		req.BU = tc.bu
		if got := mustRender(t, l, req).HTML; got != tc.want {
			t.Errorf("%s/%s = %q, want %q", tc.bu, tc.template, got, tc.want)
		}
	}
	// A new version of footer is picked up by "latest" after Invalidate,
	// while the pinned template keeps version 1.
	files["blocks/footer@3.liquid"] = "footer three"
	l2 := newLib(t, files)
	if got := mustRender(t, l2, testRequest("latest")).HTML; got != "footer three" {
		t.Errorf("latest after adding v3 = %q", got)
	}
	if got := mustRender(t, l2, testRequest("pinned")).HTML; got != "footer one" {
		t.Errorf("pinned after adding v3 = %q", got)
	}
}

func TestLocaleFallback(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/t.liquid":       email(`en {% render 'sig' %}`),
		"templates/t.de.liquid":    email(`de {% render 'sig' %}`),
		"templates/t.de-AT.liquid": email(`at {% render 'sig' %}`),
		"blocks/sig@1.liquid":      "Regards",
		"blocks/sig@1.de.liquid":   "Grüße",
	})
	for _, tc := range []struct{ locale, want, variant string }{
		{"de-AT", "at Grüße", "de-AT"},
		{"de_at", "at Grüße", "de-AT"},
		{"de-CH", "de Grüße", "de"},
		{"de", "de Grüße", "de"},
		{"fr-FR", "en Regards", ""},
		{"", "en Regards", ""},
	} {
		req := testRequest("t")
		req.Locale = tc.locale
		m := mustRender(t, l, req)
		if m.HTML != tc.want || m.Locale != tc.variant {
			t.Errorf("locale %q: %q (variant %q), want %q (variant %q)", tc.locale, m.HTML, m.Locale, tc.want, tc.variant)
		}
		// Describe names the variant Render picks, without rendering.
		info, err := l.Describe(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		want := TemplateInfo{Template: m.Template, Version: m.Version, Locale: m.Locale, Channel: m.Channel, Kind: m.Kind, Topic: m.Topic}
		if diff := cmp.Diff(want, info); diff != "" {
			t.Errorf("locale %q: Describe (-Render's +Describe's):\n%s", tc.locale, diff)
		}
	}
	if diff := cmp.Diff([]string{"zh-Hant-TW", "zh-Hant", "zh", ""}, LocaleChain("ZH_hant_tw")); diff != "" {
		t.Errorf("chain (-want +got):\n%s", diff)
	}
}

func TestLinkRewriting(t *testing.T) {
	lk := testLinks(t)
	tests := []struct {
		name    string
		in      string
		want    string // "" means unchanged
		tracked []string
	}{
		{"plain link", `<a href="https://x.example/a">a</a>`, `<a href="` + amp(lk.Click("m", "https://x.example/a")) + `">a</a>`, []string{"https://x.example/a"}},
		{"existing query string, escaped in HTML", `<a class="b" href="https://x.example/?a=1&amp;b=2#frag">a</a>`,
			`<a class="b" href="` + amp(lk.Click("m", "https://x.example/?a=1&b=2#frag")) + `">a</a>`, []string{"https://x.example/?a=1&b=2#frag"}},
		{"single quotes, upper case", `<A HREF='HTTPS://X.EXAMPLE/'>a</A>`, `<A HREF='` + amp(lk.Click("m", "HTTPS://X.EXAMPLE/")) + `'>a</A>`, []string{"HTTPS://X.EXAMPLE/"}},
		{"area", `<area shape="rect" href="http://x.example/">`, `<area shape="rect" href="` + amp(lk.Click("m", "http://x.example/")) + `">`, []string{"http://x.example/"}},
		{"mailto", `<a href="mailto:sales@x.example?subject=Hi">m</a>`, "", nil},
		{"tel", `<a href="tel:+4930123">t</a>`, "", nil},
		{"anchor", `<a href="#top">top</a>`, "", nil},
		{"relative", `<a href="/docs">d</a>`, "", nil},
		{"own unsubscribe link", `<a href="https://t.example.com/unsubscribe?t=x">u</a>`, "", nil},
		{"opted out", `<a data-track="false" href="https://x.example/">a</a>`, "", nil},
		{"no href", `<a name="x">a</a><abbr title="https://x.example/">x</abbr>`, "", nil},
		{"script url neutralised", `<a href=" JaVa&#x09;script:alert(1)">x</a><a href="javascript:alert(1)">y</a>`, `<a href="#">x</a><a href="#">y</a>`, nil},
		{"inside a comment untouched", `<!--[if mso]><a href="https://x.example/">o</a><![endif]-->`, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tracked []string
			got := string(appendRewritten(nil, tc.in, lk, "m", &tracked))
			want := tc.want
			if want == "" {
				want = tc.in
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("html (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.tracked, tracked); diff != "" {
				t.Errorf("tracked (-want +got):\n%s", diff)
			}
		})
	}
}

func amp(s string) string { return strings.ReplaceAll(s, "&", "&amp;") }

// TestMessageOutlivesNextRender: a message shares nothing with the pooled
// renderer that made it; the next render leaves its parts and tracked
// links as they were.
func TestMessageOutlivesNextRender(t *testing.T) {
	l := newLib(t, map[string]string{"templates/p.liquid": "---\nchannel: email\nsubject: For {{ contact.firstName }}\n---\n" +
		`<p>Hi {{ contact.firstName }}, <a href="https://x.example/{{ contact.company }}">your page</a> <a href="{{ links.unsubscribe }}">Unsubscribe</a></p>`})
	first := testRequest("p")
	a := mustRender(t, l, first)
	want := *a
	want.TrackedLinks = slices.Clone(a.TrackedLinks)
	second := testRequest("p")
	second.Contact = map[string]any{"firstName": "Bartholomew", "company": "Bartholomew Industries"}
	second.MessageID = "msg-2"
	mustRender(t, l, second)
	if diff := cmp.Diff(&want, a); diff != "" {
		t.Errorf("first message changed by the second render (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"https://x.example/Acme"}, a.TrackedLinks); diff != "" {
		t.Errorf("tracked (-want +got):\n%s", diff)
	}
}

// TestTrackedLinksVerify: every rewritten link verifies at the endpoint and
// redirects to the original; a tampered one does not.
func TestTrackedLinksVerify(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/m.liquid": "---\nchannel: email\nsubject: s\n---\n<body><a href=\"https://northwind.example/p?plan=pro&amp;x=1\">p</a><a href=\"{{ links.unsubscribe }}\">u</a></body>",
	})
	m := mustRender(t, l, testRequest("m"))
	var clicks []string
	for _, part := range strings.Split(m.HTML, `href="`)[1:] {
		u := strings.ReplaceAll(part[:strings.IndexByte(part, '"')], "&amp;", "&")
		if strings.Contains(u, tracking.ClickPath+"?") {
			clicks = append(clicks, u)
		}
	}
	if len(clicks) != 1 {
		t.Fatalf("want one click URL, got %v in %s", clicks, m.HTML)
	}
	u, _ := url.Parse(clicks[0])
	c, err := l.opts.Links.Signer.VerifyClick(u.Query())
	if err != nil || c.URL != "https://northwind.example/p?plan=pro&x=1" || c.Message != "msg-1" {
		t.Fatalf("VerifyClick = %+v, %v", c, err)
	}
	q := u.Query()
	q.Set("u", "https://evil.example/")
	if _, err := l.opts.Links.Signer.VerifyClick(q); !errors.Is(err, tracking.ErrBadSignature) {
		t.Errorf("tampered destination verified: %v", err)
	}
	open := m.HTML[strings.Index(m.HTML, `<img src="`)+10:]
	ou, _ := url.Parse(strings.ReplaceAll(open[:strings.IndexByte(open, '"')], "&amp;", "&"))
	if id, err := l.opts.Links.Signer.VerifyOpen(ou.Query()); err != nil || id != "msg-1" {
		t.Errorf("open pixel: %q, %v", id, err)
	}
}

func TestUnsubscribeAndTracking(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/m.liquid": "---\nchannel: email\ntopic: product-news\nsubject: s\n---\n<html><body><p><a href=\"https://x.example/\">x</a></p>{% if contact.plan == \"never\" %}<a href=\"{{ links.unsubscribe }}\">u</a>{% endif %}</body></html>",
		"templates/q.liquid": "---\nchannel: email\ntracking: false\nsubject: s\n---\n<body><a href=\"https://x.example/\">x</a><a href=\"{{ links.unsubscribe }}\">u</a></body>",
		"templates/t.liquid": email(`<body><a href="https://x.example/">x</a></body>`),
	})
	m := mustRender(t, l, testRequest("m"))
	tok, err := l.opts.Links.Signer.Token(tracking.Subscriber{BU: "northwind", Contact: "c-81f2", Message: "msg-1", Topic: "product-news"})
	if err != nil {
		t.Fatal(err)
	}
	unsub := "https://t.example.com/unsubscribe?t=" + tok
	wantHeaders := []Header{
		{"List-Unsubscribe", "<" + unsub + ">, <mailto:unsubscribe@northwind.example?subject=unsubscribe%20" + tok + ">"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
	}
	if diff := cmp.Diff(wantHeaders, m.Headers); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if !strings.Contains(m.HTML, `<a href="`+unsub+`">Unsubscribe</a>`) || !strings.Contains(m.Text, "Unsubscribe: "+unsub) {
		t.Errorf("the template's own link was conditional; the render must add one:\n%s\n%s", m.HTML, m.Text)
	}
	if len(m.TrackedLinks) != 1 || !strings.Contains(m.HTML, "/o?m=msg-1") {
		t.Errorf("marketing email is tracked: %v\n%s", m.TrackedLinks, m.HTML)
	}

	q := mustRender(t, l, testRequest("q"))
	if len(q.TrackedLinks) != 0 || strings.Contains(q.HTML, "/c?") || strings.Contains(q.HTML, "/o?") {
		t.Errorf("tracking: false still tracks:\n%s", q.HTML)
	}
	if len(q.Headers) != 2 {
		t.Errorf("an untracked marketing email still needs List-Unsubscribe: %v", q.Headers)
	}

	tr := mustRender(t, l, testRequest("t"))
	if len(tr.Headers) != 0 || strings.Contains(tr.HTML, "unsubscribe") || strings.Contains(tr.Text, "Unsubscribe") {
		t.Errorf("transactional email got unsubscribe: %v\n%s", tr.Headers, tr.HTML)
	}

	// Without a mailto address the header carries the https URL only.
	lk, _ := tracking.NewLinks("https://t.example.com", l.opts.Links.Signer, "")
	l2 := NewLibrary(l.src, Options{Schema: testSchema(), Links: lk})
	if h := mustRender(t, l2, testRequest("m")).Headers[0].Value; h != "<"+unsub+">" {
		t.Errorf("List-Unsubscribe without mailto = %q", h)
	}
	l3 := NewLibrary(l.src, Options{Schema: testSchema()})
	if _, err := l3.Render(context.Background(), testRequest("m")); !errors.Is(err, ErrNoLinks) {
		t.Errorf("marketing email without Links: %v, want ErrNoLinks", err)
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs and breaks", "<p>One\n  two</p><p>Three<br>four</p>", "One two\n\nThree\nfour\n"},
		{"links", `<p>Read <a href="https://x.example/a?b=1&amp;c=2">the guide</a> or <a href="https://x.example/">https://x.example/</a>.</p>`,
			"Read the guide (https://x.example/a?b=1&c=2) or https://x.example/.\n"},
		{"mailto and anchors", `<a href="mailto:a@x.example">a@x.example</a> <a href="#top">top</a> <a href="mailto:a@x.example">write</a>`,
			"a@x.example top write (a@x.example)\n"},
		{"lists and headings", "<h1>Title</h1><ul><li>a</li><li>b</li></ul><hr><p>end</p>", "Title\n\n- a\n- b\n\n---\n\nend\n"},
		{"hidden parts and entities", "<html><head><title>T</title><style>p{}</style></head><body><!-- c --><script>x()</script><p>Fish &amp; chips&nbsp;&mdash; &#163;5</p></body></html>",
			"Fish & chips — £5\n"},
		{"image links use the alt text", `<a href="https://x.example/"><img src="l.png" alt="Northwind"></a>`, "Northwind (https://x.example/)\n"},
		{"tables", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, HTMLToText(tc.in)); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
		})
	}
	l := newLib(t, map[string]string{"templates/t.liquid": email("<p>html</p>\n--- text\nHand-written {{ contact.firstName }}\n")})
	if got := mustRender(t, l, testRequest("t")).Text; got != "Hand-written Ada\n" {
		t.Errorf("a template's own text part wins: %q", got)
	}
}

func TestSegments(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Segments
	}{
		{"empty", "", Segments{GSM7, 0, 0, 160}},
		{"160 GSM-7 is one", strings.Repeat("a", 160), Segments{GSM7, 160, 1, 160}},
		{"161 GSM-7 is two", strings.Repeat("a", 161), Segments{GSM7, 161, 2, 153}},
		{"306 GSM-7 is two", strings.Repeat("a", 306), Segments{GSM7, 306, 2, 153}},
		{"307 GSM-7 is three", strings.Repeat("a", 307), Segments{GSM7, 307, 3, 153}},
		{"extension chars count two", strings.Repeat("€", 80), Segments{GSM7, 160, 1, 160}},
		{"one more extension char", strings.Repeat("€", 80) + "a", Segments{GSM7, 161, 2, 153}},
		{"escape pair not split", strings.Repeat("a", 152) + "{" + strings.Repeat("a", 10), Segments{GSM7, 164, 2, 153}},
		{"escape pair pushed to the next segment", strings.Repeat("a", 152) + "{" + strings.Repeat("a", 152), Segments{GSM7, 306, 3, 153}},
		{"GSM accents stay GSM-7", "Grüße aus Köln, Señor Ñoño à €5", Segments{GSM7, 32, 1, 160}},
		{"ú is not in the GSM alphabet", "Ñandú", Segments{UCS2, 5, 1, 70}},
		{"one non-GSM char forces UCS-2", "Ça va? Cześć", Segments{UCS2, 12, 1, 70}},
		{"70 UCS-2 is one", strings.Repeat("ж", 70), Segments{UCS2, 70, 1, 70}},
		{"71 UCS-2 is two", strings.Repeat("ж", 71), Segments{UCS2, 71, 2, 67}},
		{"emoji are surrogate pairs", strings.Repeat("🎉", 35), Segments{UCS2, 70, 1, 70}},
		{"surrogate pair not split", strings.Repeat("ж", 66) + "🎉" + strings.Repeat("ж", 10), Segments{UCS2, 78, 2, 67}},
		{"surrogate pair pushed to the next segment", strings.Repeat("ж", 66) + "🎉" + strings.Repeat("ж", 66), Segments{UCS2, 134, 3, 67}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, CountSegments(tc.text)); diff != "" {
				t.Errorf("segments (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	files := map[string]string{
		"templates/loop.liquid":   email(`{% for i in (1..100000000) %}{% endfor %}`),
		"templates/nested.liquid": email(`{% for a in (1..1000) %}{% for b in (1..1000) %}x{% endfor %}{% endfor %}`),
		"templates/big.liquid":    email(`{% for i in (1..9000) %}{{ contact.company }}{{ contact.company }}{% endfor %}`),
		"templates/double.liquid": email(`{% assign s = "xxxxxxxxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}`),
		"templates/replace.liquid": email(`{% assign s = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" %}` +
			`{% for i in (1..10) %}{% assign s = s | replace: "a", s %}{% endfor %}`),
		"templates/fanout.liquid": email(`{% render 'b1' %}`),
		"blocks/b1@1.liquid":      strings.Repeat(`{% render 'b2' %}`, 40),
		"blocks/b2@1.liquid":      strings.Repeat(`{% render 'b3' %}`, 40),
		"blocks/b3@1.liquid":      strings.Repeat(`{% render 'b4' %}`, 40),
		"blocks/b4@1.liquid":      strings.Repeat(`{{ contact.plan }}`, 40),
	}
	l := newLib(t, files)
	l.lim.MaxOutput = 64 << 10
	for _, name := range []string{"loop", "nested", "big", "double", "replace", "fanout"} {
		t.Run(name, func(t *testing.T) {
			req := testRequest(name)
			req.Contact["company"] = strings.Repeat("A", 10)
			_, err := l.Render(context.Background(), req)
			if !errors.Is(err, ErrLimit) {
				t.Errorf("Render = %v, want ErrLimit", err)
			}
		})
	}
	t.Run("deadline", func(t *testing.T) {
		l2 := newLib(t, files)
		l2.lim.MaxIterations = 1 << 40
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := l2.Render(ctx, testRequest("loop"))
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "render time") {
			t.Errorf("Render = %v, want the render-time limit", err)
		}
	})
}

// TestConcurrentRender renders from many goroutines on a fresh library, so
// that the first compilation races with renders (run with -race).
func TestConcurrentRender(t *testing.T) {
	l := newLib(t, benchFiles())
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				req := benchRequest()
				req.Contact = map[string]any{"firstName": "C" + string(rune('a'+g)), "company": "Co"}
				m, err := l.Render(context.Background(), req)
				if err != nil {
					errs <- err
					return
				}
				if !strings.Contains(m.HTML, "Hi C"+string(rune('a'+g))+",") {
					errs <- errors.New("render mixed up contacts")
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTrimAndParams(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/t.liquid":   email("<p>\n  {{- contact.firstName -}}\n</p>{% render 'card', title: contact.company | default: \"a, b\", url: \"https://x.example/?a=1,2\" %}"),
		"blocks/card@1.liquid": "---\nparams: title, url\n---\n[{{ title }}|{{ url }}]",
	})
	req := testRequest("t")
	req.Contact["company"] = ""
	if got := mustRender(t, l, req).HTML; got != "<p>Ada</p>[a, b|https://x.example/?a=1,2]" {
		t.Errorf("got %q", got)
	}
}

// TestRenderErrorsHideValues: a failing expression reports the line and
// the filter, never the value it failed on (it may be contact data).
func TestRenderErrorsHideValues(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/div.liquid":  email("<p>\n{{ contact.leadScore | divided_by: 0 }}</p>"),
		"templates/type.liquid": email("{{ contact.firstName | divided_by: 2 }}"),
	})
	for name, want := range map[string]string{"div": "line 8: filter divided_by failed", "type": "line 7: expression failed (values.TypeError)"} {
		req := testRequest(name)
		req.Contact["firstName"] = "Ada Lovelace"
		_, err := l.Render(context.Background(), req)
		if !errors.Is(err, ErrRender) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "Ada") {
			t.Errorf("%s: Render = %v, want %q without the value", name, err, want)
		}
	}
}
