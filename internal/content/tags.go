package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/osteele/liquid/expressions"
	"github.com/osteele/liquid/render"
	"github.com/osteele/liquid/values"
)

// The tag set is ours, not the library's standard one: the library's
// include reads files, its for has no iteration budget and its capture
// buffers without limit. Parsing and expression evaluation stay the
// library's; the tag semantics follow Shopify Liquid.
func addTags(cfg *render.Config) {
	for _, m := range []mode{modeText, modeHTML, modeJSON} {
		cfg.AddTag(m.outTag(), outputTag(m))
	}
	cfg.AddTag("assign", assignTag)
	cfg.AddTag("break", loopControlTag(errBreak))
	cfg.AddTag("continue", loopControlTag(errContinue))
	cfg.AddTag("cycle", cycleTag)
	cfg.AddTag("render", renderTag)
	cfg.AddBlock(bodyTag).Compiler(func(render.BlockNode) (func(io.Writer, render.Context) error, error) {
		return func(w io.Writer, ctx render.Context) error { return ctx.RenderChildren(w) }, nil
	})
	cfg.AddBlock("capture").Compiler(captureTag)
	cfg.AddBlock("case").Clause("when").Clause("else").Compiler(caseTag)
	cfg.AddBlock("comment")
	cfg.AddBlock("for").Clause("else").Compiler(forTag)
	cfg.AddBlock("if").Clause("else").Clause("elsif").Compiler(ifTag(true))
	cfg.AddBlock("raw")
	cfg.AddBlock("unless").Clause("else").Compiler(ifTag(false))
}

// bodyTag wraps a block's source (see unit.body).
const bodyTag = "__body"

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

func stateOf(ctx render.Context) *renderState {
	st, _ := ctx.Get(stateKey).(*renderState)
	return st
}

