package content

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func problemStrings(ps Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Error()
	}
	return out
}

// TestCheckProblems: one content tree per rule, the exact messages with
// file:line:col.
func TestCheckProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "unknown contact attribute in the body",
			files: map[string]string{"templates/t.liquid": email("<p>Hi\n  {{ contact.firstname }}</p>")},
			want:  []string{`content/templates/t.liquid:8:6: unknown contact property "firstname" (did you mean "firstName"?)`},
		},
		{
			name:  "unknown variable in the subject, column from the front matter",
			files: map[string]string{"templates/t.liquid": "---\nchannel: email\nkind: transactional\nsubject: Hello {{ contcat.firstName }}\n---\n<p>x</p>"},
			want:  []string{`content/templates/t.liquid:4:19: unknown variable "contcat" (did you mean "contact"?)`},
		},
		{
			name:  "unknown namespace property",
			files: map[string]string{"templates/t.liquid": email(`<a href="{{ links.unsubscrbe }}">x</a>{{ owner.phone }}`)},
			want: []string{
				`content/templates/t.liquid:7:13: unknown links property "unsubscrbe" (did you mean "unsubscribe"?)`,
				`content/templates/t.liquid:7:42: unknown owner property "phone"`,
			},
		},
		{
			name:  "bare object and forloop outside a loop",
			files: map[string]string{"templates/t.liquid": email(`{{ contact }}{{ forloop.index }}`)},
			want: []string{
				`content/templates/t.liquid:7:4: contact is an object; name a property (one of company, country, email, firstName, industry, jobTitle, lastName, leadScore, lifecycleStage, locale, plan, timezone)`,
				`content/templates/t.liquid:7:17: forloop outside a for loop`,
			},
		},
		{
			name:  "locals: for, assign and capture are known, then out of scope",
			files: map[string]string{"templates/t.liquid": email("{% assign n = contact.plan %}{% for x in (1..3) %}{{ x }}{{ forloop.index }}{{ n }}{% endfor %}{% capture c %}a{% endcapture %}{{ c }}{{ x }}")},
			want:  []string{`content/templates/t.liquid:7:138: unknown variable "x" (did you mean "c"?)`},
		},
		{
			name:  "syntax error with position",
			files: map[string]string{"templates/t.liquid": email("<p>ok</p>\n<p>{{ contact.firstName | }}</p>")},
			want:  []string{`content/templates/t.liquid:8:7: invalid expression "contact.firstName |"`},
		},
		{
			name:  "unclosed and unmatched tags",
			files: map[string]string{"templates/t.liquid": email("{% if contact.plan %}\n<p>x</p>\n{% endfor %}")},
			want: []string{
				`content/templates/t.liquid:7:1: if is not closed (add {% endif %})`,
				`content/templates/t.liquid:9:1: endfor without for (the open block is if)`,
			},
		},
		{
			name:  "unknown filter and tag, include refused",
			files: map[string]string{"templates/t.liquid": email(`{{ contact.plan | upcse }}{% iff x %}{% include 'footer' %}`)},
			want: []string{
				`content/templates/t.liquid:7:19: unknown filter "upcse" (did you mean "upcase"?)`,
				`content/templates/t.liquid:7:27: unknown tag "iff" (did you mean "if"?)`,
				`content/templates/t.liquid:7:38: include reads files and is not available (use {% render 'block-name' %})`,
			},
		},
		{
			name: "missing block, missing version, undeclared parameter",
			files: map[string]string{
				"templates/t.liquid":     email(`{% render 'foter' %}{% render 'footer@3' %}{% render 'card', titel: "x" %}`),
				"blocks/footer@1.liquid": "f1",
				"blocks/footer@2.liquid": "f2",
				"blocks/card@1.liquid":   "---\nparams: title\n---\n{{ title }}",
			},
			want: []string{
				`content/templates/t.liquid:7:11: unknown block "foter" (did you mean "footer"?)`,
				`content/templates/t.liquid:7:31: block "footer" has no version 3 (versions: 1, 2; write footer to follow the latest)`,
				`content/templates/t.liquid:7:62: block card has no parameter "titel" (it declares title)`,
			},
		},
		{
			name: "block cycle",
			files: map[string]string{
				"templates/t.liquid": email(`{% render 'a' %}`),
				"blocks/a@1.liquid":  "A {% render 'b' %}",
				"blocks/b@1.liquid":  "B\n{% render 'a@1' %}",
			},
			want: []string{`content/blocks/b@1.liquid:2:11: block cycle: a@1 → b@1 → a@1 (a block may not render itself, directly or through others)`},
		},
		{
			name: "unknown variable inside a block is reported in the block's file",
			files: map[string]string{
				"templates/t.liquid":  email(`{% render 'sig' %}`),
				"blocks/sig@1.liquid": "---\ndescription: signature\n---\nBest,\n{{ owner.nam }}",
			},
			want: []string{`content/blocks/sig@1.liquid:5:4: unknown owner property "nam" (did you mean "name"?)`},
		},
		{
			name:  "raw outside blocks and on contact data",
			files: map[string]string{"templates/t.liquid": email(`{{ contact.company | raw }}`), "blocks/b@1.liquid": `{{ contact.company | raw }}`},
			want: []string{
				`content/blocks/b@1.liquid:1:4: raw on contact data would emit it unescaped (remove raw)`,
				`content/templates/t.liquid:7:4: raw on contact data would emit it unescaped (remove raw)`,
				`content/templates/t.liquid:7:22: raw is allowed only in content blocks (templates escape every value; move trusted markup into a block)`,
			},
		},
		{
			name: "outputs where HTML escaping is not enough",
			files: map[string]string{"templates/t.liquid": email(
				"<script>var n = '{{ contact.company }}';</script>\n<a href={{ contact.plan }}>x</a>\n<div onclick=\"f('{{ contact.plan }}')\">\n<p {{ contact.plan }}>")},
			want: []string{
				`content/templates/t.liquid:7:18: output inside <script> is not escaped for that context (move the value into HTML text or an attribute)`,
				`content/templates/t.liquid:8:9: output in an unquoted attribute value (quote the value: href="{{ ... }}")`,
				`content/templates/t.liquid:9:18: output inside the event handler attribute onclick (event handlers run script; remove it)`,
				`content/templates/t.liquid:10:4: output inside an HTML tag, outside an attribute value (put it in a quoted attribute value)`,
			},
		},
		{
			name:  "personal attribute in a link URL",
			files: map[string]string{"templates/t.liquid": email(`<a href="https://x.example/?who={{ contact.email }}">x</a> {{ contact.email }}`)},
			want:  []string{`content/templates/t.liquid:7:36: personal attribute contact.email in a link URL (URLs end up in logs and redirects; link with ids only)`},
		},
		{
			name: "unsubscribe rules",
			files: map[string]string{
				"templates/m.liquid": "---\nchannel: email\nsubject: s\n---\n<p>no footer</p>",
				"templates/t.liquid": email(`<a href="{{ links.unsubscribe }}">u</a>`),
			},
			want: []string{
				`content/templates/m.liquid:5:1: a marketing email must link to {{ links.unsubscribe }} (render the footer block, which does, or mark the template kind: transactional)`,
				`content/templates/t.liquid:7:1: a transactional message has no unsubscribe or preference link (remove links.unsubscribe and links.preferences, or make it kind: marketing)`,
			},
		},
		{
			name:  "range outside a for loop",
			files: map[string]string{"templates/t.liquid": email(`{{ (1..5) | join: "," }}`)},
			want:  []string{`content/templates/t.liquid:7:4: a range (a..b) may only be the collection of a for loop`},
		},
		{
			name:  "payload that is not JSON, found by the trial render",
			files: map[string]string{"templates/p.liquid": "---\nchannel: custom\n---\n{\"title\": {{ contact.firstName }}}"},
			want:  []string{`content/templates/p.liquid: trial render with sample values: render p: content: render failed: payload is not valid JSON: invalid character 'S' looking for beginning of value`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLib(t, tc.files)
			got := problemStrings(l.Check(context.Background(), "northwind"))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileFormatProblems(t *testing.T) {
	tests := []struct {
		name string
		file string
		text string
		want []string
	}{
		{"no channel", "templates/t.liquid", "---\nsubject: x\n---\nbody", []string{"c/templates/t.liquid:1: template has no channel (add channel: email, sms or custom to the front matter)"}},
		{"bad values", "templates/t.liquid", "---\nchannel: email\nkind: promo\ntracking: maybe\nsubjct: x\n---\nbody", []string{
			`c/templates/t.liquid:1: email template has no subject (add subject: ... to the front matter)`,
			`c/templates/t.liquid:3:7: kind "promo" is not marketing or transactional`,
			`c/templates/t.liquid:4:11: strconv.ParseBool: parsing "maybe": invalid syntax`,
			`c/templates/t.liquid:5:1: unknown front-matter key "subjct" (did you mean "subject"?)`,
		}},
		{"unclosed front matter", "blocks/b@1.liquid", "---\nparams: a\n", []string{"c/blocks/b@1.liquid:1:1: front matter is not closed (end it with a line ---)"}},
		{"locale case", "templates/t.de-at.liquid", "x", []string{`c/templates/t.de-at.liquid: locale "de-at" should be written "de-AT"`}},
		{"variant without default", "blocks/f@1.de.liquid", "x", []string{"c/blocks/f@1.de.liquid: block f@1 has a de variant but no default f@1.liquid"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := LoadFiles(mapFS(map[string]string{tc.file: tc.text}), "c")
			if diff := cmp.Diff(tc.want, problemStrings(ps)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRenderRefusesInvalid: an invalid template fails at render with the
// same Problems value Check reports, never half-rendered.
func TestRenderRefusesInvalid(t *testing.T) {
	l := newLib(t, map[string]string{"templates/t.liquid": email("{{ contact.nope }}")})
	_, err := l.Render(context.Background(), testRequest("t"))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Pos.Line != 7 || ps[0].Pos.Col != 4 {
		t.Fatalf("Render = %v, want one problem at 7:4", err)
	}
	if _, err := l.Render(context.Background(), testRequest("missing")); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing template: %v, want ErrNotFound", err)
	}
}
