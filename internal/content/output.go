package content

import (
	"io"
	"strings"

	"github.com/osteele/liquid/render"
	"github.com/osteele/liquid/values"
)

// outputTag compiles {{ expr }} (rewritten to a tag, see rewrite). The two
// forms that make up most of a marketing email, a variable path and a path
// with a string default ({{ contact.firstName | default: "there" }}), are
// evaluated directly on the bindings; everything else, and any value the
// fast path cannot read as Liquid would, goes through the library's
// evaluator. Output is escaped into a scratch buffer and written once.
func outputTag(m mode) render.TagCompiler {
	return func(args string) (func(io.Writer, render.Context) error, error) {
		expr, err := parseExpr(args)
		if err != nil {
			return nil, err
		}
		fast, hasFast := parseFastPath(args)
		return func(w io.Writer, ctx render.Context) error {
			var v any
			ok := false
			if hasFast {
				v, ok = fast.eval(ctx)
			}
			if !ok {
				if v, err = ctx.Evaluate(expr); err != nil {
					return err
				}
			}
			st := stateOf(ctx)
			st.scratch = st.scratch[:0]
			if err := writeValue(&st.scratch, v, m); err != nil {
				return err
			}
			if len(st.scratch) == 0 {
				return nil
			}
			_, err := w.Write(st.scratch)
			return err
		}, nil
	}
}

// scratch is an io.Writer that appends to a byte slice.
type scratch []byte

func (s *scratch) Write(p []byte) (int, error) {
	*s = append(*s, p...)
	return len(p), nil
}

func (s *scratch) WriteString(p string) (int, error) {
	*s = append(*s, p...)
	return len(p), nil
}

// fastPath is "root.a.b" optionally followed by | default: "literal".
type fastPath struct {
	root       string
	path       []string
	def        string
	hasDefault bool
}

func parseFastPath(src string) (fastPath, bool) {
	var f fastPath
	pathSrc, filter, piped := strings.Cut(src, "|")
	segs := strings.Split(strings.TrimSpace(pathSrc), ".")
	for _, s := range segs {
		if !isPlainIdent(s) {
			return f, false
		}
	}
	f.root, f.path = segs[0], segs[1:]
	if !piped {
		return f, true
	}
	name, lit, ok := strings.Cut(filter, ":")
	lit = strings.TrimSpace(lit)
	if !ok || strings.TrimSpace(name) != "default" || len(lit) < 2 {
		return f, false
	}
	q := lit[0]
	if (q != '"' && q != '\'') || lit[len(lit)-1] != q || strings.IndexByte(lit[1:len(lit)-1], q) >= 0 {
		return f, false
	}
	f.def, f.hasDefault = lit[1:len(lit)-1], true
	return f, true
}

func isPlainIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(isIdentStart(c) || c >= '0' && c <= '9') {
			return false
		}
	}
	return !exprWords[s]
}

// eval reads the path from the bindings. ok is false when Liquid could read
// it differently (a drop, a struct, a non-string-keyed map, the size, first
// and last properties), and the caller then uses the library.
func (f fastPath) eval(ctx render.Context) (any, bool) {
	v := ctx.Get(f.root)
	for _, p := range f.path {
		if v == nil {
			break
		}
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, false
		}
		var found bool
		if v, found = m[p]; !found && (p == "size" || p == "first" || p == "last") {
			return nil, false
		}
	}
	switch x := v.(type) {
	case nil, string, int, int64, float64, bool, safeHTML, safeJSON:
	case []any, map[string]any:
		if !f.hasDefault {
			return x, true
		}
	default:
		return nil, false
	}
	if f.hasDefault && (v == nil || v == false || values.IsEmpty(v)) {
		return f.def, true
	}
	return v, true
}
