// Package restli encodes and decodes the Rest.li 2.0 protocol's structured
// query values, as LinkedIn's versioned APIs expect them in URLs, e.g.
// owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A123) or
// submittedAtTimeRange=(start:1689894599288,end:1689894699288).
//
// In Rest.li 2.0 the characters ( ) , : ' structure the value, so inside a
// string they must be percent-encoded along with everything else that is not
// unreserved; a URN's colons therefore travel as %3A. A query string built
// with net/url's Values would encode the structural characters too, which
// LinkedIn rejects: callers build the raw query with Query.
package restli

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// A Value is a string, an Object or a List.
type Value any

// A Field is one key of an Object.
type Field struct {
	Key   string
	Value Value
}

// An Object is a record whose fields keep the order they were written in.
type Object []Field

// Get returns the value of key and whether it is present.
func (o Object) Get(key string) (Value, bool) {
	for _, f := range o {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// String returns the string value of key, or "" when absent or not a string.
func (o Object) String(key string) string {
	v, _ := o.Get(key)
	s, _ := v.(string)
	return s
}

// A List is an array value, written List(a,b).
type List []Value

// Encode writes v in Rest.li 2.0 URL form. Strings are fully percent-encoded
// (only RFC 3986 unreserved characters stay literal); the empty string is written as two single quotes.
func Encode(v Value) string {
	var b strings.Builder
	encode(&b, v)
	return b.String()
}

func encode(b *strings.Builder, v Value) {
	switch v := v.(type) {
	case string:
		b.WriteString(EncodeString(v))
	case Object:
		b.WriteByte('(')
		for i, f := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(EncodeString(f.Key))
			b.WriteByte(':')
			encode(b, f.Value)
		}
		b.WriteByte(')')
	case List:
		b.WriteString("List(")
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			encode(b, e)
		}
		b.WriteByte(')')
	default:
		// Only the three kinds exist; anything else is a programming error
		// that is written visibly rather than silently dropped.
		b.WriteString(EncodeString(fmt.Sprint(v)))
	}
}

// EncodeString percent-encodes s for a Rest.li 2.0 URL, path keys included:
// every byte outside A-Z a-z 0-9 - . _ ~ becomes %XX; the empty string becomes two single quotes.
func EncodeString(s string) string {
	if s == "" {
		return "''"
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// A Query builds a raw query string in the order parameters are added.
type Query struct {
	parts []string
}

// Add appends key=value with value Rest.li-encoded.
func (q *Query) Add(key string, v Value) *Query {
	q.parts = append(q.parts, EncodeString(key)+"="+Encode(v))
	return q
}

// AddRaw appends key=raw with raw written as is, for values that are already
// Rest.li syntax, like a fields projection.
func (q *Query) AddRaw(key, raw string) *Query {
	q.parts = append(q.parts, EncodeString(key)+"="+raw)
	return q
}

// Encode returns the query string, without the leading '?'.
func (q *Query) Encode() string { return strings.Join(q.parts, "&") }

// ErrSyntax is wrapped by every Decode error.
var ErrSyntax = errors.New("rest.li syntax error")

// Decode parses a Rest.li 2.0 URL value (as it appears in a raw query).
// Errors wrap ErrSyntax.
func Decode(s string) (Value, error) {
	p := &parser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.i != len(s) {
		return nil, p.errorf("unexpected %q", s[p.i])
	}
	return v, nil
}

// ParseQuery splits a raw query string into its still-encoded values by
// key (the last one wins for a repeated key); Decode the ones that hold
// Rest.li values. Values stay raw because some parameters, like a fields
// projection, are not values at all.
func ParseQuery(raw string) (map[string]string, error) {
	out := make(map[string]string)
	if raw == "" {
		return out, nil
	}
	for _, part := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		key, err := url.PathUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("%w: key %q: %v", ErrSyntax, k, err)
		}
		out[key] = v
	}
	return out, nil
}

type parser struct {
	s string
	i int
}

const maxDepth = 32

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, p.i, fmt.Sprintf(format, args...))
}

func (p *parser) value() (Value, error) { return p.valueDepth(0) }

func (p *parser) valueDepth(depth int) (Value, error) {
	if depth > maxDepth {
		return nil, p.errorf("nested deeper than %d", maxDepth)
	}
	switch {
	case strings.HasPrefix(p.s[p.i:], "List("):
		p.i += len("List(")
		return p.list(depth)
	case p.i < len(p.s) && p.s[p.i] == '(':
		p.i++
		return p.object(depth)
	}
	return p.str()
}

func (p *parser) list(depth int) (Value, error) {
	l := List{}
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		return l, nil
	}
	for {
		v, err := p.valueDepth(depth + 1)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
		if done, err := p.separator(); err != nil || done {
			return l, err
		}
	}
}

func (p *parser) object(depth int) (Value, error) {
	o := Object{}
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		return o, nil
	}
	for {
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("want ':' after key %q", k)
		}
		p.i++
		v, err := p.valueDepth(depth + 1)
		if err != nil {
			return nil, err
		}
		o = append(o, Field{Key: k.(string), Value: v})
		if done, err := p.separator(); err != nil || done {
			return o, err
		}
	}
}

// separator consumes ',' (more to come) or ')' (done).
func (p *parser) separator() (bool, error) {
	if p.i >= len(p.s) {
		return false, p.errorf("unclosed '('")
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return false, nil
	case ')':
		p.i++
		return true, nil
	}
	return false, p.errorf("want ',' or ')', got %q", p.s[p.i])
}

func (p *parser) str() (Value, error) {
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune("(),:", rune(p.s[p.i])) {
		p.i++
	}
	raw := p.s[start:p.i]
	if raw == "''" {
		return "", nil
	}
	if strings.Contains(raw, "'") {
		return nil, p.errorf("unexpected quote in %q", raw)
	}
	s, err := url.PathUnescape(raw)
	if err != nil {
		return nil, p.errorf("bad escape in %q", raw)
	}
	return s, nil
}
