package content

import (
	"strings"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// escapeAmpersands turns every & in dst[start:] into &amp; (a click URL
// has no other character that needs escaping in an attribute).
func escapeAmpersands(dst []byte, start int) []byte {
	n := 0
	for _, c := range dst[start:] {
		if c == '&' {
			n++
		}
	}
	if n == 0 {
		return dst
	}
	end := len(dst)
	dst = append(dst, make([]byte, 4*n)...)
	w := len(dst)
	for r := end - 1; r >= start; r-- {
		c := dst[r]
		if c == '&' {
			w -= 5
			copy(dst[w:], "&amp;")
			continue
		}
		w--
		dst[w] = c
	}
	return dst
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

// linkScheme returns the lower-case scheme of a URL when it is one the
// rewriter cares about (http, https, javascript, vbscript, data), ignoring
// the spaces and control characters browsers ignore ("java\tscript:");
// otherwise "".
func linkScheme(u string) string {
	var b [16]byte
	n := 0
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c <= ' ':
			continue
		case c == ':':
			switch string(b[:n]) {
			case "http":
				return "http"
			case "https":
				return "https"
			case "javascript":
				return "javascript"
			case "vbscript":
				return "vbscript"
			case "data":
				return "data"
			}
			return ""
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
	v := strings.TrimSpace(doc[t.hrefStart:t.hrefEnd])
	if strings.IndexByte(v, '&') >= 0 {
		var buf [256]byte
		v = string(appendDecoded(buf[:0], v))
	}
	return v
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
