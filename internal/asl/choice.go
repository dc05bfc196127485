package asl

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

type choiceSpec struct {
	rules       []*rule
	defaultNext int
}

type opKind uint8

const (
	opAnd opKind = iota + 1
	opOr
	opNot
	opStringEquals
	opStringLessThan
	opStringGreaterThan
	opStringLessThanEquals
	opStringGreaterThanEquals
	opStringMatches
	opNumericEquals
	opNumericLessThan
	opNumericGreaterThan
	opNumericLessThanEquals
	opNumericGreaterThanEquals
	opBooleanEquals
	opTimestampEquals
	opTimestampLessThan
	opTimestampGreaterThan
	opTimestampLessThanEquals
	opTimestampGreaterThanEquals
	opIsNull
	opIsPresent
	opIsNumeric
	opIsString
	opIsBoolean
	opIsTimestamp
	opCondition // JSONata
)

// operator describes one comparison operator: its kind, the JSON type its
// literal must have, and whether it is the ...Path form.
type operator struct {
	kind    opKind
	literal string // "string", "number", "boolean", "timestamp"
	path    bool
}

var operators = func() map[string]operator {
	m := map[string]operator{}
	add := func(name string, k opKind, lit string) {
		m[name] = operator{kind: k, literal: lit}
		if lit != "boolean" || k == opBooleanEquals {
			if k != opStringMatches && !isTypeTest(k) {
				m[name+"Path"] = operator{kind: k, literal: lit, path: true}
			}
		}
	}
	add("StringEquals", opStringEquals, "string")
	add("StringLessThan", opStringLessThan, "string")
	add("StringGreaterThan", opStringGreaterThan, "string")
	add("StringLessThanEquals", opStringLessThanEquals, "string")
	add("StringGreaterThanEquals", opStringGreaterThanEquals, "string")
	add("StringMatches", opStringMatches, "string")
	add("NumericEquals", opNumericEquals, "number")
	add("NumericLessThan", opNumericLessThan, "number")
	add("NumericGreaterThan", opNumericGreaterThan, "number")
	add("NumericLessThanEquals", opNumericLessThanEquals, "number")
	add("NumericGreaterThanEquals", opNumericGreaterThanEquals, "number")
	add("BooleanEquals", opBooleanEquals, "boolean")
	add("TimestampEquals", opTimestampEquals, "timestamp")
	add("TimestampLessThan", opTimestampLessThan, "timestamp")
	add("TimestampGreaterThan", opTimestampGreaterThan, "timestamp")
	add("TimestampLessThanEquals", opTimestampLessThanEquals, "timestamp")
	add("TimestampGreaterThanEquals", opTimestampGreaterThanEquals, "timestamp")
	add("IsNull", opIsNull, "boolean")
	add("IsPresent", opIsPresent, "boolean")
	add("IsNumeric", opIsNumeric, "boolean")
	add("IsString", opIsString, "boolean")
	add("IsBoolean", opIsBoolean, "boolean")
	add("IsTimestamp", opIsTimestamp, "boolean")
	return m
}()

func isTypeTest(k opKind) bool { return k >= opIsNull && k <= opIsTimestamp }

// A rule is a Choice Rule: a comparison, or And/Or/Not of rules. Top-level
// rules carry Next and may carry Assign.
type rule struct {
	op        opKind
	variable  *jsonpath.Path
	operand   any // literal value: string, float64, bool, time.Time
	valuePath *jsonpath.Path
	pattern   []string // StringMatches: the literal parts between wildcards
	children  []*rule
	next      int
	assign    *template
	condition *jsonataExpr
	constant  bool      // a literal JSONata Condition
	output    *template // JSONata
	at        string
}

func (l *loader) choice(g *graph, obj *jsonv.Object, at string) *choiceSpec {
	c := &choiceSpec{defaultNext: -1}
	v, ok := obj.Get("Choices")
	list, isList := v.([]any)
	if !ok || !isList || len(list) == 0 {
		l.problem(at+".Choices", "Choices must be a non-empty array of Choice Rules")
	}
	for i, e := range list {
		rat := fmt.Sprintf("%s.Choices[%d]", at, i)
		ro, ok := e.(*jsonv.Object)
		if !ok {
			l.problem(rat, "a Choice Rule must be an object")
			continue
		}
		r := l.rule(ro, rat, true)
		if !ro.Has("Next") {
			l.problem(rat, `a top-level Choice Rule needs "Next"`)
		} else {
			r.next = l.target(g, ro, "Next", rat)
		}
		if av, ok := ro.Get("Assign"); ok {
			l.assignTemplate(av, rat+".Assign")
			r.assign = l.compileTemplate(av, rat+".Assign")
		}
		c.rules = append(c.rules, r)
	}
	if obj.Has("Default") {
		c.defaultNext = l.target(g, obj, "Default", at)
	}
	return c
}

