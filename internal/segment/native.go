package segment

import (
	"unicode/utf8"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
)

// Rule operators of a native rule.
const (
	OpAnd = "and"
	OpOr  = "or"
)

// A Rule is a condition simple enough for a Step Functions Choice rule:
// comparisons of declared non-personal attributes with literals, joined by
// and/or. Op is OpAnd or OpOr (with Rules), or a comparison: ==, !=, <,
// <=, >, >= (with Attribute, Type and Value: a string, int64, float64 or
// bool).
type Rule struct {
	Op        string
	Attribute string
	Type      Type
	Value     any
	Rules     []Rule
}

// MaxNativeString is how many bytes of a string attribute a native Choice
// rule sees: the execution carries attributes cut to this length (at a
// rune boundary), so whatever a contact holds, a state stays far below
// Step Functions' 256 KiB. Rules compare only with literals shorter than
// MaxNativeString-utf8.UTFMax, for which the cut value compares exactly as
// the whole one would (their first difference, or the literal's end, lies
// within the cut).
const MaxNativeString = 1024

// CutNativeString returns s cut to at most MaxNativeString bytes at a rune
// boundary.
func CutNativeString(s string) string {
	if len(s) <= MaxNativeString {
		return s
	}
	n := MaxNativeString
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// NativeLiteral reports whether a string literal is short enough for a
// native rule or switch case (see MaxNativeString).
func NativeLiteral(s string) bool { return len(s) < MaxNativeString-utf8.UTFMax }

// Native returns the condition as a Rule when it is simple enough to run
// without a Lambda call and reads no personal attribute.
func (c *Condition) Native() (Rule, bool) {
	return c.env.native(c.ast.NativeRep().Expr())
}

var cmpOps = map[string]string{
	"_==_": "==", "_!=_": "!=", "_<_": "<", "_<=_": "<=", "_>_": ">", "_>=_": ">=",
}

// flipped is the operator with its operands swapped.
var flipped = map[string]string{"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func (e *Env) native(x ast.Expr) (Rule, bool) {
	if x.Kind() != ast.CallKind {
		return Rule{}, false
	}
	call := x.AsCall()
	args := call.Args()
	switch fn := call.FunctionName(); fn {
	case "_&&_", "_||_":
		op := OpAnd
		if fn == "_||_" {
			op = OpOr
		}
		r := Rule{Op: op}
		for _, a := range args {
			sub, ok := e.native(a)
			if !ok {
				return Rule{}, false
			}
			if sub.Op == op {
				r.Rules = append(r.Rules, sub.Rules...)
			} else {
				r.Rules = append(r.Rules, sub)
			}
		}
		return r, true
	case "@in":
		attr, ok := e.nativeAttr(args[0])
		if !ok || args[1].Kind() != ast.ListKind {
			return Rule{}, false
		}
		r := Rule{Op: OpOr}
		for _, el := range args[1].AsList().Elements() {
			v, ok := literal(el, attr.Type)
			if !ok {
				return Rule{}, false
			}
			r.Rules = append(r.Rules, Rule{Op: "==", Attribute: attr.Name, Type: attr.Type, Value: v})
		}
		if len(r.Rules) == 1 {
			return r.Rules[0], true
		}
		return r, len(r.Rules) > 0
	default:
		op, ok := cmpOps[fn]
		if !ok || len(args) != 2 {
			return Rule{}, false
		}
		left, right := args[0], args[1]
		attr, ok := e.nativeAttr(left)
		if !ok {
			attr, ok = e.nativeAttr(right)
			if !ok {
				return Rule{}, false
			}
			left, right, op = right, left, flipped[op]
		}
		v, ok := literal(right, attr.Type)
		if !ok || attr.Type == Bool && op != "==" && op != "!=" {
			return Rule{}, false
		}
		return Rule{Op: op, Attribute: attr.Name, Type: attr.Type, Value: v}, true
	}
}

// nativeAttr recognises contact.<name> for a declared, non-personal
// attribute of a type Choice rules can compare.
func (e *Env) nativeAttr(x ast.Expr) (Attribute, bool) {
	if x.Kind() != ast.SelectKind || x.AsSelect().IsTestOnly() {
		return Attribute{}, false
	}
	s := x.AsSelect()
	if s.Operand().Kind() != ast.IdentKind || s.Operand().AsIdent() != "contact" {
		return Attribute{}, false
	}
	a, ok := e.attrs[s.FieldName()]
	if !ok || a.Personal {
		return Attribute{}, false
	}
	switch a.Type {
	case String, Int, Double, Bool:
		return a, true
	}
	return Attribute{}, false
}

func literal(x ast.Expr, t Type) (any, bool) {
	if x.Kind() != ast.LiteralKind {
		return nil, false
	}
	switch v := x.AsLiteral().(type) {
	case types.String:
		return string(v), t == String && NativeLiteral(string(v))
	case types.Int:
		return int64(v), t == Int || t == Double
	case types.Double:
		return float64(v), t == Double || t == Int
	case types.Bool:
		return bool(v), t == Bool
	}
	return nil, false
}
