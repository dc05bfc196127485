package content

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/osteele/liquid/expressions"
	"github.com/osteele/liquid/parser"
)

// The library parses (tags, expressions with their filters); the compiled
// tree and its interpreter are ours. The library's renderer copies the
// bindings on every render, boxes a context per tag, buffers every write
// twice and panics on writer errors; ours writes into one byte slice with
// the render's budget, and lets output nodes escape for their part.

// A node is one compiled piece of a Liquid source.
type node interface {
	render(c *rctx) error
}

// rctx is the context of one render: the output, the variables in scope
// and the expression context over them.
type rctx struct {
	st   *renderState
	out  *[]byte
	vars map[string]any
	ectx expressions.Context
}

func (l *Library) newRctx(st *renderState, out *[]byte, vars map[string]any) *rctx {
	return &rctx{st: st, out: out, vars: vars, ectx: expressions.NewContext(vars, l.cfg.Config.Config)}
}

// grow accounts for output appended since the length n.
func (c *rctx) grew(n int) error {
	return c.st.spend(len(*c.out) - n)
}

type seqNode []node

func (s seqNode) render(c *rctx) error {
	for _, n := range s {
		if err := n.render(c); err != nil {
			return err
		}
	}
	return nil
}

type textNode []byte

func (t textNode) render(c *rctx) error {
	if err := c.st.spend(len(t)); err != nil {
		return err
	}
	*c.out = append(*c.out, t...)
	return nil
}

// An exprError is an expression that failed, with the line it is on. Its
// message names the filter but not the values: the library's messages quote
// them, and they may be contact data. Unwrap gives the library's error.
type exprError struct {
	line int
	err  error
}

func (e *exprError) Error() string {
	var fe expressions.FilterError
	if errors.As(e.err, &fe) {
		return fmt.Sprintf("line %d: filter %s failed", e.line, fe.FilterName)
	}
	var ue expressions.UndefinedFilter
	if errors.As(e.err, &ue) {
		return fmt.Sprintf("line %d: %v", e.line, ue)
	}
	return fmt.Sprintf("line %d: expression failed (%T)", e.line, e.err)
}

func (e *exprError) Unwrap() error { return e.err }

func (c *rctx) eval(e expressions.Expression, line int) (any, error) {
	v, err := e.Evaluate(c.ectx)
	if err != nil {
		var fe expressions.FilterError
		if errors.As(err, &fe) && errors.Is(fe.Err, ErrLimit) {
			return nil, fe.Err
		}
		return nil, &exprError{line, err}
	}
	return v, nil
}

// compiler turns the library's syntax tree into nodes for one escaping
// mode.
type compiler struct {
	mode mode
}

// compile parses src with the library and compiles it.
func (l *Library) compile(src string, loc parser.SourceLoc, m mode) (n node, err error) {
	defer func() {
		if p := recover(); p != nil {
			n, err = nil, fmt.Errorf("liquid parser: %v", p)
		}
	}()
	ast, perr := l.cfg.Parse(src, loc)
	if perr != nil {
		return nil, perr
	}
	k := compiler{mode: m}
	return k.node(ast)
}

func (k compiler) node(n parser.ASTNode) (node, error) {
	switch n := n.(type) {
	case *parser.ASTSeq:
		return k.seq(n.Children)
	case *parser.ASTText:
		return textNode(n.Source), nil
	case *parser.ASTRaw:
		return textNode(strings.Join(n.Slices, "")), nil
	case *parser.ASTObject:
		return newOutput(n.Args, n.Expr, k.mode, n.SourceLoc.LineNo), nil
	case *parser.ASTTag:
		return k.tag(n)
	case *parser.ASTBlock:
		return k.block(n)
	case *parser.ASTTrim:
		return seqNode(nil), nil // applied to the neighbouring text by seq
	}
	return nil, fmt.Errorf("unexpected syntax node %T", n)
}

// seq compiles a sequence, applying whitespace control the way Shopify
// does, at parse time: {{- and {%- strip the white space at the end of the
// text before, -}} and -%} the white space at the start of the text after.
func (k compiler) seq(children []parser.ASTNode) (node, error) {
	texts := map[int]string{}
	for i, ch := range children {
		if t, ok := ch.(*parser.ASTText); ok {
			texts[i] = t.Source
		}
	}
	for i, ch := range children {
		tr, ok := ch.(*parser.ASTTrim)
		if !ok {
			continue
		}
		if tr.TrimDirection == parser.Left && i > 0 {
			if s, ok := texts[i-1]; ok {
				texts[i-1] = strings.TrimRightFunc(s, unicode.IsSpace)
			}
		}
		if tr.TrimDirection == parser.Right && i+1 < len(children) {
			if s, ok := texts[i+1]; ok {
				texts[i+1] = strings.TrimLeftFunc(s, unicode.IsSpace)
			}
		}
	}
	out := make(seqNode, 0, len(children))
	for i, ch := range children {
		if _, trim := ch.(*parser.ASTTrim); trim {
			continue
		}
		if s, ok := texts[i]; ok {
			if s != "" {
				out = append(out, textNode(s))
			}
			continue
		}
		n, err := k.node(ch)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

func (k compiler) body(b *parser.ASTBlock) (node, error) {
	return k.seq(b.Body)
}
