// Package intrinsic parses and evaluates the intrinsic functions of Amazon
// States Language (States.Format, States.StringToJson, ... States.UUID) as AWS
// Step Functions runs them in JSONPath states: in ".$" fields of payload
// templates, in Assign, and in a Fail state's ErrorPath and CausePath.
//
// A parsed Call is immutable and safe for concurrent use; evaluation reads
// paths and randomness through the Env it is given.
package intrinsic

import (
	"fmt"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// A Call is a parsed intrinsic function call.
type Call struct {
	text string
	fn   *function
	args []arg
}

type argKind int

const (
	argLiteral argKind = iota
	argPath
	argCall
)

type arg struct {
	kind argKind
	v    any    // literal value
	raw  string // a string literal as written between the quotes
	path *jsonpath.Path
	call *Call
}

// A SyntaxError reports an intrinsic function call that does not parse or
// names an unknown function or the wrong number of arguments.
type SyntaxError struct {
	Text string
	Pos  int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid intrinsic function %q at position %d: %s", e.Text, e.Pos, e.Msg)
}

// IsCall reports whether s is written as an intrinsic function call
// ("States.Name(...)"), as opposed to a path.
func IsCall(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "States.") && strings.Contains(s, "(")
}

// String returns the call as written.
func (c *Call) String() string { return c.text }

// Name returns the function name, e.g. "States.Format".
func (c *Call) Name() string { return c.fn.name }

// Paths returns every path the call reads, nested calls included.
func (c *Call) Paths() []*jsonpath.Path {
	var out []*jsonpath.Path
	for _, a := range c.args {
		switch a.kind {
		case argPath:
			out = append(out, a.path)
		case argCall:
			out = append(out, a.call.Paths()...)
		}
	}
	return out
}

// Parse parses an intrinsic function call. The error is a *SyntaxError.
func Parse(s string) (*Call, error) {
	p := &parser{s: s}
	p.skip()
	c, err := p.call()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.i != len(p.s) {
		return nil, p.fail("unexpected text after the call")
	}
	c.text = s
	return c, nil
}

type parser struct {
	s     string
	i     int
	depth int
}

func (p *parser) fail(msg string) error { return &SyntaxError{Text: p.s, Pos: p.i, Msg: msg} }

func (p *parser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *parser) call() (*Call, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 100 {
		return nil, p.fail("calls nested too deeply")
	}
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '(' && p.s[p.i] != ' ' {
		p.i++
	}
	name := p.s[start:p.i]
	fn, ok := functions[name]
	if !ok {
		p.i = start
		return nil, p.fail(fmt.Sprintf("unknown function %q", name))
	}
	p.skip()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil, p.fail("expected '('")
	}
	p.i++
	c := &Call{fn: fn}
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
	} else {
		for {
			p.skip()
			a, err := p.arg()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.skip()
			if p.i >= len(p.s) {
				return nil, p.fail("unterminated argument list")
			}
			if p.s[p.i] == ')' {
				p.i++
				break
			}
			if p.s[p.i] != ',' {
				return nil, p.fail("expected ',' or ')'")
			}
			p.i++
		}
	}
	if len(c.args) < fn.minArgs || (fn.maxArgs >= 0 && len(c.args) > fn.maxArgs) {
		return nil, p.fail(fmt.Sprintf("%s takes %s, got %d", name, fn.arity(), len(c.args)))
	}
	return c, nil
}

func (p *parser) arg() (arg, error) {
	if p.i >= len(p.s) {
		return arg{}, p.fail("expected an argument")
	}
	c := p.s[p.i]
	switch {
	case c == '\'':
		return p.stringLit()
	case c == '$':
		return p.pathArg()
	case strings.HasPrefix(p.s[p.i:], "States."):
		call, err := p.call()
		if err != nil {
			return arg{}, err
		}
		return arg{kind: argCall, call: call}, nil
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		p.i++
		for p.i < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[p.i]) >= 0 {
			p.i++
		}
		v, err := jsonv.ParseString(p.s[start:p.i])
		if _, isNum := v.(jsonv.Number); err != nil || !isNum {
			p.i = start
			return arg{}, p.fail("invalid number")
		}
		return arg{kind: argLiteral, v: v}, nil
	}
	for _, w := range []struct {
		word string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.s[p.i:], w.word) {
			p.i += len(w.word)
			return arg{kind: argLiteral, v: w.v}, nil
		}
	}
	return arg{}, p.fail("expected a string, number, boolean, null, path or function call")
}

// stringLit parses a single-quoted string. A backslash escapes the next
// character (\' \{ \} \\); the raw text is kept for States.Format templates.
func (p *parser) stringLit() (arg, error) {
	p.i++ // opening quote
	start := p.i
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) {
				return arg{}, p.fail("unterminated escape")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case '\'':
			raw := p.s[start:p.i]
			p.i++
			return arg{kind: argLiteral, v: b.String(), raw: raw}, nil
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return arg{}, p.fail("unterminated string")
}

func (p *parser) pathArg() (arg, error) {
	start := p.i
	depth := 0
	var quote byte
	for p.i < len(p.s) {
		c := p.s[p.i]
		if quote != 0 {
			if c == '\\' {
				p.i++
			} else if c == quote {
				quote = 0
			}
			p.i++
			continue
		}
		if c == '\'' || c == '"' {
			quote = c
		} else if c == '[' || c == '(' {
			depth++
		} else if c == ']' || (c == ')' && depth > 0) {
			depth--
		} else if depth == 0 && (c == ',' || c == ')' || c == ' ') {
			break
		}
		p.i++
	}
	path, err := jsonpath.Parse(p.s[start:p.i])
	if err != nil {
		p.i = start
		return arg{}, p.fail(err.Error())
	}
	return arg{kind: argPath, path: path}, nil
}
