package content

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// FuzzTemplate compiles and renders arbitrary template source: no panic, no
// hang (every render runs under a 200 ms deadline and the default limits),
// and only the documented errors come out.
func FuzzTemplate(f *testing.F) {
	for _, body := range []string{
		`Hi {{ contact.firstName | default: "there" }}`,
		`{% for i in (1..3) %}{{ forloop.index }}{% if i == 2 %}{% break %}{% endif %}{% endfor %}`,
		`{% assign s = "ab" %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}`,
		`{% capture c %}{{ contact.company | upcase }}{% endcapture %}{{ c | size }}`,
		`{% case contact.plan %}{% when "pro" %}P{% else %}O{% endcase %}{% render 'b' %}`,
		`{{ 99999999999999999999999 }}{{ "x" | date: "%Y" }}{{ 5 | divided_by: 0 }}`,
		`{% cycle "a", "b" %}{{ (1..5) | join }}{% raw %}{{ x }}{% endraw %}`,
		`<a href="{{ event.url }}">{{ owner.name }}</a>{{ x | json }}`,
	} {
		f.Add(body, "Ada")
	}
	f.Fuzz(func(t *testing.T, body, name string) {
		if len(body) > 4096 {
			return
		}
		for _, head := range []string{"channel: email\nkind: transactional\nsubject: s", "channel: custom"} {
			src, _ := LoadFiles(mapFS(map[string]string{
				"templates/t.liquid": "---\n" + head + "\n---\n" + body,
				"blocks/b@1.liquid":  "{{ contact.firstName }} {% render 'c' %}",
				"blocks/c@1.liquid":  "c",
			}), "content")
			opts := Options{Schema: testSchema(), Links: testLinks(t)}
			if head == "channel: custom" {
				opts.Schema = nil // plain Liquid: every variable allowed
			}
			l := NewLibrary(src, opts)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			req := testRequest("t")
			req.Contact["firstName"] = name
			start := time.Now()
			_, err := l.Render(ctx, req)
			cancel()
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("render took %v", d)
			}
			var ps Problems
			switch {
			case err == nil, errors.As(err, &ps), errors.Is(err, ErrLimit), errors.Is(err, ErrRender), errors.Is(err, ErrNotFound):
			default:
				t.Fatalf("undocumented error %T: %v", err, err)
			}
			for _, p := range ps {
				if p.Pos.File == "" {
					t.Errorf("problem without a file: %v", p)
				}
			}
		}
	})
}

