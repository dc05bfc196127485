package content

import (
	"strings"
	"unsafe"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// email renders an email and applies the compliance and tracking steps:
// subject and preheader; the HTML; then one pass over it (htmlPass) makes
// the text part when the template has none (from the HTML as rendered,
// each tracked link shown with the click URL its HTML link got, so it is
// signed once) and the final HTML with tracked links, the hidden
// preheader, and before </body> an unsubscribe line if the template's own
// was conditional and the open pixel; a template's own text part gets its
// http(s) URLs tracked; last the List-Unsubscribe headers of marketing
// email.
func (r *renderer) email() error {
	doc, msg := r.ct.doc, r.msg
	subject, err := r.part(PartSubject)
	if err != nil {
		return err
	}
	pre, err := r.part(PartPreheader)
	if err != nil {
		return err
	}
	msg.Subject, msg.Preheader = headerText(subject), headerText(pre)
	textPart := r.ct.parts[PartText] != nil
	if textPart {
		if msg.Text, err = r.part(PartText); err != nil {
			return err
		}
		msg.Text = strings.TrimSpace(msg.Text) + "\n"
	}
	// The HTML part is only read, by the pass below, before any other part
	// renders into the buffer: a view of it saves a copy of the largest
	// part of every email.
	htmlBytes, err := r.partBytes(PartHTML)
	if err != nil {
		return err
	}
	html := unsafe.String(unsafe.SliceData(htmlBytes), len(htmlBytes))
	pass := htmlPass{rewrite: true, out: r.out[:0], preheader: msg.Preheader}
	if doc.Tracking {
		pass.links = r.lib.opts.Links
		r.clicks.Reset(pass.links, r.req.MessageID)
		pass.clicks = &r.clicks
	}
	if !textPart {
		pass.text = &textConv{out: r.text[:0]}
	}
	marketing := doc.Kind == Marketing
	pass.closing = r.closing(marketing && !containsSigned(html, r.unsub), pass.links)
	pass.run(html)
	if !textPart {
		pass.text.out = append(pass.text.out, '\n')
		r.text = pass.text.out
		msg.Text = string(r.text)
	}
	if textPart && pass.clicks != nil {
		var changed bool
		if r.text, changed = appendTrackedText(r.text[:0], msg.Text, pass.links, r.req.MessageID, &pass.tracked); changed {
			msg.Text = string(r.text)
		}
	}
	r.out = pass.out
	msg.HTML, msg.TrackedLinks = string(pass.out), pass.tracked
	if marketing && !containsSigned(msg.Text, r.unsub) {
		msg.Text = strings.TrimRight(msg.Text, "\n") + "\n\nUnsubscribe: " + r.unsub + "\n"
	}
	if marketing {
		msg.Headers = unsubscribeHeaders(r.lib.opts.Links, r.token, r.unsub)
	}
	return nil
}

// closing is what goes before </body>: an unsubscribe line when the
// template's own link was left out by its conditions, and the open pixel
// when the message is tracked.
func (r *renderer) closing(addUnsubscribe bool, lk *tracking.Links) []byte {
	b := r.closingBuf[:0]
	if addUnsubscribe {
		b = append(b, `<p style="font-size:12px;color:#6b7280;text-align:center"><a href="`...)
		b = append(b, r.unsub...)
		b = append(b, `">Unsubscribe</a></p>`...)
	}
	if lk != nil {
		b = append(b, `<img src="`...)
		start := len(b)
		b = append(b, lk.Open(r.req.MessageID)...)
		b = escapeAmpersands(b, start)
		b = append(b, `" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`...)
	}
	r.closingBuf = b
	return b
}

// containsSigned is strings.Contains for a needle that ends in a
// signature (a signed URL): it looks for the random-looking tail, which
// rarely turns up by chance, and checks the rest only where it does,
// instead of trying every "h" of every "https" in a message.
func containsSigned(s, sub string) bool {
	const tail = 16
	if len(sub) <= tail {
		return strings.Contains(s, sub)
	}
	t, head := sub[len(sub)-tail:], len(sub)-tail
	for i := head; i <= len(s)-tail; {
		j := strings.Index(s[i:], t)
		if j < 0 {
			return false
		}
		if p := i + j; s[p-head:p] == sub[:head] {
			return true
		}
		i += j + 1
	}
	return false
}

// preheaderOpen hides the preheader in every client; inbox previews show it
// after the subject.
const preheaderOpen = `<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all" aria-hidden="true">`

// unsubscribeHeaders are RFC 2369 List-Unsubscribe (the https URL first,
// then the mailto when configured) and RFC 8058 one-click.
func unsubscribeHeaders(lk *tracking.Links, token, unsubURL string) []Header {
	v := "<" + unsubURL + ">"
	if m := lk.UnsubscribeMailto(token); m != "" {
		v += ", <" + m + ">"
	}
	return []Header{
		{Name: "List-Unsubscribe", Value: v},
		{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
	}
}

// hasPrefixFold reports whether s starts with the ASCII lower-case prefix,
// ignoring case.
func hasPrefixFold(s, lowerPrefix string) bool {
	if len(s) < len(lowerPrefix) {
		return false
	}
	for i := 0; i < len(lowerPrefix); i++ {
		if lower(s[i]) != lowerPrefix[i] {
			return false
		}
	}
	return true
}
