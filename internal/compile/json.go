package compile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// obj is a JSON object that keeps its keys in the order they were added.
type obj []kv

type kv struct {
	k string
	v any
}

// set adds or replaces a key.
func (o *obj) set(k string, v any) *obj {
	for i := range *o {
		if (*o)[i].k == k {
			(*o)[i].v = v
			return o
		}
	}
	*o = append(*o, kv{k, v})
	return o
}

// get returns a key's value.
func (o obj) get(k string) (any, bool) {
	for _, e := range o {
		if e.k == k {
			return e.v, true
		}
	}
	return nil, false
}

func o(pairs ...any) *obj {
	out := make(obj, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, kv{pairs[i].(string), pairs[i+1]})
	}
	return &out
}

// indent writes v as two-space indented JSON with a final newline, keys
// in order, without HTML escaping: the same bytes encoding/json's indenting
// encoder writes, in one pass.
func indent(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := write(&b, v, 0); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func newline(b *bytes.Buffer, depth int) {
	b.WriteByte('\n')
	for i := 0; i < depth; i++ {
		b.WriteString("  ")
	}
}

func write(b *bytes.Buffer, v any, depth int) error {
	switch x := v.(type) {
	case *obj:
		return write(b, *x, depth)
	case obj:
		if len(x) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, depth+1)
			writeString(b, e.k)
			b.WriteString(": ")
			if err := write(b, e.v, depth+1); err != nil {
				return err
			}
		}
		newline(b, depth)
		b.WriteByte('}')
	case []any:
		return writeList(b, len(x), func(i int) any { return x[i] }, depth)
	case []string:
		return writeList(b, len(x), func(i int) any { return x[i] }, depth)
	case string:
		writeString(b, x)
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case nil:
		b.WriteString("null")
	case float64:
		s, err := json.Marshal(x)
		if err != nil {
			return err
		}
		b.Write(s)
	default:
		return fmt.Errorf("cannot write %T as JSON", v)
	}
	return nil
}

func writeList(b *bytes.Buffer, n int, at func(int) any, depth int) error {
	if n == 0 {
		b.WriteString("[]")
		return nil
	}
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		newline(b, depth+1)
		if err := write(b, at(i), depth+1); err != nil {
			return err
		}
	}
	newline(b, depth)
	b.WriteByte(']')
	return nil
}

// writeString writes a JSON string as encoding/json does with HTML
// escaping off.
func writeString(b *bytes.Buffer, s string) {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
	}
	if plain {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
