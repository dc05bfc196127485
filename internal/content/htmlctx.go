package content

import "strings"

// htmlContext says where in an HTML document a Liquid output lands, so the
// check can refuse outputs that HTML escaping does not make safe: inside
// <script> or <style>, inside an event-handler attribute, in an unquoted
// attribute value, or in the middle of a tag.
type htmlContext struct {
	state   htmlState
	attr    string // attribute whose value we are in (lower case)
	rawText string // "script" or "style" while inside one
}

type htmlState uint8

const (
	hText htmlState = iota
	hTagName
	hInTag
	hAttrName
	hAfterAttrName
	hBeforeValue
	hValueDouble
	hValueSingle
	hValueUnquoted
	hComment
	hRawText
)

// htmlScanner is a small HTML tokenizer state machine fed with the text
// between Liquid tokens.
type htmlScanner struct {
	htmlContext
	name    strings.Builder // tag or attribute name being read
	closing bool
}

func (h *htmlScanner) feed(s string) {
	for i := 0; i < len(s); i++ {
		h.step(s, i)
	}
}

func (h *htmlScanner) step(s string, i int) {
	c := lower(s[i])
	switch h.state {
	case hText:
		if c == '<' {
			switch {
			case strings.HasPrefix(s[i:], "<!--"):
				h.state = hComment
			default:
				h.state, h.closing = hTagName, false
				h.name.Reset()
			}
		}
	case hComment:
		if c == '>' && i >= 2 && s[i-2:i] == "--" {
			h.state = hText
		}
	case hRawText:
		if c == '<' && strings.HasPrefix(strings.ToLower(s[i:]), "</"+h.rawText) {
			h.state, h.rawText = hText, ""
		}
	case hTagName:
		switch {
		case c == '/' && h.name.Len() == 0:
			h.closing = true
		case isSpace(c):
			h.state = hInTag
		case c == '>':
			h.endTag()
		default:
			h.name.WriteByte(c)
		}
	case hInTag, hAfterAttrName:
		switch {
		case c == '>':
			h.endTag()
		case c == '=' && h.state == hAfterAttrName:
			h.state = hBeforeValue
		case isSpace(c) || c == '/':
		default:
			h.state, h.attr = hAttrName, string(c)
		}
	case hAttrName:
		switch {
		case c == '=':
			h.state = hBeforeValue
		case isSpace(c):
			h.state = hAfterAttrName
		case c == '>':
			h.endTag()
		default:
			h.attr += string(c)
		}
	case hBeforeValue:
		switch {
		case c == '"':
			h.state = hValueDouble
		case c == '\'':
			h.state = hValueSingle
		case c == '>':
			h.endTag()
		case !isSpace(c):
			h.state = hValueUnquoted
		}
	case hValueDouble, hValueSingle:
		if c == '"' && h.state == hValueDouble || c == '\'' && h.state == hValueSingle {
			h.state, h.attr = hInTag, ""
		}
	case hValueUnquoted:
		switch {
		case isSpace(c):
			h.state, h.attr = hInTag, ""
		case c == '>':
			h.endTag()
		}
	}
}

func (h *htmlScanner) endTag() {
	h.state, h.attr = hText, ""
	if n := h.name.String(); !h.closing && (n == "script" || n == "style") {
		h.state, h.rawText = hRawText, n
	}
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// spaceMask has the bits of the HTML white-space characters.
const spaceMask = 1<<' ' | 1<<'\t' | 1<<'\n' | 1<<'\r' | 1<<'\f'

func isSpace(c byte) bool {
	return c <= ' ' && spaceMask&(uint64(1)<<c) != 0
}

// unsafeOutput says why an output at this context is refused, or "".
func (c htmlContext) unsafeOutput() (msg, hint string) {
	switch c.state {
	case hRawText:
		return "output inside <" + c.rawText + "> is not escaped for that context", "move the value into HTML text or an attribute"
	case hTagName, hInTag, hAttrName, hAfterAttrName:
		return "output inside an HTML tag, outside an attribute value", "put it in a quoted attribute value"
	case hValueUnquoted, hBeforeValue:
		return "output in an unquoted attribute value", "quote the value: " + c.attr + `="{{ ... }}"`
	case hValueDouble, hValueSingle:
		if strings.HasPrefix(c.attr, "on") {
			return "output inside the event handler attribute " + c.attr, "event handlers run script; remove it"
		}
		if c.attr == "style" {
			return "output inside a style attribute is not escaped for CSS", "use a fixed style and put the value in text"
		}
	}
	return "", ""
}

// inURL reports whether the context is a URL attribute value.
func (c htmlContext) inURL() bool {
	return (c.state == hValueDouble || c.state == hValueSingle || c.state == hValueUnquoted || c.state == hBeforeValue) &&
		(c.attr == "href" || c.attr == "src" || c.attr == "action" || c.attr == "background")
}