func assignTag(args string) (func(io.Writer, render.Context) error, error) {
	stmt, err := parseStatement(expressions.AssignStatementSelector, args)
	if err != nil {
		return nil, err
	}
	name, valueFn := stmt.Assignment.Variable, stmt.Assignment.ValueFn
	return func(_ io.Writer, ctx render.Context) error {
		v, err := ctx.Evaluate(valueFn)
		if err != nil {
			return err
		}
		if valueSize(v, 0) > maxValueLen {
			return fmt.Errorf("%w: assign %s: value larger than %d bytes", ErrLimit, name, maxValueLen)
		}
		ctx.Set(name, v)
		return nil
	}, nil
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

func captureTag(node render.BlockNode) (func(io.Writer, render.Context) error, error) {
	name := strings.TrimSpace(node.Args)
	if !isIdentifier(name) {
		return nil, fmt.Errorf("capture needs a variable name, got %q", node.Args)
	}
	return func(_ io.Writer, ctx render.Context) error {
		st := stateOf(ctx)
		var buf bytes.Buffer
		if err := ctx.RenderChildren(budgetWriter{&buf, st}); err != nil {
			return err
		}
		switch st.mode {
		case modeHTML:
			ctx.Set(name, safeHTML(buf.String()))
		case modeJSON:
			ctx.Set(name, safeJSON(buf.String()))
		default:
			ctx.Set(name, buf.String())
		}
		return nil
	}, nil
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

func ifTag(polarity bool) render.BlockCompiler {
	return func(node render.BlockNode) (func(io.Writer, render.Context) error, error) {
		type branch struct {
			test expressions.Expression
			body *render.BlockNode
		}
		expr, err := parseExpr(node.Args)
		if err != nil {
			return nil, err
		}
		if !polarity {
			expr = expressions.Not(expr)
		}
		branches := []branch{{expr, &node}}
		for i, c := range node.Clauses {
			test := expressions.Constant(true)
			switch {
			case c.Name == "elsif" && polarity:
				if test, err = parseExpr(c.Args); err != nil {
					return nil, err
				}
			case c.Name == "else" && i == len(node.Clauses)-1:
			default:
				return nil, fmt.Errorf("%s: unexpected %s", node.Name, c.Name)
			}
			branches = append(branches, branch{test, c})
		}
		return func(w io.Writer, ctx render.Context) error {
			for _, b := range branches {
				v, err := ctx.Evaluate(b.test)
				if err != nil {
					return err
				}
				if v != nil && v != false {
					return ctx.RenderBlock(w, b.body)
				}
			}
			return nil
		}, nil
	}
}

func caseTag(node render.BlockNode) (func(io.Writer, render.Context) error, error) {
	expr, err := parseExpr(node.Args)
	if err != nil {
		return nil, err
	}
	type when struct {
		exprs []expressions.Expression // nil for else
		body  *render.BlockNode
	}
	var whens []when
	for i, c := range node.Clauses {
		switch {
		case c.Name == "when":
			stmt, err := parseStatement(expressions.WhenStatementSelector, c.Args)
			if err != nil {
				return nil, err
			}
			whens = append(whens, when{stmt.When.Exprs, c})
		case c.Name == "else" && i == len(node.Clauses)-1:
			whens = append(whens, when{nil, c})
		default:
			return nil, fmt.Errorf("case: unexpected %s", c.Name)
		}
	}
	return func(w io.Writer, ctx render.Context) error {
		v, err := ctx.Evaluate(expr)
		if err != nil {
			return err
		}
		for _, c := range whens {
			if c.exprs == nil {
				return ctx.RenderBlock(w, c.body)
			}
			for _, e := range c.exprs {
				wv, err := ctx.Evaluate(e)
				if err != nil {
					return err
				}
				if values.Equal(v, wv) {
					return ctx.RenderBlock(w, c.body)
				}
			}
		}
		return nil
	}, nil
}

var (
	errBreak    = errors.New("break outside a for loop")
	errContinue = errors.New("continue outside a for loop")
)

func loopControlTag(sig error) render.TagCompiler {
	return func(args string) (func(io.Writer, render.Context) error, error) {
		if strings.TrimSpace(args) != "" {
			return nil, fmt.Errorf("%s takes no arguments", sig)
		}
		return func(io.Writer, render.Context) error { return sig }, nil
	}
}

// cause follows the library's Cause chain (its errors do not Unwrap).
func cause(err error) error {
	for {
		c, ok := err.(interface{ Cause() error })
		if !ok || c.Cause() == nil {
			return err
		}
		err = c.Cause()
	}
}

func cycleTag(args string) (func(io.Writer, render.Context) error, error) {
	stmt, err := parseStatement(expressions.CycleStatementSelector, args)
	if err != nil {
		return nil, err
	}
	group, vals := stmt.Cycle.Group, stmt.Cycle.Values
	if len(vals) == 0 {
		return nil, errors.New("cycle needs at least one value")
	}
	return func(w io.Writer, ctx render.Context) error {
		loop, _ := ctx.Get("forloop").(map[string]any)
		cycles, _ := loop[".cycles"].(map[string]int)
		if cycles == nil {
			return errors.New("cycle must be inside a for loop")
		}
		n := cycles[group]
		cycles[group] = n + 1
		return writeValue(w, vals[n%len(vals)], stateOf(ctx).mode)
	}, nil
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

func forTag(node render.BlockNode) (func(io.Writer, render.Context) error, error) {
	stmt, err := parseStatement(expressions.LoopStatementSelector, node.Args)
	if err != nil {
		return nil, err
	}
	loop := stmt.Loop
	if loop.Cols != nil {
		return nil, errors.New("for: cols is a tablerow modifier")
	}
	var elseBody *render.BlockNode
	for i, c := range node.Clauses {
		if c.Name != "else" || i > 0 {
			return nil, fmt.Errorf("for: unexpected %s", c.Name)
		}
		elseBody = c
	}
	return func(w io.Writer, ctx render.Context) error {
		v, err := ctx.Evaluate(loop.Expr)
		if err != nil {
			return err
		}
		it, err := loopWindow(ctx, loop, makeIter(v))
		if err != nil {
			return err
		}
		if it == nil || it.Len() == 0 {
			if elseBody != nil {
				return ctx.RenderBlock(w, elseBody)
			}
			return nil
		}
		return runLoop(w, ctx, loop.Variable, it)
	}, nil
}

// loopWindow applies offset, limit and reversed (Shopify applies offset and
// limit first, then reverses).
func loopWindow(ctx render.Context, loop expressions.Loop, it iterable) (iterable, error) {
	if it == nil {
		return nil, nil
	}
	win := window{it: it, n: it.Len(), reversed: loop.Reversed}
	if loop.Offset != nil {
		off, err := intArg(ctx, loop.Offset, "offset")
		if err != nil {
			return nil, err
		}
		win.off = max(0, min(off, win.n))
		win.n -= win.off
	}
	if loop.Limit != nil {
		lim, err := intArg(ctx, loop.Limit, "limit")
		if err != nil {
			return nil, err
		}
		win.n = max(0, min(lim, win.n))
	}
	return win, nil
}

func intArg(ctx render.Context, e expressions.Expression, name string) (int, error) {
	v, err := ctx.Evaluate(e)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int)
	if !ok {
		return 0, fmt.Errorf("for: %s must be an integer", name)
	}
	return n, nil
}

func runLoop(w io.Writer, ctx render.Context, variable string, it iterable) error {
	st := stateOf(ctx)
	prevLoop, prevVar := ctx.Get("forloop"), ctx.Get(variable)
	defer func() {
		ctx.Set("forloop", prevLoop)
		ctx.Set(variable, prevVar)
	}()
	cycles := map[string]int{}
	n := it.Len()
	for i := 0; i < n; i++ {
		if err := st.iterate(); err != nil {
			return err
		}
		ctx.Set(variable, it.Index(i))
		ctx.Set("forloop", map[string]any{
			"first": i == 0, "last": i == n-1, "index": i + 1, "index0": i,
			"rindex": n - i, "rindex0": n - i - 1, "length": n, ".cycles": cycles,
		})
		err := ctx.RenderChildren(w)
		if err == nil {
			continue
		}
		switch cause(err) {
		case errBreak:
			return nil
		case errContinue:
			continue
		}
		return err
	}
	return nil
}
