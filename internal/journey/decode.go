package journey

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds how many YAML nodes one document may expand to (aliases
// included), so a small file cannot make the decoder walk forever.
const maxNodes = 200_000

// maxFileSize bounds the bytes of one file.
const maxFileSize = 4 << 20

// A decoder turns a yaml.Node tree into model values, recording positions
// in Meta fields and collecting problems instead of stopping at the first.
type decoder struct {
	file  string
	lines []string
	probs Problems
	nodes int
	over  bool
}

// nodeDecoder is implemented by model types that read their own YAML form
// (durations, conditions, times of day).
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node)
}

// metaHolder is implemented by every type that embeds Meta.
type metaHolder interface{ meta() *Meta }

var lineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses src into its document node. A syntax error becomes a
// problem at the line the YAML parser names.
func parseYAML(file string, src []byte) (*yaml.Node, Problems) {
	var probs Problems
	if len(src) > maxFileSize {
		probs.Add(Pos{File: file, Line: 1, Col: 1}, fmt.Sprintf("the limit is %d MiB", maxFileSize>>20), "file is too large (%d bytes)", len(src))
		return nil, probs
	}
	var doc yaml.Node
	err := safeUnmarshal(src, &doc)
	if err != nil {
		msg := err.Error()
		pos := Pos{File: file, Line: 1, Col: 1}
		if m := lineRE.FindStringSubmatch(msg); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		probs.Add(pos, "", "invalid YAML: %s", msg)
		return nil, probs
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		probs.Add(Pos{File: file, Line: 1, Col: 1}, "", "the file is empty")
		return nil, probs
	}
	return doc.Content[0], nil
}

// safeUnmarshal runs the YAML parser, turning a panic inside it into an
// error so that no input can crash a caller.
func safeUnmarshal(src []byte, doc *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: parser failed: %v", r)
		}
	}()
	return yaml.Unmarshal(src, doc)
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line, Col: n.Column} }

func (d *decoder) add(n *yaml.Node, hint, format string, args ...any) {
	d.probs.Add(d.pos(n), hint, format, args...)
}

// resolve follows aliases and counts nodes against the budget.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	d.nodes++
	if d.nodes > maxNodes && !d.over {
		d.over = true
		d.add(n, fmt.Sprintf("the limit is %d nodes", maxNodes), "document expands to too many nodes")
	}
	return n
}

// decode reads n into v, which must be settable.
func (d *decoder) decode(n *yaml.Node, v reflect.Value) {
	n = d.resolve(n)
	if n == nil || d.over || n.Kind == yaml.AliasNode {
		return
	}
	if v.CanAddr() {
		if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
			nd.decodeNode(d, n)
			return
		}
	}
	if isNull(n) && v.Kind() != reflect.Interface {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem())
	case reflect.Struct:
		d.decodeStruct(n, v)
	case reflect.Slice:
		d.decodeSlice(n, v)
	case reflect.Map:
		d.decodeMap(n, v)
	case reflect.String:
		if d.scalar(n, "a string", "!!str") {
			v.SetString(n.Value)
		}
	case reflect.Bool:
		if d.scalar(n, "true or false", "!!bool") {
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			v.SetBool(b)
		}
	case reflect.Int:
		if d.scalar(n, "a whole number", "!!int") {
			i, err := strconv.ParseInt(n.Value, 0, 64)
			if err != nil || i > math.MaxInt32 || i < math.MinInt32 {
				d.add(n, "", "number %s is out of range", n.Value)
				return
			}
			v.SetInt(i)
		}
	case reflect.Float64:
		if d.scalar(n, "a number", "!!int", "!!float") {
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil {
				d.add(n, "", "%s is not a number", n.Value)
				return
			}
			v.SetFloat(f)
		}
	case reflect.Interface:
		if g := d.generic(n, 0); g != nil {
			v.Set(reflect.ValueOf(g))
		}
	default:
		d.add(n, "", "cannot read a value of Go type %s here", v.Type())
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// scalar checks that n is a scalar with one of the tags; it reports a
// "wrong type" problem otherwise.
func (d *decoder) scalar(n *yaml.Node, want string, tags ...string) bool {
	if n.Kind == yaml.ScalarNode {
		tag := n.ShortTag()
		for _, t := range tags {
			if tag == t {
				return true
			}
		}
	}
	d.add(n, "", "expected %s, got %s", want, describe(n))
	return false
}

