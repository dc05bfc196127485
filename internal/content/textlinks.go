package content

import (
	"strings"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// appendTrackedText appends text, a template's own plain-text part, to dst
// with every http or https URL in it replaced by its click-tracking URL,
// and reports whether it replaced any. The tracking endpoint's own links
// (unsubscribe, preferences, view) stay as they are; mailto: and other
// schemes are not URLs it looks for. Tracked destinations are appended to
// *tracked in order.
func appendTrackedText(dst []byte, text string, lk *tracking.Links, message string, tracked *[]string) ([]byte, bool) {
	changed := false
	last := 0
	for from := 0; ; {
		start, end := nextTextURL(text, from)
		if start < 0 {
			break
		}
		from = end
		dest := text[start:end]
		if lk.IsOwn(dest) {
			continue
		}
		dst = append(dst, text[last:start]...)
		dst = lk.AppendClick(dst, message, dest)
		*tracked = append(*tracked, dest)
		last, changed = end, true
	}
	return append(dst, text[last:]...), changed
}

// nextTextURL finds the next http(s) URL in plain text at or after from and
// returns its bounds, or -1, -1. A URL runs to white space, a quote, angle
// bracket or non-ASCII byte; sentence punctuation after it ("see
// https://x.example/a.") and a closing bracket it did not open are not
// part of it.
func nextTextURL(s string, from int) (start, end int) {
	for i := from; i < len(s); {
		k := strings.Index(s[i:], "://")
		if k < 0 {
			return -1, -1
		}
		k += i
		i = k + 3
		st := k
		for st > from && st > k-5 && isASCIILetter(s[st-1]) {
			st--
		}
		if scheme := s[st:k]; !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") ||
			st > 0 && (isASCIILetter(s[st-1]) || s[st-1] >= '0' && s[st-1] <= '9') {
			continue
		}
		e := k + 3
		for e < len(s) && urlByte(s[e]) {
			e++
		}
		e = st + trimURLEnd(s[st:e])
		if e > k+3 {
			return st, e
		}
	}
	return -1, -1
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// urlByte reports whether c may be part of a URL written in plain text.
func urlByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`'
}

// trimURLEnd returns the length of u without the punctuation that ends
// the sentence around it, and without a closing bracket it does not open.
func trimURLEnd(u string) int {
	for len(u) > 0 {
		switch c := u[len(u)-1]; c {
		case '.', ',', ';', ':', '!', '?', '*':
		case ')':
			if strings.Count(u, "(") >= strings.Count(u, ")") {
				return len(u)
			}
		case ']':
			if strings.Count(u, "[") >= strings.Count(u, "]") {
				return len(u)
			}
		default:
			return len(u)
		}
		u = u[:len(u)-1]
	}
	return 0
}
