package content

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/osteele/liquid/expressions"
)

// A blockRef is the target of a render tag: 'footer' follows the latest
// version, 'footer@2' pins version 2.
type blockRef struct {
	name    string
	version int // 0: latest
}

func (r blockRef) String() string {
	if r.version == 0 {
		return r.name
	}
	return r.name + "@" + strconv.Itoa(r.version)
}

// renderArgs is a parsed {% render 'name@v', key: expr, ... %}.
type renderArgs struct {
	ref     blockRef
	nameOff int // offset of the quoted name in args
	params  []renderParam
}

type renderParam struct {
	key     string
	keyOff  int
	expr    string
	exprOff int
}

// parseRenderArgs parses the arguments of a render tag. Block names are
// letters, digits, '-' and '_'; a version is '@' and a positive integer.
func parseRenderArgs(args string) (renderArgs, error) {
	var ra renderArgs
	i := skipSpace(args, 0)
	if i >= len(args) || (args[i] != '\'' && args[i] != '"') {
		return ra, fmt.Errorf("render needs a quoted block name, e.g. {%% render 'footer' %%} or {%% render 'footer@2' %%}")
	}
	q := args[i]
	end := strings.IndexByte(args[i+1:], q)
	if end < 0 {
		return ra, fmt.Errorf("render: unterminated block name")
	}
	ra.nameOff = i
	ref, err := parseBlockRef(args[i+1 : i+1+end])
	if err != nil {
		return ra, err
	}
	ra.ref = ref
	i = skipSpace(args, i+end+2)
	if i == len(args) {
		return ra, nil
	}
	if args[i] != ',' {
		return ra, fmt.Errorf("render: expected ',' and key: value parameters after the block name")
	}
	ra.params, err = parseParams(args, i+1)
	return ra, err
}

func parseBlockRef(s string) (blockRef, error) {
	name, ver, pinned := strings.Cut(s, "@")
	if !validName(name) {
		return blockRef{}, fmt.Errorf("render: %q is not a block name (letters, digits, - and _)", name)
	}
	ref := blockRef{name: name}
	if pinned {
		v, err := strconv.Atoi(ver)
		if err != nil || v < 1 || v > 1e6 {
			return blockRef{}, fmt.Errorf("render: %q is not a block version (write %s@2 for version 2, or %s for the latest)", ver, name, name)
		}
		ref.version = v
	}
	return ref, nil
}

// validName reports whether s can name a block or template.
func validName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// parseParams reads "key: expr, key: expr" from args[i:]. A comma ends a
// value only outside quotes and brackets and when a "key:" follows, so
// filter arguments (title: t | default: "a", "b") stay in their value.
func parseParams(args string, i int) ([]renderParam, error) {
	var out []renderParam
	for {
		i = skipSpace(args, i)
		j := i
		for j < len(args) && isIdentChar(args[j]) {
			j++
		}
		if j == i || !isIdentStart(args[i]) || j >= len(args) || args[j] != ':' {
			return nil, fmt.Errorf("render: expected key: value at %q", clip(args[i:]))
		}
		p := renderParam{key: args[i:j], keyOff: i}
		p.exprOff = skipSpace(args, j+1)
		end := valueEnd(args, p.exprOff)
		p.expr = strings.TrimSpace(args[p.exprOff:end])
		if p.expr == "" {
			return nil, fmt.Errorf("render: parameter %s has no value", p.key)
		}
		out = append(out, p)
		if end == len(args) {
			return out, nil
		}
		i = end + 1
	}
}

func valueEnd(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'':
			if k := strings.IndexByte(s[i+1:], c); k >= 0 {
				i += k + 1
			} else {
				return len(s)
			}
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case ',':
			if depth == 0 && nextIsKey(s, i+1) {
				return i
			}
		}
	}
	return len(s)
}

func nextIsKey(s string, i int) bool {
	i = skipSpace(s, i)
	j := i
	for j < len(s) && isIdentChar(s[j]) {
		j++
	}
	return j > i && isIdentStart(s[i]) && j < len(s) && s[j] == ':'
}

func clip(s string) string {
	if len(s) > 30 {
		return s[:30] + "..."
	}
	return s
}

// renderNode is {% render %}. The block itself is resolved when the
// including source is compiled (a missing block or a cycle is a compile
// problem with a position); at render time the node finds the compiled
// block in the table of the unit being rendered.
type renderNode struct {
	key    string
	params []param
	line   int
}

type param struct {
	key  string
	expr expressions.Expression
}

func newRenderNode(args string, line int) (*renderNode, error) {
	ra, err := parseRenderArgs(args)
	if err != nil {
		return nil, err
	}
	n := &renderNode{key: ra.ref.String(), line: line, params: make([]param, len(ra.params))}
	for i, p := range ra.params {
		e, err := parseExpr(p.expr)
		if err != nil {
			return nil, fmt.Errorf("render %s: parameter %s: %w", n.key, p.key, err)
		}
		n.params[i] = param{p.key, e}
	}
	return n, nil
}

func (n *renderNode) render(c *rctx) error {
	st := c.st
	u := st.refs[n.key]
	if u == nil {
		return fmt.Errorf("%w: block %q was not resolved when the template was compiled", ErrRender, n.key)
	}
	if st.depth >= maxDepth {
		st.err = fmt.Errorf("%w: blocks nested deeper than %d", ErrLimit, maxDepth)
		return st.err
	}
	var vals [8]any
	args := vals[:0]
	for _, p := range n.params {
		v, err := c.eval(p.expr, n.line)
		if err != nil {
			return err
		}
		args = append(args, v)
	}
	saved := st.refs
	st.refs, st.depth = u.refs, st.depth+1
	var err error
	if u.isolated {
		err = n.renderIsolated(c, u, args)
	} else {
		err = n.renderInPlace(c, u, args)
	}
	st.refs, st.depth = saved, st.depth-1
	if err != nil {
		return err
	}
	return st.check()
}

// renderInPlace renders a block that cannot change the caller's variables
// with the caller's variables, its parameters set for the duration. The
// check has made sure the block reads only globals and its parameters.
func (n *renderNode) renderInPlace(c *rctx, u *unit, args []any) error {
	var prev [8]any
	saved := prev[:0]
	for i, p := range n.params {
		saved = append(saved, c.vars[p.key])
		c.vars[p.key] = args[i]
	}
	err := u.node.render(c)
	for i, p := range n.params {
		c.vars[p.key] = saved[i]
	}
	return err
}

// renderIsolated renders a block that assigns or captures in fresh
// variables (the globals and its parameters), so its assigns stay inside.
func (n *renderNode) renderIsolated(c *rctx, u *unit, args []any) error {
	vars := make(map[string]any, len(c.st.globals)+len(n.params))
	for k, v := range c.st.globals {
		vars[k] = v
	}
	for i, p := range n.params {
		vars[p.key] = args[i]
	}
	return u.node.render(c.st.lib.newRctx(c.st, c.out, vars))
}