// describe names what a node is, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return fmt.Sprintf("the string %s", quoteShort(n.Value))
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!null":
			return "nothing"
		case "!!timestamp":
			return "the date " + n.Value
		}
		return "the value " + quoteShort(n.Value)
	}
	return "an alias"
}

func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return strconv.Quote(s)
}

// yamlName returns the YAML key of a struct field, or "" when the field is
// not read from YAML.
func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name[:1]) + f.Name[1:]
	}
	return name
}

// keysOf lists the YAML keys a struct type accepts, in field order.
func keysOf(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" && !t.Field(i).Anonymous {
			keys = append(keys, name)
		}
	}
	return keys
}

// kindName is how messages name a struct type: "step", "trigger", ...
func kindName(t reflect.Type) string {
	if n, ok := reflect.New(t).Interface().(interface{ kindName() string }); ok {
		return n.kindName()
	}
	return strings.ToLower(t.Name())
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value) {
	var m *Meta
	if mh, ok := v.Addr().Interface().(metaHolder); ok {
		m = mh.meta()
		m.Pos = d.pos(n)
		m.Keys = make(map[string]Pos, len(n.Content)/2)
	}
	if n.Kind != yaml.MappingNode {
		d.add(n, "", "expected a mapping (key: value) for the %s, got %s", kindName(v.Type()), describe(n))
		return
	}
	t := v.Type()
	fields := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" && !t.Field(i).Anonymous {
			fields[name] = i
		}
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := d.resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.add(k, "", "a key must be a plain name, got %s", describe(k))
			continue
		}
		key := k.Value
		if seen[key] {
			d.add(k, "", "duplicate key %q", key)
			continue
		}
		seen[key] = true
		idx, ok := fields[key]
		if !ok {
			d.add(k, didYouMean(key, keysOf(t)), "unknown key %q in the %s", key, kindName(t))
			if m != nil {
				m.Unknown = append(m.Unknown, key)
			}
			continue
		}
		if m != nil {
			rv := d.resolve(val)
			m.Keys[key] = d.pos(rv)
			if rv.Kind == yaml.MappingNode && v.Field(idx).Kind() == reflect.Map {
				d.entryPositions(m, key, rv)
			}
		}
		d.decode(val, v.Field(idx))
	}
}

// entryPositions records where the value of each entry of a map-valued
// key starts, as "key.entry" (blocks.hero), for checks of single entries.
func (d *decoder) entryPositions(m *Meta, key string, n *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode {
			m.Keys[key+"."+k.Value] = d.pos(n.Content[i+1])
		}
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.add(n, "", "expected a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		d.decode(c, s.Index(i))
	}
	v.Set(s)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.add(n, "", "expected a mapping (key: value), got %s", describe(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.add(n, "", "cannot read a map with %s keys", v.Type().Key())
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.resolve(n.Content[i])
		if k.Kind != yaml.ScalarNode {
			d.add(k, "", "a key must be a plain name, got %s", describe(k))
			continue
		}
		if m.MapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key())).IsValid() {
			d.add(k, "", "duplicate key %q", k.Value)
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(n.Content[i+1], elem)
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
	}
	v.Set(m)
}

// generic reads any node as plain Go data: string, int, float64, bool, nil,
// []any or map[string]any.
func (d *decoder) generic(n *yaml.Node, depth int) any {
	n = d.resolve(n)
	if n == nil || d.over || depth > 50 {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			return b
		case "!!int":
			if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
				return int(i)
			}
			return n.Value
		case "!!float":
			if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f
			}
			return n.Value
		}
		return n.Value
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, d.generic(c, depth+1))
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := d.resolve(n.Content[i])
			out[k.Value] = d.generic(n.Content[i+1], depth+1)
		}
		return out
	}
	return nil
}

// decodeFile parses src and decodes its document into out (a pointer).
func decodeFile(file string, src []byte, out any) Problems {
	root, probs := parseYAML(file, src)
	if root == nil {
		return probs
	}
	d := &decoder{file: file, lines: strings.Split(string(src), "\n")}
	d.decode(root, reflect.ValueOf(out).Elem())
	return d.probs
}
