package content

import (
	"context"
	"testing"
)

// BenchmarkStages measures the stages of BenchmarkRenderEmail one by one on
// its email: the Liquid HTML part, the text part generated from the final
// HTML, the link-rewriting pass and one click-URL signature.
func BenchmarkStages(b *testing.B) {
	l := newLib(b, benchFiles())
	req := benchRequest()
	m, err := l.Render(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	ct, _ := l.template(context.Background(), req.BU, req.Template, "", 0, nil)
	b.Run("liquid-html", func(b *testing.B) {
		b.ReportAllocs()
		r := &renderer{lib: l, ct: ct, req: &req, msg: &Message{}}
		for b.Loop() {
			r.st.reset(context.Background(), l.lim)
			r.st.lib = l
			_ = r.bind()
			if _, err := r.part(PartHTML); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			out = appendText(out[:0], m.HTML)
		}
	})
	b.Run("rewrite", func(b *testing.B) {
		b.ReportAllocs()
		var out []byte
		var tr []string
		for b.Loop() {
			tr = tr[:0]
			out = appendRewritten(out[:0], m.HTML, l.opts.Links, "m", &tr)
		}
	})
	b.Run("sign", func(b *testing.B) {
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			out = l.opts.Links.AppendClickHTML(out[:0], "msg-1", "https://northwind.example/resources/guide-1?utm_source=email&utm_campaign=welcome")
		}
	})
}
