package jsonv

import (
	"sort"
	"strconv"
	"unicode/utf8"
)

// Marshal returns the compact JSON text of v.
func Marshal(v any) []byte { return Append(make([]byte, 0, 128), v) }

// String returns the compact JSON text of v as a string.
func String(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case Number:
		return string(x)
	}
	var buf [256]byte
	return string(Append(buf[:0], v))
}

// Append appends the compact JSON text of v to dst. Strings escape only
// quotes, backslashes and control characters; invalid UTF-8 becomes U+FFFD.
func Append(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Number:
		return append(dst, x...)
	case string:
		return AppendString(dst, x)
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = Append(dst, e)
		}
		return append(dst, ']')
	case *Object:
		dst = append(dst, '{')
		for i, f := range x.fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, f.key)
			dst = append(dst, ':')
			dst = Append(dst, f.val)
		}
		return append(dst, '}')
	}
	return append(dst, "null"...)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Size returns the length in bytes of v's compact JSON text, counting no
// further than limit+1 (so a caller checking a quota stops early).
func Size(v any, limit int) int {
	n := 0
	size(v, &n, limit)
	return n
}

func size(v any, n *int, limit int) {
	if *n > limit {
		return
	}
	switch x := v.(type) {
	case nil:
		*n += 4
	case bool:
		if x {
			*n += 4
		} else {
			*n += 5
		}
	case Number:
		*n += len(x)
	case string:
		*n += stringSize(x)
	case []any:
		*n += 2
		if len(x) > 1 {
			*n += len(x) - 1
		}
		for _, e := range x {
			size(e, n, limit)
		}
	case *Object:
		if s := x.size.Load(); s > 0 {
			*n += int(s) - 1
			return
		}
		before := *n
		*n += 2
		if x.Len() > 1 {
			*n += x.Len() - 1
		}
		for _, f := range x.fields {
			*n += stringSize(f.key) + 1
			size(f.val, n, limit)
		}
		if *n <= limit && *n-before < 1<<30 {
			x.size.Store(int32(*n-before) + 1)
		}
	}
}

func stringSize(s string) int {
	n := 2
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
			n += 2
		case c < 0x20:
			n += 6
		default:
			n++
		}
	}
	return n
}

// FromGo converts a value built from Go types (as encoding/json decodes
// into: map[string]any, []any, float64, string, bool, nil, plus ints and
// json-like Numbers) into a jsonv value. Map keys are sorted. Other types
// become null.
func FromGo(v any) any {
	switch x := v.(type) {
	case nil, bool, string, Number, *Object:
		return x
	case float64:
		return Float(x)
	case int:
		return Int(int64(x))
	case int64:
		return Int(x)
	case interface{ String() string }:
		if n, ok := v.(interface{ Int64() (int64, error) }); ok {
			if i, err := n.Int64(); err == nil {
				return Int(i)
			}
			return Number(x.String())
		}
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = FromGo(e)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := NewObject(len(keys))
		for _, k := range keys {
			o.Set(k, FromGo(x[k]))
		}
		return o
	}
	return nil
}

// ToGo converts a jsonv value into the Go types encoding/json would decode
// into (numbers become float64).
func ToGo(v any) any {
	switch x := v.(type) {
	case Number:
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = ToGo(e)
		}
		return out
	case *Object:
		m := make(map[string]any, x.Len())
		for _, f := range x.fields {
			m[f.key] = ToGo(f.val)
		}
		return m
	}
	return v
}
