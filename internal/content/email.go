package content

import (
	"strings"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// email renders an email and applies the compliance and tracking steps, in
// this order: subject and preheader; HTML; the text part (rendered, or
// generated from the HTML before tracking, so it shows real destinations);
// the unsubscribe link guaranteed in both parts of marketing email; the
// hidden preheader; click-tracking rewrite; the open pixel; the
// List-Unsubscribe headers.
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
	html, err := r.part(PartHTML)
	if err != nil {
		return err
	}
	msg.Subject, msg.Preheader = headerText(subject), headerText(pre)
	if r.ct.parts[PartText] != nil {
		if msg.Text, err = r.part(PartText); err != nil {
			return err
		}
		msg.Text = strings.TrimSpace(msg.Text) + "\n"
	} else {
		msg.Text = HTMLToText(html)
	}
	if doc.Kind == Marketing {
		html, msg.Text = ensureUnsubscribe(html, msg.Text, r.unsub)
	}
	if msg.Preheader != "" {
		html = insertPreheader(html, msg.Preheader)
	}
	lk := r.lib.opts.Links
	if doc.Tracking {
		html, msg.TrackedLinks = rewriteLinks(html, lk, r.req.MessageID)
		html = insertPixel(html, lk.Open(r.req.MessageID))
	} else {
		html, _ = rewriteLinks(html, nil, "")
	}
	msg.HTML = html
	if doc.Kind == Marketing {
		msg.Headers = unsubscribeHeaders(lk, r.token, r.unsub)
	}
	return nil
}

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

// ensureUnsubscribe adds an unsubscribe line to a part that lacks the link
// (the check already requires templates to render it; this makes it a
// guarantee, whatever conditions the template used).
func ensureUnsubscribe(html, text, unsubURL string) (string, string) {
	if !strings.Contains(html, unsubURL) {
		html = insertBeforeBodyEnd(html, `<p style="font-size:12px;color:#6b7280;text-align:center"><a href="`+unsubURL+`">Unsubscribe</a></p>`)
	}
	if !strings.Contains(text, unsubURL) {
		text = strings.TrimRight(text, "\n") + "\n\nUnsubscribe: " + unsubURL + "\n"
	}
	return html, text
}

// insertPreheader puts the preheader, hidden, first in the body: inbox
// previews show it after the subject.
func insertPreheader(html, pre string) string {
	var b strings.Builder
	b.WriteString(`<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all" aria-hidden="true">`)
	_ = escapeHTML(&b, pre)
	b.WriteString(`</div>`)
	i := indexFold(html, "<body")
	if i < 0 {
		return b.String() + html
	}
	j := strings.IndexByte(html[i:], '>')
	if j < 0 {
		return b.String() + html
	}
	at := i + j + 1
	return html[:at] + b.String() + html[at:]
}

func insertPixel(html, openURL string) string {
	return insertBeforeBodyEnd(html, `<img src="`+escapeString(openURL)+`" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`)
}

func insertBeforeBodyEnd(html, s string) string {
	i := lastIndexFold(html, "</body")
	if i < 0 {
		return html + s
	}
	return html[:i] + s + html[i:]
}

func escapeString(s string) string {
	var b strings.Builder
	_ = escapeHTML(&b, s)
	return b.String()
}

// indexFold is strings.Index for an ASCII lower-case needle, ignoring case.
func indexFold(s, lowerNeedle string) int {
	n := len(lowerNeedle)
	for i := 0; i+n <= len(s); i++ {
		if lower(s[i]) == lowerNeedle[0] && hasPrefixFold(s[i:], lowerNeedle) {
			return i
		}
	}
	return -1
}

func lastIndexFold(s, lowerNeedle string) int {
	for i := len(s) - len(lowerNeedle); i >= 0; i-- {
		if lower(s[i]) == lowerNeedle[0] && hasPrefixFold(s[i:], lowerNeedle) {
			return i
		}
	}
	return -1
}

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
