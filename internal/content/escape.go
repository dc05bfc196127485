package content

import (
	"fmt"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/osteele/liquid/values"
)

// mode is the escaping context of a template part.
type mode uint8

const (
	modeText mode = iota // subject, preheader, plain text, SMS: no escaping
	modeHTML             // HTML body: HTML-escape every output
	modeJSON             // custom-channel payload: JSON-string-escape every output
)

func (m mode) String() string {
	return [...]string{"text", "html", "json"}[m]
}

// safeHTML is markup that needs no escaping in an HTML part: the result of
// the raw filter (allowed in blocks only), of escape, and of a capture in an
// HTML part (its output was escaped as it was rendered).
type safeHTML string

// safeJSON is JSON text that an output in a payload writes as it is: the
// result of the json filter and of a capture in a payload.
type safeJSON string

// appendValue appends v as Liquid prints it, escaped for m.
func appendValue(dst []byte, v any, m mode) []byte {
	switch x := values.ToLiquid(v).(type) {
	case nil:
		return dst
	case safeHTML:
		if m == modeHTML {
			return append(dst, x...)
		}
		return appendEscaped(dst, string(x), m)
	case safeJSON:
		if m != modeHTML {
			return append(dst, x...)
		}
		return appendEscaped(dst, string(x), m)
	case string:
		return appendEscaped(dst, x, m)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case bool:
		return strconv.AppendBool(dst, x)
	case time.Time:
		return appendEscaped(dst, x.Format("2006-01-02 15:04:05 -0700"), m)
	case []byte:
		return appendEscaped(dst, string(x), m)
	case []any:
		for _, item := range x {
			dst = appendValue(dst, item, m)
		}
		return dst
	default:
		rv := reflect.ValueOf(x)
		if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
			for i := range rv.Len() {
				dst = appendValue(dst, rv.Index(i).Interface(), m)
			}
			return dst
		}
		return appendEscaped(dst, fmt.Sprint(x), m)
	}
}

func appendEscaped(dst []byte, s string, m mode) []byte {
	switch m {
	case modeHTML:
		return appendHTML(dst, s)
	case modeJSON:
		return appendJSON(dst, s)
	}
	return append(dst, s...)
}

// appendHTML appends s with & < > " ' escaped, as html.EscapeString does.
func appendHTML(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		default:
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}

const hexDigits = "0123456789abcdef"

// appendJSON appends s as the inside of a JSON string: quotes, backslashes
// and control characters escaped, and < > & U+2028 U+2029 too, so a payload
// stays safe if a consumer embeds it in HTML or JavaScript. Invalid UTF-8
// becomes U+FFFD.
func appendJSON(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[last:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			case '\t':
				dst = append(dst, `\t`...)
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == utf8.RuneError && size == 1:
			esc = `\ufffd`
		case r == '\u2028':
			esc = `\u2028`
		case r == '\u2029':
			esc = `\u2029`
		default:
			i += size
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		i += size
		last = i
	}
	return append(dst, s[last:]...)
}
