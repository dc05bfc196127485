package content

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchFiles is a realistic marketing email: a header, a product card and a
// footer block, a dozen variables, ten tracked links (plus a mailto and the
// preference and unsubscribe links, which are not tracked).
func benchFiles() map[string]string {
	var links strings.Builder
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&links, `<tr><td style="padding:4px 0"><a href="https://northwind.example/resources/guide-%d?utm_source=email&amp;utm_campaign=welcome" style="color:#1d4ed8">Guide %d: getting more from dashboards</a></td></tr>`+"\n", i, i)
	}
	return map[string]string{
		"blocks/header@1.liquid": `<table role="presentation" width="100%"><tr><td style="padding:24px;background:#0f172a"><a href="https://northwind.example/"><img src="https://cdn.northwind.example/logo.png" alt="Northwind Analytics" width="160"></a></td></tr></table>`,
		"blocks/product-card@1.liquid": "---\nparams: title, url, price\n---\n" +
			`<table role="presentation" style="border:1px solid #e5e7eb;border-radius:8px"><tr><td style="padding:16px"><h3 style="margin:0">{{ title }}</h3><p>From {{ price }} per month for {{ contact.company | default: "your team" }}.</p><a href="{{ url }}" style="background:#1d4ed8;color:#fff;padding:10px 16px;border-radius:6px">See {{ title }}</a></td></tr></table>`,
		"blocks/footer@1.liquid": `<table role="presentation" width="100%"><tr><td style="padding:24px;font-size:12px;color:#6b7280">Northwind Analytics GmbH · Rosenthaler Str. 40 · 10178 Berlin · Germany<br>` +
			`You receive this because {{ contact.company | default: "your company" }} uses Northwind. <a href="{{ links.preferences }}">Preferences</a> · <a href="{{ links.unsubscribe }}">Unsubscribe</a></td></tr></table>`,
		"templates/bench.liquid": "---\nchannel: email\ntopic: product-news\nsubject: {{ contact.firstName | default: \"Hello\" }}, your {{ contact.plan }} plan has new dashboards\npreheader: Three ways {{ contact.company }} can save time this week\n---\n" +
			`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Northwind</title><style>body{font-family:Helvetica,Arial,sans-serif}</style></head><body style="margin:0;background:#f8fafc">
{% render 'header' %}
<table role="presentation" width="600" align="center"><tr><td style="padding:24px">
<h1 style="font-size:24px">Hi {{ contact.firstName | default: "there" }},</h1>
<p>As {{ contact.jobTitle | default: "a team lead" }} at {{ contact.company }}, you can now share live dashboards with everyone in {{ contact.country }}.</p>
{% if contact.leadScore > 50 %}<p>Your account manager {{ owner.name }} has set aside time for a walkthrough.</p>{% endif %}
<table role="presentation">
` + links.String() + `</table>
{% render 'product-card', title: "Northwind Pro", url: "https://northwind.example/pricing?plan=pro", price: "$49" %}
<p>Questions? Reply to this email or write to <a href="mailto:{{ owner.email }}">{{ owner.name }}</a>.</p>
<p><a href="https://northwind.example/webinars/dashboards?ref=email">Join the live session</a></p>
</td></tr></table>
{% render 'footer' %}
</body></html>
`,
	}
}

func benchRequest() Request {
	req := testRequest("bench")
	req.Contact = map[string]any{
		"firstName": "Ada", "lastName": "Lovelace", "company": "Analytical Engines Ltd",
		"jobTitle": "Head of Data", "country": "United Kingdom", "plan": "pro", "leadScore": 72,
	}
	return req
}

// BenchmarkRenderEmail measures the full pipeline for one personalised
// email: Liquid with three blocks, subject and preheader, the text part
// generated from HTML, link rewriting with signatures, the open pixel, the
// unsubscribe token and headers.
func BenchmarkRenderEmail(b *testing.B) {
	l := newLib(b, benchFiles())
	req := benchRequest()
	ctx := context.Background()
	if _, err := l.Render(ctx, req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	cpu := processCPU()
	for b.Loop() {
		req.MessageID = "msg-" + fmt.Sprint(n)
		if _, err := l.Render(ctx, req); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "renders/s")
	b.ReportMetric(float64(n)/(processCPU()-cpu).Seconds(), "renders/cpu-s")
}

// processCPU is the CPU time the process has used (user and system, every
// thread: the garbage collector's work counts). On a shared machine the
// renders per CPU second say more than the renders per second.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRenderEmailOverride is BenchmarkRenderEmail with a send step's
// block override: the override set is parsed per render, the compiled
// template is cached under it.
func BenchmarkRenderEmailOverride(b *testing.B) {
	files := benchFiles()
	files["blocks/header-spring@1.liquid"] = `<table role="presentation" width="100%"><tr><td style="padding:24px;background:#14532d">Spring at Northwind</td></tr></table>`
	l := newLib(b, files)
	req := benchRequest()
	req.Blocks = map[string]string{"header": "header-spring"}
	ctx := context.Background()
	if m, err := l.Render(ctx, req); err != nil || !strings.Contains(m.HTML, "Spring at Northwind") {
		b.Fatalf("render: %v", err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		req.MessageID = "msg-" + fmt.Sprint(n)
		if _, err := l.Render(ctx, req); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "renders/s")
}
