package content

import (
	"bytes"
	"html"
	"strings"
)

// textConv writes text with collapsed white space: a run of spaces becomes
// one space, or the line breaks that block elements ask for.
type textConv struct {
	out       []byte
	base      int    // where this document's text starts in out
	hidden    string // element whose content is skipped (head, style, ...)
	newlines  int    // line breaks owed before the next text
	space     bool   // a space owed before the next text
	inLink    bool
	linkStart int // offset in out where the link text starts
	href      string

	// click is the click-tracking URL the HTML pass wrote for the pending
	// link (a view of its output, escaped for HTML; nil: the link is not
	// tracked). The text shows it instead of the destination, so a link is
	// signed once for both parts.
	click []byte
}

func (c *textConv) text(s string) {
	if c.hidden != "" {
		return
	}
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && textClass[s[j]] == textSpace {
			j++
		}
		if j > i {
			c.space, i = true, j
			continue
		}
		// A run of words with single spaces between them comes out as it
		// is: copy it at once.
	run:
		for j < len(s) {
			switch textClass[s[j]] {
			case textWord:
				j++
				continue
			case textSpace:
				if s[j] == ' ' && j+1 < len(s) && textClass[s[j+1]] == textWord {
					j += 2
					continue
				}
			}
			break run
		}
		if j > i {
			if c.newlines > 0 || c.space {
				c.separate()
			}
			c.out = append(c.out, s[i:j]...)
			i = j
			continue
		}
		ent, n := entityAt(s[i:]) // s[i] == '&'
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

// textClass sorts the bytes of text: HTML white space, the & that starts
// a character reference, and everything else (a word's bytes).
var textClass = [256]uint8{' ': textSpace, '\t': textSpace, '\n': textSpace, '\r': textSpace, '\f': textSpace, '&': textAmp}

const (
	textWord = iota
	textSpace
	textAmp
)

// entityAt decodes the character reference at the start of s ("&amp;",
// "&#39;", "&nbsp;" as a space) and returns it and its length, or n == 0
// when s does not start with one.
func entityAt(s string) (string, int) {
	end := strings.IndexByte(s[:min(len(s), 12)], ';')
	if end < 2 {
		return "", 0
	}
	switch ref := s[:end+1]; ref {
	case "&amp;":
		return "&", len(ref)
	case "&lt;":
		return "<", len(ref)
	case "&gt;":
		return ">", len(ref)
	case "&quot;", "&#34;":
		return "\"", len(ref)
	case "&#39;", "&apos;":
		return "'", len(ref)
	case "&nbsp;", "&#160;":
		return " ", len(ref)
	default:
		dec := html.UnescapeString(ref)
		if dec == ref {
			return "", 0
		}
		if dec == "\u00a0" {
			dec = " "
		}
		return dec, len(ref)
	}
}

// separate writes the line breaks or space owed, never at the very start,
// and never line breaks inside a link's text.
func (c *textConv) separate() {
	if len(c.out) > c.base && !(c.inLink && len(c.out) == c.linkStart) {
		switch {
		case c.newlines > 0 && !c.inLink:
			c.out = append(c.out, "\n\n"[:c.newlines]...)
		case c.newlines > 0 || c.space:
			c.out = append(c.out, ' ')
		}
	}
	c.newlines, c.space = 0, false
}

func (c *textConv) emit(s string) {
	c.separate()
	c.out = append(c.out, s...)
}

func (c *textConv) brk(n int) {
	if n > c.newlines {
		c.newlines = n
	}
}

func (c *textConv) tag(raw string) {
	closing := strings.HasPrefix(raw, "/")
	raw = strings.TrimPrefix(raw, "/")
	n := 0
	for n < len(raw) && !isSpace(raw[n]) && raw[n] != '/' {
		n++
	}
	name := raw[:n]
	if c.hidden != "" {
		if closing && strings.EqualFold(name, c.hidden) {
			c.hidden = ""
		}
		return
	}
	if len(name) > 10 {
		return
	}
	var lowerBuf [10]byte
	for i := 0; i < len(name); i++ {
		lowerBuf[i] = lower(name[i])
	}
	switch string(lowerBuf[:len(name)]) {
	case "head", "style", "script", "title", "template":
		if !closing {
			c.hidden = name
		}
	case "br":
		c.brk(1)
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "ul", "ol":
		c.brk(2)
	case "div", "tr", "section", "header", "footer", "article", "center":
		c.brk(1)
	case "td", "th":
		c.space = true
	case "li":
		c.brk(1)
		if !closing {
			c.emit("-")
			c.space = true
		}
	case "hr":
		c.brk(2)
		c.emit("---")
		c.brk(2)
	case "img":
		if c.inLink && !closing {
			if alt := attrValue(raw[n:], "alt"); alt != "" {
				c.text(alt)
			}
		}
	case "a":
		c.flushLink()
		if !closing {
			c.separate()
			c.inLink, c.href, c.linkStart = true, attrValue(raw[n:], "href"), len(c.out)
			c.click = nil
		}
	}
}

// flushLink ends the pending link: "text (url)", or the URL alone when it
// is the text, or the text alone for anchors and script links; the URL is
// the click-tracking one when the HTML's link is tracked. The URL is
// decoded straight into the output, so a link costs no allocation.
func (c *textConv) flushLink() {
	if !c.inLink {
		return
	}
	c.inLink = false
	href := strings.TrimSpace(c.href)
	if href == "" || href[0] == '#' || linkScheme(href) == "javascript" {
		return // the text alone
	}
	end := len(c.out) // end of the link text
	c.out = append(c.out, " ("...)
	hs := len(c.out)
	c.out = appendDecoded(c.out, href)
	decoded := c.out[hs:]
	shown := decoded
	if bytes.HasPrefix(shown, []byte("mailto:")) {
		shown = shown[len("mailto:"):]
	}
	text := c.out[c.linkStart:end]
	textIsURL := len(text) == 0 || bytes.Equal(text, decoded) || bytes.Equal(text, shown)
	if c.click != nil {
		c.out = appendUnescapedAmp(c.out[:hs], c.click)
		shown, decoded = c.out[hs:], c.out[hs:]
	}
	if textIsURL {
		n := copy(c.out[c.linkStart:], shown)
		c.out = c.out[:c.linkStart+n]
		return
	}
	if len(shown) < len(decoded) {
		n := copy(c.out[hs:], shown)
		c.out = c.out[:hs+n]
	}
	c.out = append(c.out, ')')
}

// appendUnescapedAmp appends a URL escaped for an HTML attribute by the
// click writer, whose only reference is &amp;, as plain text.
func appendUnescapedAmp(dst, src []byte) []byte {
	for {
		i := bytes.Index(src, []byte("&amp;"))
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i+1]...)
		src = src[i+len("&amp;"):]
	}
}