// FuzzContactValues renders a template with arbitrary contact values and
// checks the escaping promise: nothing the contact supplies opens a tag or
// breaks out of an attribute, and the JSON payload stays valid.
func FuzzContactValues(f *testing.F) {
	l := newLib(f, map[string]string{
		"templates/t.liquid": email(`<p title="{{ contact.company }}">{{ contact.firstName }}</p><a href="{{ contact.plan }}">x</a>`),
		"templates/p.liquid": "---\nchannel: custom\nkind: transactional\n---\n{\"n\": \"{{ contact.firstName }}\", \"c\": \"{{ contact.company | default: \"x\" }}\"}",
	})
	f.Add(`<script>alert(1)</script>`, `" onmouseover="x`, "javascript:alert(1)")
	f.Add("\x00\xff\"\\\u2028", "'", " JAVASCRIPT:x")
	f.Fuzz(func(t *testing.T, first, company, plan string) {
		req := testRequest("t")
		req.Contact = map[string]any{"firstName": first, "company": company, "plan": plan}
		m, err := l.Render(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		rest := strings.TrimPrefix(m.HTML, `<p title="`)
		if strings.Count(m.HTML, "<") != 4 || strings.Count(m.HTML, `"`) != 4 || !strings.HasPrefix(m.HTML, `<p title="`) || len(rest) == len(m.HTML) {
			t.Fatalf("contact data changed the markup: %q", m.HTML)
		}
		if linkScheme(plan) == "javascript" && !strings.Contains(m.HTML, `href="#"`) {
			t.Fatalf("script URL kept: %q", m.HTML)
		}
		req.Template = "p"
		if _, err := l.Render(context.Background(), req); err != nil {
			t.Fatalf("payload with %q: %v", first, err)
		}
	})
}

func FuzzHTMLToText(f *testing.F) {
	links := testLinks(f)
	f.Add(`<p>a <a href="x">b</a></p><!-- <a`)
	f.Add(`<a href='&amp;'><img alt="&#x"></a><li>`)
	f.Fuzz(func(t *testing.T, doc string) {
		out := HTMLToText(doc)
		if !strings.HasSuffix(out, "\n") {
			t.Fatalf("text %q does not end with a newline", out)
		}
		var tracked []string
		_ = appendRewritten(nil, doc, nil, "m", &tracked)
		clicks := &tracking.ClickWriter{}
		clicks.Reset(links, "m")
		p := htmlPass{rewrite: true, text: &textConv{}, links: links, clicks: clicks, preheader: "pre", closing: []byte("<img>")}
		p.run(doc)
		if !strings.Contains(string(p.out), "<img>") || !strings.Contains(string(p.out), "pre</div>") {
			t.Fatalf("the pass lost its insertions: %q", p.out)
		}
	})
}

func FuzzSegments(f *testing.F) {
	f.Add("hello €")
	f.Add("🎉 ж")
	f.Fuzz(func(t *testing.T, text string) {
		s := CountSegments(text)
		if text != "" && (s.Count < 1 || s.Units > s.Count*s.PerSegment || s.Units <= (s.Count-1)*(s.PerSegment-1)-1) {
			t.Fatalf("%q: %+v", text, s)
		}
	})
}

// FuzzTextRuns: textConv.text, which copies runs of words at once, writes
// what writing word by word writes (the plain definition below), in any
// state a document leaves it.
func FuzzTextRuns(f *testing.F) {
	f.Add("Hello world,  foo\tbar &amp; baz&nbsp;qux ", 0, false, false)
	f.Add(" a b\n\nc &#39;d&#39; &bogus; e ", 2, true, true)
	f.Fuzz(func(t *testing.T, s string, newlines int, space, inLink bool) {
		newlines = max(0, min(newlines, 2))
		start := textConv{out: []byte("x"), newlines: newlines, space: space, inLink: inLink, linkStart: 1}
		fast, slow := start, start
		fast.out, slow.out = []byte("x"), []byte("x")
		fast.text(s)
		slow.wordByWord(s)
		if string(fast.out) != string(slow.out) || fast.newlines != slow.newlines || fast.space != slow.space {
			t.Fatalf("%q: runs %q (%d, %v), words %q (%d, %v)", s, fast.out, fast.newlines, fast.space, slow.out, slow.newlines, slow.space)
		}
	})
}

// wordByWord is textConv.text as defined: white space owes a space, each
// word is written after what is owed, references are decoded.
func (c *textConv) wordByWord(s string) {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j > i {
			c.space, i = true, j
			continue
		}
		for j < len(s) && !isSpace(s[j]) && s[j] != '&' {
			j++
		}
		if j > i {
			if c.newlines > 0 || c.space {
				c.separate()
			}
			c.out = append(c.out, s[i:j]...)
			i = j
			continue
		}
		ent, n := entityAt(s[i:])
		switch {
		case n == 0:
			ent, n = "&", 1
		case ent == " ":
			c.space, i = true, i+n
			continue
		}
		if c.newlines > 0 || c.space {
			c.separate()
		}
		c.out = append(c.out, ent...)
		i += n
	}
}

// FuzzContainsSigned: containsSigned is strings.Contains.
func FuzzContainsSigned(f *testing.F) {
	u := "https://t.example.com/unsubscribe?t=k1.bm9ydGh3aW5k.VAe7xVSrqX1aVjmmt7ItMw"
	f.Add("<a href=\""+u+"\">x</a>", u)
	f.Add(u[1:]+u[:len(u)-1]+"VAe7xVSrqX1aVjmmt7ItMw", u)
	f.Add("short", "rt")
	f.Fuzz(func(t *testing.T, s, sub string) {
		if got, want := containsSigned(s, sub), strings.Contains(s, sub); got != want {
			t.Fatalf("containsSigned(%q, %q) = %v, want %v", s, sub, got, want)
		}
	})
}