// rule compiles a Choice Rule; top says whether Next and Assign may appear.
func (l *loader) rule(obj *jsonv.Object, at string, top bool) *rule {
	r := &rule{next: -1, at: at}
	var opName string
	for _, k := range obj.Keys() {
		switch k {
		case "Variable", "Comment":
		case "Next", "Assign":
			if !top {
				l.problem(at+"."+k, "%s is allowed only in a top-level Choice Rule", k)
			}
		case "And", "Or", "Not":
			if opName != "" {
				l.problem(at, "a Choice Rule has one operator, found %s and %s", opName, k)
			}
			opName = k
		default:
			if _, ok := operators[k]; !ok {
				l.problem(at+"."+k, "unknown Choice Rule field %q", k)
				continue
			}
			if opName != "" {
				l.problem(at, "a Choice Rule has one operator, found %s and %s", opName, k)
			}
			opName = k
		}
	}
	switch opName {
	case "":
		l.problem(at, "a Choice Rule needs a comparison operator, And, Or or Not")
	case "And", "Or":
		l.boolRule(r, obj, opName, at)
	case "Not":
		r.op = opNot
		v, _ := obj.Get("Not")
		if o, ok := v.(*jsonv.Object); ok {
			r.children = []*rule{l.rule(o, at+".Not", false)}
		} else {
			l.problem(at+".Not", "Not must be a Choice Rule object")
		}
		if obj.Has("Variable") {
			l.problem(at+".Variable", "a Not rule has no Variable")
		}
	default:
		l.comparison(r, obj, opName, at)
	}
	return r
}

func (l *loader) boolRule(r *rule, obj *jsonv.Object, name, at string) {
	r.op = opAnd
	if name == "Or" {
		r.op = opOr
	}
	v, _ := obj.Get(name)
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		l.problem(at+"."+name, "%s must be a non-empty array of Choice Rules", name)
		return
	}
	for i, e := range list {
		cat := fmt.Sprintf("%s.%s[%d]", at, name, i)
		o, ok := e.(*jsonv.Object)
		if !ok {
			l.problem(cat, "a Choice Rule must be an object")
			continue
		}
		r.children = append(r.children, l.rule(o, cat, false))
	}
	if obj.Has("Variable") {
		l.problem(at+".Variable", "an %s rule has no Variable", name)
	}
}

func (l *loader) comparison(r *rule, obj *jsonv.Object, name, at string) {
	op := operators[name]
	r.op = op.kind
	if vv, ok := obj.Get("Variable"); ok {
		r.variable = l.path(vv, at+".Variable", false, false)
	} else {
		l.problem(at, `a comparison needs "Variable"`)
	}
	val, _ := obj.Get(name)
	vat := at + "." + name
	if op.path {
		r.valuePath = l.path(val, vat, false, false)
		return
	}
	switch op.literal {
	case "string":
		s, ok := val.(string)
		if !ok {
			l.problem(vat, "%s takes a string", name)
		}
		r.operand = s
		if op.kind == opStringMatches {
			r.pattern = compilePattern(s)
		}
	case "number":
		n, ok := val.(jsonv.Number)
		f, okf := n.Float64()
		if !ok || !okf {
			l.problem(vat, "%s takes a number", name)
		}
		r.operand = f
	case "boolean":
		b, ok := val.(bool)
		if !ok {
			l.problem(vat, "%s takes a boolean", name)
		}
		r.operand = b
	case "timestamp":
		s, _ := val.(string)
		t, ok := parseTimestamp(s)
		if !ok {
			l.problem(vat, "%s takes an ISO-8601 timestamp string", name)
		}
		r.operand = t
	}
}

// compilePattern splits a StringMatches pattern at its unescaped "*"
// wildcards; \* and \\ stand for themselves.
func compilePattern(p string) []string {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			i++
			b.WriteByte(p[i])
		case c == '*':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(parts, b.String())
}

