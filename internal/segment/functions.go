package segment

import (
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/parser"
)

// countFn is the function the interaction macros expand to:
// interactionsSince(interactions, now, type, window) → int. "*" as type
// matches every type ending in ".sent" or ".delivered" (received).
const countFn = "interactionsSince"

// Interaction types the macros look for.
const (
	TypeEmailOpened   = "email.opened"
	TypeEmailClicked  = "email.clicked"
	TypeFormSubmitted = "form.submitted"
	typeReceived      = "*received"
)

func interactionFunctions() cel.EnvOption {
	return cel.Lib(funcLib{})
}

type funcLib struct{}

func (funcLib) LibraryName() string { return "journeys.interactions" }

func (funcLib) ProgramOptions() []cel.ProgramOption { return nil }

func (funcLib) CompileOptions() []cel.EnvOption {
	return []cel.EnvOption{
		cel.Function("days", cel.Overload("days_int", []*cel.Type{cel.IntType}, cel.DurationType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return durationOf(v, 24*time.Hour) }))),
		cel.Function("hours", cel.Overload("hours_int", []*cel.Type{cel.IntType}, cel.DurationType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return durationOf(v, time.Hour) }))),
		cel.Function(countFn, cel.Overload("interactions_since",
			[]*cel.Type{cel.ListType(cel.DynType), cel.TimestampType, cel.StringType, cel.DurationType},
			cel.IntType, cel.FunctionBinding(countSince))),
	}
}

func durationOf(v ref.Val, unit time.Duration) ref.Val {
	n, ok := v.(types.Int)
	if !ok {
		return types.NewErr("expected an int")
	}
	if n < 0 || int64(n) > int64(20*365*24*time.Hour/unit) {
		return types.NewErr("duration out of range: %d", int64(n))
	}
	return types.Duration{Duration: time.Duration(n) * unit}
}

func countSince(args ...ref.Val) ref.Val {
	list, ok := args[0].(traits.Lister)
	now, ok2 := args[1].(types.Timestamp)
	typ, ok3 := args[2].(types.String)
	window, ok4 := args[3].(types.Duration)
	if !ok || !ok2 || !ok3 || !ok4 {
		return types.NewErr("%s: bad arguments", countFn)
	}
	since := now.Time.Add(-window.Duration)
	n := 0
	it := list.Iterator()
	for it.HasNext() == types.True {
		m, _ := it.Next().Value().(map[string]any)
		at, _ := m["at"].(types.Timestamp)
		t, _ := m["type"].(types.String)
		if at.Time.Before(since) || at.Time.After(now.Time) {
			continue
		}
		if matchType(string(typ), string(t)) {
			n++
		}
	}
	return types.Int(n)
}

func matchType(want, got string) bool {
	if want == typeReceived {
		return hasSuffix(got, ".sent") || hasSuffix(got, ".delivered")
	}
	return want == got
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// interactionMacros expand opened(d) and friends into calls of countFn on
// the interactions and now variables.
func interactionMacros() []cel.Macro {
	fixed := func(name, typ string) cel.Macro {
		return cel.GlobalMacro(name, 1, func(eh parser.ExprHelper, _ ast.Expr, args []ast.Expr) (ast.Expr, *common.Error) {
			return eh.NewCall("_>_", count(eh, eh.NewLiteral(types.String(typ)), args[0]), eh.NewLiteral(types.Int(0))), nil
		})
	}
	return []cel.Macro{
		fixed("opened", TypeEmailOpened),
		fixed("clicked", TypeEmailClicked),
		fixed("submitted", TypeFormSubmitted),
		fixed("received", typeReceived),
		cel.GlobalMacro("happened", 2, func(eh parser.ExprHelper, _ ast.Expr, args []ast.Expr) (ast.Expr, *common.Error) {
			return eh.NewCall("_>_", count(eh, args[0], args[1]), eh.NewLiteral(types.Int(0))), nil
		}),
		cel.GlobalMacro("times", 2, func(eh parser.ExprHelper, _ ast.Expr, args []ast.Expr) (ast.Expr, *common.Error) {
			return count(eh, args[0], args[1]), nil
		}),
	}
}

func count(eh parser.ExprHelper, typ, window ast.Expr) ast.Expr {
	return eh.NewCall(countFn, eh.NewIdent("interactions"), eh.NewIdent("now"), typ, window)
}
