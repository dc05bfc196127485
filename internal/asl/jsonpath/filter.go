package jsonpath

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// An expr is a node of a filter expression ([?(...)]).
type expr interface {
	eval(cur, root any) any
}

// missing is what an operand path that selects nothing evaluates to.
type missingValue struct{}

var missing = missingValue{}

type (
	orExpr  struct{ l, r expr }
	andExpr struct{ l, r expr }
	notExpr struct{ e expr }
	cmpExpr struct {
		op   string
		l, r expr
	}
	pathOperand struct {
		path     *Path
		relative bool
	}
	literal     struct{ v any }
	regexpValue struct{ re *regexp.Regexp }
)

func (e orExpr) eval(cur, root any) any {
	return truthy(e.l.eval(cur, root)) || truthy(e.r.eval(cur, root))
}
func (e andExpr) eval(cur, root any) any {
	return truthy(e.l.eval(cur, root)) && truthy(e.r.eval(cur, root))
}
func (e notExpr) eval(cur, root any) any { return !truthy(e.e.eval(cur, root)) }
func (e literal) eval(any, any) any      { return e.v }
func (e regexpValue) eval(any, any) any  { return e }

func (e pathOperand) eval(cur, root any) any {
	doc := root
	if e.relative {
		doc = cur
	}
	v, ok := e.path.Eval(doc)
	if !ok {
		return missing
	}
	return v
}

// truthy decides a filter: booleans are themselves, a bare path is an
// existence test.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case missingValue:
		return false
	}
	return true
}

func (e cmpExpr) eval(cur, root any) any {
	l, r := e.l.eval(cur, root), e.r.eval(cur, root)
	if l == missing || r == missing {
		return e.op == "!=" && (l != missing || r != missing)
	}
	switch e.op {
	case "==":
		return jsonv.Equal(l, r)
	case "!=":
		return !jsonv.Equal(l, r)
	case "=~":
		s, ok := l.(string)
		re, ok2 := r.(regexpValue)
		return ok && ok2 && re.re.MatchString(s)
	case "in", "nin":
		list, ok := r.([]any)
		found := false
		for _, x := range list {
			if jsonv.Equal(l, x) {
				found = true
				break
			}
		}
		return ok && found == (e.op == "in")
	}
	c, ok := compare(l, r)
	if !ok {
		return false
	}
	switch e.op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

func compare(l, r any) (int, bool) {
	switch x := l.(type) {
	case jsonv.Number:
		y, ok := r.(jsonv.Number)
		if !ok {
			return 0, false
		}
		fx, ok1 := x.Float64()
		fy, ok2 := y.Float64()
		if !ok1 || !ok2 {
			return 0, false
		}
		switch {
		case fx < fy:
			return -1, true
		case fx > fy:
			return 1, true
		}
		return 0, true
	case string:
		y, ok := r.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	}
	return 0, false
}

func (p *pathParser) expr() (expr, error) {
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.s[p.i:], "||") {
			return l, nil
		}
		p.i += 2
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
}

func (p *pathParser) andExpr() (expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.s[p.i:], "&&") {
			return l, nil
		}
		p.i += 2
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
}

func (p *pathParser) unary() (expr, error) {
	p.skipSpace()
	switch p.peek() {
	case '!':
		p.i++
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notExpr{e}, nil
	case '(':
		p.i++
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.fail("expected ')'")
		}
		p.i++
		return e, nil
	}
	return p.comparison()
}

var filterOps = []string{"==", "!=", "<=", ">=", "=~", "<", ">", " nin ", " in "}

func (p *pathParser) comparison() (expr, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	save := p.i
	p.skipSpace()
	for _, op := range filterOps {
		probe := p.s[p.i:]
		if op[0] == ' ' {
			probe = " " + probe
		}
		if strings.HasPrefix(probe, op) {
			p.i += len(strings.TrimLeft(op, " "))
			r, err := p.operand()
			if err != nil {
				return nil, err
			}
			return cmpExpr{op: strings.TrimSpace(op), l: l, r: r}, nil
		}
	}
	p.i = save
	return l, nil
}

func (p *pathParser) operand() (expr, error) {
	p.skipSpace()
	switch c := p.peek(); {
	case c == '@' || c == '$':
		rel := c == '@'
		path, err := p.path(true)
		if err != nil {
			return nil, err
		}
		return pathOperand{path: path, relative: rel}, nil
	case c == '\'' || c == '"':
		s, err := p.quoted()
		if err != nil {
			return nil, err
		}
		return literal{s}, nil
	case c == '/':
		return p.regexp()
	case c == '[':
		return p.list()
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		p.i++
		for p.i < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[p.i]) >= 0 {
			p.i++
		}
		if _, err := strconv.ParseFloat(p.s[start:p.i], 64); err != nil {
			return nil, p.fail("invalid number")
		}
		return literal{jsonv.Number(p.s[start:p.i])}, nil
	}
	for _, w := range []struct {
		word string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.s[p.i:], w.word) {
			p.i += len(w.word)
			return literal{w.v}, nil
		}
	}
	return nil, p.fail("expected an operand")
}

func (p *pathParser) list() (expr, error) {
	p.i++ // '['
	var items []any
	for {
		p.skipSpace()
		if p.peek() == ']' {
			p.i++
			return literal{items}, nil
		}
		e, err := p.operand()
		if err != nil {
			return nil, err
		}
		lit, ok := e.(literal)
		if !ok {
			return nil, p.fail("a list holds only literals")
		}
		items = append(items, lit.v)
		p.skipSpace()
		if p.peek() == ',' {
			p.i++
		}
	}
}

func (p *pathParser) regexp() (expr, error) {
	p.i++ // '/'
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '/' {
		if p.s[p.i] == '\\' {
			p.i++
		}
		p.i++
	}
	if p.i >= len(p.s) {
		return nil, p.fail("unterminated regular expression")
	}
	pattern := p.s[start:p.i]
	p.i++
	if p.peek() == 'i' {
		p.i++
		pattern = "(?i)" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, p.fail("invalid regular expression: " + err.Error())
	}
	return regexpValue{re}, nil
}