func matchPattern(parts []string, s string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

// choose evaluates the rules in order and returns the first that matches,
// nil for the Default.
func (c *choiceSpec) choose(env *evalEnv) (*rule, *Error) {
	for _, r := range c.rules {
		ok, err := r.eval(env)
		if err != nil {
			return nil, err
		}
		if ok {
			return r, nil
		}
	}
	return nil, nil
}

func (r *rule) eval(env *evalEnv) (bool, *Error) {
	switch r.op {
	case opAnd:
		for _, c := range r.children {
			ok, err := c.eval(env)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case opOr:
		for _, c := range r.children {
			ok, err := c.eval(env)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case opNot:
		ok, err := r.children[0].eval(env)
		return !ok && err == nil, err
	case opCondition:
		if r.condition == nil {
			return r.constant, nil
		}
		return r.condition.evalBool(env)
	}
	v, found := env.Lookup(r.variable)
	if r.op == opIsPresent {
		return found == r.operand.(bool), nil
	}
	if !found {
		return false, invalidChoicePath(r.variable)
	}
	if isTypeTest(r.op) {
		return typeTest(r.op, v) == r.operand.(bool), nil
	}
	operand := r.operand
	if r.valuePath != nil {
		pv, ok := env.Lookup(r.valuePath)
		if !ok {
			return false, invalidChoicePath(r.valuePath)
		}
		var okType bool
		if operand, okType = literalOf(r.op, pv); !okType {
			return false, nil
		}
	}
	return compareRule(r, v, operand), nil
}

func invalidChoicePath(p *jsonpath.Path) *Error {
	return errorf(ErrorRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", p.String())
}

func typeTest(op opKind, v any) bool {
	switch op {
	case opIsNull:
		return v == nil
	case opIsNumeric:
		_, ok := v.(jsonv.Number)
		return ok
	case opIsString:
		_, ok := v.(string)
		return ok
	case opIsBoolean:
		_, ok := v.(bool)
		return ok
	case opIsTimestamp:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, ok = parseTimestamp(s)
		return ok
	}
	return false
}

// literalOf converts the value a ...Path operand selected into the operand
// form of the operator; false when its type does not fit.
func literalOf(op opKind, v any) (any, bool) {
	switch {
	case op >= opStringEquals && op <= opStringMatches:
		s, ok := v.(string)
		return s, ok
	case op >= opNumericEquals && op <= opNumericGreaterThanEquals:
		n, ok := v.(jsonv.Number)
		f, okf := n.Float64()
		return f, ok && okf
	case op == opBooleanEquals:
		b, ok := v.(bool)
		return b, ok
	case op >= opTimestampEquals && op <= opTimestampGreaterThanEquals:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return parseTimestamp(s)
	}
	return nil, false
}

func compareRule(r *rule, v, operand any) bool {
	switch {
	case r.op == opStringMatches:
		s, ok := v.(string)
		pat := r.pattern
		if r.valuePath != nil {
			pat = compilePattern(operand.(string))
		}
		return ok && matchPattern(pat, s)
	case r.op >= opStringEquals && r.op <= opStringGreaterThanEquals:
		s, ok := v.(string)
		return ok && ordered(r.op-opStringEquals, compareUTF16(s, operand.(string)))
	case r.op >= opNumericEquals && r.op <= opNumericGreaterThanEquals:
		n, ok := v.(jsonv.Number)
		f, okf := n.Float64()
		return ok && okf && ordered(r.op-opNumericEquals, compareFloat(f, operand.(float64)))
	case r.op == opBooleanEquals:
		b, ok := v.(bool)
		return ok && b == operand.(bool)
	case r.op >= opTimestampEquals && r.op <= opTimestampGreaterThanEquals:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, ok := parseTimestamp(s)
		return ok && ordered(r.op-opTimestampEquals, t.Compare(operand.(time.Time)))
	}
	return false
}

// ordered applies the n-th relation of Equals, LessThan, GreaterThan,
// LessThanEquals, GreaterThanEquals to a comparison result.
func ordered(n opKind, c int) bool {
	switch n {
	case 0:
		return c == 0
	case 1:
		return c < 0
	case 2:
		return c > 0
	case 3:
		return c <= 0
	case 4:
		return c >= 0
	}
	return false
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareUTF16 compares strings by UTF-16 code units, as Java does (UTF-8
// byte order differs only between supplementary characters and U+E000 to
// U+FFFF).
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ha, la := utf16Units(ra)
			hb, lb := utf16Units(rb)
			if ha != hb {
				return int(ha) - int(hb)
			}
			return int(la) - int(lb)
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// utf16Units returns the UTF-16 code units of r (lo 0 for one unit).
func utf16Units(r rune) (hi, lo uint16) {
	if r < 0x10000 {
		return uint16(r), 0
	}
	h, l := utf16.EncodeRune(r)
	return uint16(h), uint16(l)
}
