package content

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/osteele/liquid/expressions"
	"github.com/osteele/liquid/parser"
	"github.com/osteele/liquid/render"
	"github.com/osteele/liquid/values"
)

// The tag set is ours: the library's include reads files, its for has no
// iteration budget and its capture buffers without limit. The library's
// grammar only needs to know the block tags and their clauses to parse;
// the semantics follow Shopify Liquid.
func addGrammar(cfg *render.Config) {
	cfg.AddBlock("capture")
	cfg.AddBlock("case").Clause("when").Clause("else")
	cfg.AddBlock("comment")
	cfg.AddBlock("for").Clause("else")
	cfg.AddBlock("if").Clause("else").Clause("elsif")
	cfg.AddBlock("raw")
	cfg.AddBlock("unless").Clause("else")
}

// tagNames are the tags templates may use, for checking and hints.
var tagNames = []string{"assign", "break", "capture", "case", "comment", "continue", "cycle", "for", "if", "raw", "render", "unless"}

// parseExpr parses a Liquid expression. The library's parser panics on
// some inputs (an integer literal that overflows); that becomes an error.
func parseExpr(src string) (e expressions.Expression, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("invalid expression %q: %v", src, r)
		}
	}()
	return expressions.Parse(src)
}

func parseStatement(sel, src string) (st *expressions.Statement, err error) {
	defer func() {
		if r := recover(); r != nil {
			st, err = nil, fmt.Errorf("invalid statement %q: %v", src, r)
		}
	}()
	return expressions.ParseStatement(sel, src)
}

func (k compiler) tag(t *parser.ASTTag) (node, error) {
	line := t.SourceLoc.LineNo
	switch t.Name {
	case "assign":
		stmt, err := parseStatement(expressions.AssignStatementSelector, t.Args)
		if err != nil {
			return nil, err
		}
		return &assignNode{stmt.Assignment.Variable, stmt.Assignment.ValueFn, line}, nil
	case "break":
		return signalNode{errBreak}, nil
	case "continue":
		return signalNode{errContinue}, nil
	case "cycle":
		stmt, err := parseStatement(expressions.CycleStatementSelector, t.Args)
		if err != nil {
			return nil, err
		}
		if len(stmt.Cycle.Values) == 0 {
			return nil, errors.New("cycle needs at least one value")
		}
		return &cycleNode{stmt.Cycle.Group, stmt.Cycle.Values, k.mode}, nil
	case "render":
		return newRenderNode(t.Args, line)
	}
	return nil, fmt.Errorf("unknown tag %q", t.Name)
}

func (k compiler) block(b *parser.ASTBlock) (node, error) {
	switch b.Name {
	case "if", "unless":
		return k.ifBlock(b)
	case "case":
		return k.caseBlock(b)
	case "for":
		return k.forBlock(b)
	case "capture":
		name := strings.TrimSpace(b.Args)
		if !isIdentifier(name) {
			return nil, fmt.Errorf("capture needs a variable name, got %q", b.Args)
		}
		body, err := k.body(b)
		if err != nil {
			return nil, err
		}
		return &captureNode{name, body, k.mode}, nil
	}
	return nil, fmt.Errorf("unknown block %q", b.Name)
}

