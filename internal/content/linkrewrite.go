package content

import (
	"html"
	"strings"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// rewriteLinks wraps the href of every <a> and <area> whose destination is
// http or https in a signed click-tracking URL (when lk is set), and
// replaces script-bearing hrefs (javascript:, vbscript:, data:) with "#".
// It leaves alone mailto:, tel:, anchors, relative links, links to the
// tracking endpoint itself (unsubscribe, preferences, view) and links
// marked data-track="false". HTML comments (Outlook conditional markup)
// are copied unchanged. It returns the new HTML and the tracked
// destinations in order.
func rewriteLinks(doc string, lk *tracking.Links, messageID string) (string, []string) {
	var b strings.Builder
	var tracked []string
	last := 0
	for i := 0; i < len(doc); {
		j := strings.IndexByte(doc[i:], '<')
		if j < 0 {
			break
		}
		i += j
		if strings.HasPrefix(doc[i:], "<!--") {
			end := strings.Index(doc[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		tag, ok := parseLinkTag(doc, i)
		if !ok {
			i++
			continue
		}
		i = tag.end
		if tag.hrefStart < 0 {
			continue
		}
		dest := tag.href(doc)
		repl, track := classifyLink(dest, lk, tag.noTrack)
		if track {
			repl = lk.Click(messageID, dest)
			tracked = append(tracked, dest)
		}
		if repl == "" {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(doc) + len(doc)/4)
		}
		b.WriteString(doc[last:tag.hrefStart])
		_ = escapeHTML(&b, repl)
		last = tag.hrefEnd
	}
	if last == 0 {
		return doc, tracked
	}
	b.WriteString(doc[last:])
	return b.String(), tracked
}

// classifyLink says what to do with a destination: track it, replace it
// (repl != ""), or leave it (both zero).
func classifyLink(dest string, lk *tracking.Links, noTrack bool) (repl string, track bool) {
	scheme := linkScheme(dest)
	switch scheme {
	case "javascript", "vbscript", "data":
		return "#", false
	case "http", "https":
		if lk != nil && !noTrack && !lk.IsOwn(dest) {
			return "", true
		}
	}
	return "", false
}

// linkScheme returns the lower-case scheme of a URL, ignoring the spaces and
// control characters browsers ignore ("java\tscript:").
func linkScheme(u string) string {
	var b [16]byte
	n := 0
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c <= ' ':
			continue
		case c == ':':
			return string(b[:n])
		case isIdentStart(c) || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-':
			if n == len(b) {
				return ""
			}
			b[n] = lower(c)
			n++
		default:
			return ""
		}
	}
	return ""
}

// linkTag is an <a> or <area> start tag found in the document.
type linkTag struct {
	end                int // offset after '>'
	hrefStart, hrefEnd int // the raw attribute value, -1 when absent
	noTrack            bool
}

func (t linkTag) href(doc string) string {
	v := doc[t.hrefStart:t.hrefEnd]
	if strings.IndexByte(v, '&') >= 0 {
		v = html.UnescapeString(v)
	}
	return strings.TrimSpace(v)
}

// parseLinkTag parses the start tag at doc[i] if it is <a ...> or
// <area ...>, reading its attributes as HTML does (quoted or not).
func parseLinkTag(doc string, i int) (linkTag, bool) {
	t := linkTag{hrefStart: -1, hrefEnd: -1}
	p := i + 1
	switch {
	case p+1 < len(doc) && lower(doc[p]) == 'a' && (isSpace(doc[p+1]) || doc[p+1] == '>'):
		p++
	case hasPrefixFold(doc[p:], "area") && p+4 < len(doc) && (isSpace(doc[p+4]) || doc[p+4] == '>'):
		p += 4
	default:
		return t, false
	}
	for p < len(doc) {
		for p < len(doc) && (isSpace(doc[p]) || doc[p] == '/') {
			p++
		}
		if p >= len(doc) {
			break
		}
		if doc[p] == '>' {
			t.end = p + 1
			return t, true
		}
		ns := p
		for p < len(doc) && !isSpace(doc[p]) && doc[p] != '=' && doc[p] != '>' && doc[p] != '/' {
			p++
		}
		name := doc[ns:p]
		for p < len(doc) && isSpace(doc[p]) {
			p++
		}
		if p >= len(doc) || doc[p] != '=' {
			continue
		}
		p++
		for p < len(doc) && isSpace(doc[p]) {
			p++
		}
		vs, ve := p, p
		if p < len(doc) && (doc[p] == '"' || doc[p] == '\'') {
			q := doc[p]
			k := strings.IndexByte(doc[p+1:], q)
			if k < 0 {
				return t, false
			}
			vs, ve = p+1, p+1+k
			p = ve + 1
		} else {
			for p < len(doc) && !isSpace(doc[p]) && doc[p] != '>' {
				p++
			}
			ve = p
		}
		switch {
		case strings.EqualFold(name, "href") && t.hrefStart < 0:
			t.hrefStart, t.hrefEnd = vs, ve
		case strings.EqualFold(name, "data-track"):
			v := strings.ToLower(doc[vs:ve])
			t.noTrack = v == "false" || v == "off" || v == "no"
		}
	}
	return t, false
}