// appendDecoded appends s with its character references decoded.
func appendDecoded(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		s = s[i:]
		ent, n := entityAt(s)
		if n == 0 {
			ent, n = "&", 1
		}
		dst = append(dst, ent...)
		s = s[n:]
	}
}

// attrValue returns the value of attribute name in the attribute text of a
// start tag, or "".
func attrValue(attrs, name string) string {
	for i := 0; i < len(attrs); {
		for i < len(attrs) && (isSpace(attrs[i]) || attrs[i] == '/') {
			i++
		}
		ns := i
		for i < len(attrs) && !isSpace(attrs[i]) && attrs[i] != '=' {
			i++
		}
		an := attrs[ns:i]
		for i < len(attrs) && isSpace(attrs[i]) {
			i++
		}
		if i >= len(attrs) || attrs[i] != '=' {
			if i == ns {
				i++
			}
			continue
		}
		i++
		for i < len(attrs) && isSpace(attrs[i]) {
			i++
		}
		var v string
		if i < len(attrs) && (attrs[i] == '"' || attrs[i] == '\'') {
			q := attrs[i]
			k := strings.IndexByte(attrs[i+1:], q)
			if k < 0 {
				return ""
			}
			v, i = attrs[i+1:i+1+k], i+2+k
		} else {
			vs := i
			for i < len(attrs) && !isSpace(attrs[i]) {
				i++
			}
			v = attrs[vs:i]
		}
		if strings.EqualFold(an, name) {
			return v
		}
	}
	return ""
}
