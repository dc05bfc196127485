package content

import (
	"html"
	"strings"
)

// HTMLToText makes the plain-text part of an email from its HTML: block
// elements become line breaks, paragraphs and headings blank lines, list
// items "- ", links "text (url)" (just the URL when it is the text),
// images and hidden head, style and script content disappear, entities are
// decoded and runs of white space collapse.
func HTMLToText(doc string) string {
	var c textConv
	c.out.Grow(len(doc) / 3)
	for i := 0; i < len(doc); {
		j := strings.IndexByte(doc[i:], '<')
		if j < 0 {
			c.text(doc[i:])
			break
		}
		c.text(doc[i : i+j])
		i += j
		if strings.HasPrefix(doc[i:], "<!--") {
			end := strings.Index(doc[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		end := strings.IndexByte(doc[i:], '>')
		if end < 0 {
			c.text(doc[i:])
			break
		}
		c.tag(doc[i+1 : i+end])
		i += end + 1
	}
	c.flushLink()
	return strings.TrimSpace(c.out.String()) + "\n"
}

type textConv struct {
	out       strings.Builder
	hidden    string // element whose content is skipped (head, style, ...)
	newlines  int    // line breaks owed before the next text
	space     bool   // a space owed before the next text
	started   bool
	inLink    bool
	linkSpace bool // a space owed inside the link text
	href      string
	linkText  strings.Builder
}

func (c *textConv) text(s string) {
	if c.hidden != "" || s == "" {
		return
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = strings.ReplaceAll(html.UnescapeString(s), "\u00a0", " ")
	}
	for len(s) > 0 {
		k := 0
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k > 0 {
			if c.inLink {
				c.linkSpace = true
			} else {
				c.space = true
			}
			s = s[k:]
			continue
		}
		e := 0
		for e < len(s) && !isSpace(s[e]) {
			e++
		}
		c.word(s[:e])
		s = s[e:]
	}
}

func (c *textConv) word(w string) {
	if c.inLink {
		if c.linkSpace && c.linkText.Len() > 0 {
			c.linkText.WriteByte(' ')
		}
		c.linkSpace = false
		c.linkText.WriteString(w)
		return
	}
	c.emit(w)
}

// emit writes w after the breaks or space owed.
func (c *textConv) emit(w string) {
	if c.started {
		switch {
		case c.newlines > 0:
			c.out.WriteString(strings.Repeat("\n", c.newlines))
		case c.space:
			c.out.WriteByte(' ')
		}
	}
	c.newlines, c.space, c.started = 0, false, true
	c.out.WriteString(w)
}

func (c *textConv) brk(n int) {
	if c.inLink {
		c.linkSpace = true
		return
	}
	if n > c.newlines {
		c.newlines = n
	}
	c.space = false
}

func (c *textConv) tag(raw string) {
	closing := strings.HasPrefix(raw, "/")
	raw = strings.TrimPrefix(raw, "/")
	n := 0
	for n < len(raw) && !isSpace(raw[n]) && raw[n] != '/' {
		n++
	}
	name := strings.ToLower(raw[:n])
	if c.hidden != "" {
		if closing && name == c.hidden {
			c.hidden = ""
		}
		return
	}
	switch name {
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
		if c.inLink {
			c.linkSpace = true
		} else {
			c.space = true
		}
	case "li":
		if !closing {
			c.brk(1)
			c.emit("-")
			c.space = true
		} else {
			c.brk(1)
		}
	case "hr":
		c.brk(2)
		c.emit("---")
		c.brk(2)
	case "a":
		if closing {
			c.flushLink()
		} else {
			c.flushLink()
			c.inLink, c.href = true, attrValue(raw[n:], "href")
			c.linkText.Reset()
		}
	}
}

// flushLink writes the pending link as "text (url)".
func (c *textConv) flushLink() {
	if !c.inLink {
		return
	}
	c.inLink = false
	text, href := c.linkText.String(), c.href
	if strings.IndexByte(href, '&') >= 0 {
		href = html.UnescapeString(href)
	}
	href = strings.TrimSpace(href)
	shown := strings.TrimPrefix(href, "mailto:")
	switch {
	case href == "" || strings.HasPrefix(href, "#") || linkScheme(href) == "javascript":
		if text != "" {
			c.emit(text)
		}
	case text == "" || text == href || text == shown:
		c.emit(shown)
	default:
		c.emit(text + " (" + shown + ")")
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
