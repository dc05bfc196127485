package content

import (
	"strings"

	"github.com/osteele/liquid/expressions"
	"github.com/osteele/liquid/values"
)

// outputNode is {{ expr }}, escaped for its part. The two forms that make
// up most of a marketing email, a variable path and a path with a string
// default ({{ contact.firstName | default: "there" }}), are read directly
// from the variables; everything else, and any value the fast path cannot
// read as Liquid would, goes through the library's evaluator.
type outputNode struct {
	expr    expressions.Expression
	fast    fastPath
	hasFast bool
	mode    mode
	line    int
}

func newOutput(src string, expr expressions.Expression, m mode, line int) *outputNode {
	n := &outputNode{expr: expr, mode: m, line: line}
	n.fast, n.hasFast = parseFastPath(src)
	return n
}

func (n *outputNode) render(c *rctx) error {
	var v any
	ok := false
	if n.hasFast {
		v, ok = n.fast.eval(c.vars)
	}
	if !ok {
		var err error
		if v, err = c.eval(n.expr, n.line); err != nil {
			return err
		}
	}
	start := len(*c.out)
	*c.out = appendValue(*c.out, v, n.mode)
	return c.grew(start)
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

// eval reads the path from vars. ok is false when Liquid could read it
// differently (a drop, a struct, a non-string-keyed map, the size, first
// and last properties), and the caller then uses the library.
func (f fastPath) eval(vars map[string]any) (any, bool) {
	v := vars[f.root]
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

// fastTest is an if, elsif or unless test of the two forms most templates
// use, read directly from the variables: a path (true unless nil or
// false, as Liquid has it) and a path compared with a string literal (==
// or !=). A value the fast path cannot read as Liquid would, or that is
// neither a string nor nil in a comparison, goes through the library.
type fastTest struct {
	path   fastPath
	op     string // "", "==" or "!="
	lit    string
	negate bool // unless
}

func parseFastTest(src string, negate bool) (fastTest, bool) {
	t := fastTest{negate: negate}
	src = strings.TrimSpace(src)
	pathSrc, lit := src, ""
	for _, op := range []string{"==", "!="} {
		if l, r, ok := strings.Cut(src, op); ok {
			pathSrc, lit, t.op = l, strings.TrimSpace(r), op
			break
		}
	}
	if strings.ContainsAny(pathSrc, "|\"'<>!=") {
		return t, false
	}
	var ok bool
	if t.path, ok = parseFastPath(pathSrc); !ok || t.path.hasDefault {
		return t, false
	}
	if t.op == "" {
		return t, true
	}
	if len(lit) < 2 {
		return t, false
	}
	q := lit[0]
	if (q != '"' && q != '\'') || lit[len(lit)-1] != q || strings.IndexByte(lit[1:len(lit)-1], q) >= 0 {
		return t, false
	}
	t.lit = lit[1 : len(lit)-1]
	return t, true
}

// eval returns the test's truth; ok is false when the library must decide.
func (t fastTest) eval(vars map[string]any) (truth, ok bool) {
	v, ok := t.path.eval(vars)
	if !ok {
		return false, false
	}
	switch t.op {
	case "":
		truth = v != nil && v != false
	default:
		switch x := v.(type) {
		case nil:
			truth = false
		case string:
			truth = x == t.lit
		default:
			return false, false
		}
		if t.op == "!=" {
			truth = !truth
		}
	}
	return truth != t.negate, true
}
