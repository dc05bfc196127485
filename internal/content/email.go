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
		r.out = appendText(r.out[:0], html)
		msg.Text = string(r.out)
	}
	marketing := doc.Kind == Marketing
	if marketing && !strings.Contains(msg.Text, r.unsub) {
		msg.Text = strings.TrimRight(msg.Text, "\n") + "\n\nUnsubscribe: " + r.unsub + "\n"
	}
	msg.HTML = r.assembleHTML(html, marketing && !strings.Contains(html, r.unsub))
	if marketing {
		msg.Headers = unsubscribeHeaders(r.lib.opts.Links, r.token, r.unsub)
	}
	return nil
}

// assembleHTML writes the final HTML in one pass: the hidden preheader
// first in the body, links rewritten, an unsubscribe line when the
// template's own was left out by its conditions, the open pixel last.
func (r *renderer) assembleHTML(html string, addUnsubscribe bool) string {
	var lk *tracking.Links
	if r.ct.doc.Tracking {
		lk = r.lib.opts.Links
	}
	start, end := 0, len(html)
	if i := indexFold(html, "<body"); i >= 0 {
		if j := strings.IndexByte(html[i:], '>'); j >= 0 {
			start = i + j + 1
		}
	}
	if i := lastIndexFold(html, "</body"); i >= start {
		end = i
	}
	msgID := r.req.MessageID
	b := appendRewritten(r.out[:0], html[:start], lk, msgID, &r.msg.TrackedLinks)
	if r.msg.Preheader != "" {
		b = append(b, preheaderOpen...)
		b = appendHTML(b, r.msg.Preheader)
		b = append(b, "</div>"...)
	}
	b = appendRewritten(b, html[start:end], lk, msgID, &r.msg.TrackedLinks)
	if addUnsubscribe {
		b = append(b, `<p style="font-size:12px;color:#6b7280;text-align:center"><a href="`...)
		b = append(b, r.unsub...)
		b = append(b, `">Unsubscribe</a></p>`...)
	}
	if lk != nil {
		b = append(b, `<img src="`...)
		start := len(b)
		b = append(b, lk.Open(msgID)...)
		b = escapeAmpersands(b, start)
		b = append(b, `" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`...)
	}
	b = append(b, html[end:]...)
	r.out = b
	return string(b)
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