func isIdentifier(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

type assignNode struct {
	name string
	expr expressions.Expression
	line int
}

func (a *assignNode) render(c *rctx) error {
	v, err := c.eval(a.expr, a.line)
	if err != nil {
		return err
	}
	if valueSize(v, 0) > maxValueLen {
		return fmt.Errorf("%w: assign %s: value larger than %d bytes", ErrLimit, a.name, maxValueLen)
	}
	c.vars[a.name] = v
	return nil
}

// valueSize approximates the memory a value holds, so assign can refuse a
// value built up beyond maxValueLen.
func valueSize(v any, depth int) int {
	if depth > 8 {
		return 0
	}
	switch x := v.(type) {
	case string:
		return len(x)
	case safeHTML:
		return len(x)
	case safeJSON:
		return len(x)
	case []any:
		n := len(x)
		for _, e := range x {
			n += valueSize(e, depth+1)
			if n > maxValueLen {
				return n
			}
		}
		return n
	case values.Range:
		return x.Len()
	}
	return 8
}

type captureNode struct {
	name string
	body node
	mode mode
}

func (cp *captureNode) render(c *rctx) error {
	var buf []byte
	saved := c.out
	c.out = &buf
	err := cp.body.render(c)
	c.out = saved
	if err != nil {
		return err
	}
	switch cp.mode {
	case modeHTML:
		c.vars[cp.name] = safeHTML(buf)
	case modeJSON:
		c.vars[cp.name] = safeJSON(buf)
	default:
		c.vars[cp.name] = string(buf)
	}
	return nil
}

type branch struct {
	test    expressions.Expression
	body    node
	fast    fastTest // the test read directly, when hasFast
	hasFast bool
}

type ifNode struct {
	branches []branch
	line     int
}

func (k compiler) ifBlock(b *parser.ASTBlock) (node, error) {
	expr, err := parseExpr(b.Args)
	if err != nil {
		return nil, err
	}
	if b.Name == "unless" {
		expr = expressions.Not(expr)
	}
	body, err := k.body(b)
	if err != nil {
		return nil, err
	}
	first := branch{test: expr, body: body}
	first.fast, first.hasFast = parseFastTest(b.Args, b.Name == "unless")
	n := &ifNode{branches: []branch{first}, line: b.SourceLoc.LineNo}
	for i, cl := range b.Clauses {
		test := expressions.Constant(true)
		var fast fastTest
		hasFast := false
		switch {
		case cl.Name == "elsif" && b.Name == "if":
			if test, err = parseExpr(cl.Args); err != nil {
				return nil, err
			}
			fast, hasFast = parseFastTest(cl.Args, false)
		case cl.Name == "else" && i == len(b.Clauses)-1:
		default:
			return nil, fmt.Errorf("%s: unexpected %s", b.Name, cl.Name)
		}
		cb, err := k.body(cl)
		if err != nil {
			return nil, err
		}
		n.branches = append(n.branches, branch{test: test, body: cb, fast: fast, hasFast: hasFast})
	}
	return n, nil
}

func (n *ifNode) render(c *rctx) error {
	for _, b := range n.branches {
		if b.hasFast {
			if truth, ok := b.fast.eval(c.vars); ok {
				if truth {
					return b.body.render(c)
				}
				continue
			}
		}
		v, err := c.eval(b.test, n.line)
		if err != nil {
			return err
		}
		if v != nil && v != false {
			return b.body.render(c)
		}
	}
	return nil
}

type caseNode struct {
	expr  expressions.Expression
	whens []when
	line  int
}

type when struct {
	exprs []expressions.Expression // nil for else
	body  node
}

func (k compiler) caseBlock(b *parser.ASTBlock) (node, error) {
	expr, err := parseExpr(b.Args)
	if err != nil {
		return nil, err
	}
	n := &caseNode{expr: expr, line: b.SourceLoc.LineNo}
	for i, cl := range b.Clauses {
		body, err := k.body(cl)
		if err != nil {
			return nil, err
		}
		switch {
		case cl.Name == "when":
			stmt, err := parseStatement(expressions.WhenStatementSelector, cl.Args)
			if err != nil {
				return nil, err
			}
			n.whens = append(n.whens, when{stmt.When.Exprs, body})
		case cl.Name == "else" && i == len(b.Clauses)-1:
			n.whens = append(n.whens, when{nil, body})
		default:
			return nil, fmt.Errorf("case: unexpected %s", cl.Name)
		}
	}
	return n, nil
}

func (n *caseNode) render(c *rctx) error {
	v, err := c.eval(n.expr, n.line)
	if err != nil {
		return err
	}
	for _, w := range n.whens {
		if w.exprs == nil {
			return w.body.render(c)
		}
		for _, e := range w.exprs {
			wv, err := c.eval(e, n.line)
			if err != nil {
				return err
			}
			if values.Equal(v, wv) {
				return w.body.render(c)
			}
		}
	}
	return nil
}

var (
	errBreak    = errors.New("break outside a for loop")
	errContinue = errors.New("continue outside a for loop")
)

// signalNode is break or continue: the enclosing loop catches the error.
type signalNode struct{ err error }

func (s signalNode) render(*rctx) error { return s.err }

type cycleNode struct {
	group string
	vals  []string
	mode  mode
}

func (cy *cycleNode) render(c *rctx) error {
	loop, _ := c.vars["forloop"].(map[string]any)
	cycles, _ := loop[".cycles"].(map[string]int)
	if cycles == nil {
		return errors.New("cycle must be inside a for loop")
	}
	n := cycles[cy.group]
	cycles[cy.group] = n + 1
	start := len(*c.out)
	*c.out = appendEscaped(*c.out, cy.vals[n%len(cy.vals)], cy.mode)
	return c.grew(start)
}

// An iterable is what a for loop walks: a slice, a map's keys and values, a
// range. Ranges are never materialised.
type iterable interface {
	Len() int
	Index(int) any
}

type sliceIter reflect.Value

func (s sliceIter) Len() int        { return reflect.Value(s).Len() }
func (s sliceIter) Index(i int) any { return reflect.Value(s).Index(i).Interface() }

type anyIter []any

func (s anyIter) Len() int        { return len(s) }
func (s anyIter) Index(i int) any { return s[i] }

// makeIter returns an iterable over v, or nil for values a loop skips.
// Maps iterate as [key, value] pairs in key order, so output is stable.
func makeIter(v any) iterable {
	switch x := v.(type) {
	case nil:
		return nil
	case iterable:
		return x
	case []any:
		return anyIter(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		pairs := make(anyIter, len(keys))
		for i, k := range keys {
			pairs[i] = []any{k, x[k]}
		}
		return pairs
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		return sliceIter(rv)
	}
	return nil
}

type window struct {
	it       iterable
	off, n   int
	reversed bool
}

func (w window) Len() int { return w.n }
func (w window) Index(i int) any {
	if w.reversed {
		return w.it.Index(w.off + w.n - 1 - i)
	}
	return w.it.Index(w.off + i)
}

type forNode struct {
	loop     expressions.Loop
	body     node
	elseBody node
	line     int
}

func (k compiler) forBlock(b *parser.ASTBlock) (node, error) {
	stmt, err := parseStatement(expressions.LoopStatementSelector, b.Args)
	if err != nil {
		return nil, err
	}
	if stmt.Loop.Cols != nil {
		return nil, errors.New("for: cols is a tablerow modifier")
	}
	body, err := k.body(b)
	if err != nil {
		return nil, err
	}
	n := &forNode{loop: stmt.Loop, body: body, line: b.SourceLoc.LineNo}
	for i, cl := range b.Clauses {
		if cl.Name != "else" || i > 0 {
			return nil, fmt.Errorf("for: unexpected %s", cl.Name)
		}
		if n.elseBody, err = k.body(cl); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (n *forNode) render(c *rctx) error {
	v, err := c.eval(n.loop.Expr, n.line)
	if err != nil {
		return err
	}
	it, err := n.window(c, makeIter(v))
	if err != nil {
		return err
	}
	if it == nil || it.Len() == 0 {
		if n.elseBody != nil {
			return n.elseBody.render(c)
		}
		return nil
	}
	return n.run(c, it)
}

// window applies offset, limit and reversed (Shopify applies offset and
// limit first, then reverses).
func (n *forNode) window(c *rctx, it iterable) (iterable, error) {
	if it == nil {
		return nil, nil
	}
	win := window{it: it, n: it.Len(), reversed: n.loop.Reversed}
	if n.loop.Offset != nil {
		off, err := n.intArg(c, n.loop.Offset, "offset")
		if err != nil {
			return nil, err
		}
		win.off = max(0, min(off, win.n))
		win.n -= win.off
	}
	if n.loop.Limit != nil {
		lim, err := n.intArg(c, n.loop.Limit, "limit")
		if err != nil {
			return nil, err
		}
		win.n = max(0, min(lim, win.n))
	}
	return win, nil
}

func (n *forNode) intArg(c *rctx, e expressions.Expression, name string) (int, error) {
	v, err := c.eval(e, n.line)
	if err != nil {
		return 0, err
	}
	i, ok := v.(int)
	if !ok {
		return 0, fmt.Errorf("line %d: for: %s must be an integer", n.line, name)
	}
	return i, nil
}

func (n *forNode) run(c *rctx, it iterable) error {
	name := n.loop.Variable
	prevLoop, prevVar := c.vars["forloop"], c.vars[name]
	defer func() {
		c.vars["forloop"], c.vars[name] = prevLoop, prevVar
	}()
	cycles := map[string]int{}
	count := it.Len()
	for i := 0; i < count; i++ {
		if err := c.st.iterate(); err != nil {
			return err
		}
		c.vars[name] = it.Index(i)
		c.vars["forloop"] = map[string]any{
			"first": i == 0, "last": i == count-1, "index": i + 1, "index0": i,
			"rindex": count - i, "rindex0": count - i - 1, "length": count, ".cycles": cycles,
		}
		switch err := n.body.render(c); err {
		case nil, errContinue:
		case errBreak:
			return nil
		default:
			return err
		}
	}
	return nil
}
