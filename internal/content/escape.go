package content

import (
	"fmt"
	"io"
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

// outTag is the tag {{ expr }} becomes in each mode (see rewrite).
func (m mode) outTag() string {
	switch m {
	case modeHTML:
		return "__out_html"
	case modeJSON:
		return "__out_json"
	}
	return "__out_text"
}

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

// writeValue writes v as Liquid prints it, escaped for m.
func writeValue(w io.Writer, v any, m mode) error {
	switch x := values.ToLiquid(v).(type) {
	case nil:
		return nil
	case safeHTML:
		if m == modeHTML {
			_, err := io.WriteString(w, string(x))
			return err
		}
		return writeEscaped(w, string(x), m)
	case safeJSON:
		if m != modeHTML {
			_, err := io.WriteString(w, string(x))
			return err
		}
		return writeEscaped(w, string(x), m)
	case string:
		return writeEscaped(w, x, m)
	case int:
		return writeEscaped(w, strconv.Itoa(x), m)
	case bool:
		return writeEscaped(w, strconv.FormatBool(x), m)
	case time.Time:
		return writeEscaped(w, x.Format("2006-01-02 15:04:05 -0700"), m)
	case []byte:
		return writeEscaped(w, string(x), m)
	case []any:
		for _, item := range x {
			if err := writeValue(w, item, m); err != nil {
				return err
			}
		}
		return nil
	default:
		rv := reflect.ValueOf(x)
		if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
			for i := range rv.Len() {
				if err := writeValue(w, rv.Index(i).Interface(), m); err != nil {
					return err
				}
			}
			return nil
		}
		return writeEscaped(w, fmt.Sprint(x), m)
	}
}

func writeEscaped(w io.Writer, s string, m mode) error {
	switch m {
	case modeHTML:
		return escapeHTML(w, s)
	case modeJSON:
		return escapeJSON(w, s)
	}
	_, err := io.WriteString(w, s)
	return err
}

// escapeHTML writes s with & < > " ' escaped, as html.EscapeString does,
// without allocating when s has nothing to escape.
func escapeHTML(w io.Writer, s string) error {
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
		if _, err := io.WriteString(w, s[last:i]); err != nil {
			return err
		}
		if _, err := io.WriteString(w, esc); err != nil {
			return err
		}
		last = i + 1
	}
	_, err := io.WriteString(w, s[last:])
	return err
}

const hexDigits = "0123456789abcdef"

// escapeJSON writes s as the inside of a JSON string: quotes, backslashes
// and control characters escaped, and < > & U+2028 U+2029 too, so a payload
// stays safe if a consumer embeds it in HTML or JavaScript. Invalid UTF-8
// becomes U+FFFD.
func escapeJSON(w io.Writer, s string) error {
	var buf [6]byte
	last := 0
	flush := func(i int, esc []byte) error {
		if _, err := io.WriteString(w, s[last:i]); err != nil {
			return err
		}
		_, err := w.Write(esc)
		return err
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			var esc []byte
			switch c {
			case '"', '\\':
				esc = []byte{'\\', c}
			case '\n':
				esc = []byte(`\n`)
			case '\r':
				esc = []byte(`\r`)
			case '\t':
				esc = []byte(`\t`)
			default:
				buf = [6]byte{'\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf]}
				esc = buf[:]
			}
			if err := flush(i, esc); err != nil {
				return err
			}
			i++
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var esc []byte
		switch {
		case r == utf8.RuneError && size == 1:
			esc = []byte(`\ufffd`)
		case r == '\u2028':
			esc = []byte(`\u2028`)
		case r == '\u2029':
			esc = []byte(`\u2029`)
		default:
			i += size
			continue
		}
		if err := flush(i, esc); err != nil {
			return err
		}
		i += size
		last = i
	}
	_, err := io.WriteString(w, s[last:])
	return err
}
