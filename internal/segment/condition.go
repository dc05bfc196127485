package segment

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"
)

// An Issue is one problem with a condition, at a 1-based line and 0-based
// column inside the expression.
type Issue struct {
	Line, Col int
	Message   string
	Hint      string
}

// A Condition is a compiled, type-checked CEL condition. It is safe for
// concurrent use.
type Condition struct {
	src   string
	prg   cel.Program
	ast   *cel.Ast
	attrs []string
	env   *Env
	// interactions says whether the condition reads the interactions
	// variable (opened(), times(), interactions.exists(...)): when it
	// does not, Eval skips converting them and callers may skip loading
	// them.
	interactions bool
}

// ErrEval is wrapped by the errors Eval returns when a condition cannot be
// evaluated for a contact (a stored value of the wrong type, an overflow).
var ErrEval = errors.New("condition evaluation failed")

var (
	undefinedField = regexp.MustCompile(`undefined field '([^']+)'`)
	undeclaredRef  = regexp.MustCompile(`undeclared reference to '([^']+)'`)
)

// Compile parses and type-checks a condition, which must be true or false.
// It returns every issue found; the condition is nil when there are any.
func (e *Env) Compile(src string) (*Condition, []Issue) {
	if strings.TrimSpace(src) == "" {
		return nil, []Issue{{Line: 1, Message: "the condition is empty"}}
	}
	checked, iss := e.env.Compile(src)
	if iss != nil && iss.Err() != nil {
		var out []Issue
		for _, ce := range iss.Errors() {
			out = append(out, e.issue(ce.Location.Line(), ce.Location.Column(), ce.Message))
		}
		return nil, out
	}
	if !checked.OutputType().IsExactType(cel.BoolType) {
		return nil, []Issue{{Line: 1, Message: fmt.Sprintf("the condition gives %s, not true or false", checked.OutputType()),
			Hint: "compare it, e.g. contact.leadScore > 50"}}
	}
	prg, err := e.env.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, []Issue{{Line: 1, Message: err.Error()}}
	}
	c := &Condition{src: src, prg: prg, ast: checked, env: e}
	c.attrs = referencedAttrs(checked.NativeRep().Expr())
	c.interactions = referencesIdent(checked.NativeRep().Expr(), "interactions")
	return c, nil
}

func (e *Env) issue(line, col int, msg string) Issue {
	// CEL places some macro errors at column -1 (unknown): the start of
	// the line then.
	is := Issue{Line: max(line, 1), Col: max(col, 0), Message: msg}
	if m := undefinedField.FindStringSubmatch(msg); m != nil {
		cands := append(append([]string(nil), e.names...), interactionFields...)
		if n := nearest(m[1], cands); n != "" {
			is.Hint = fmt.Sprintf("did you mean %q?", n)
		} else {
			is.Hint = "declare it in the contact schema (journeys/schema)"
		}
	}
	if m := undeclaredRef.FindStringSubmatch(msg); m != nil && !strings.Contains(msg, "did you mean") {
		vars := []string{"contact", "interactions", "event", "now", "days", "hours", "opened", "clicked", "received", "submitted", "happened", "times"}
		if n := nearest(m[1], vars); n != "" {
			is.Hint = fmt.Sprintf("did you mean %q?", n)
		} else {
			is.Hint = "the variables are contact, interactions, event and now"
		}
	}
	return is
}

// Source returns the condition's text.
func (c *Condition) Source() string { return c.src }

// Attributes returns the contact attributes the condition reads, sorted.
func (c *Condition) Attributes() []string { return c.attrs }

// ReadsInteractions reports whether the condition looks at the contact's
// interactions; when it does not, Eval's result does not depend on them.
func (c *Condition) ReadsInteractions() bool { return c.interactions }

// Personal reports whether the condition reads a personal attribute.
func (c *Condition) Personal() bool {
	for _, a := range c.attrs {
		if c.env.attrs[a].Personal {
			return true
		}
	}
	return false
}

// Eval evaluates the condition for a contact: its attributes (declared
// name → value, as stored), its interactions, the trigger event (nil when
// there is none) and the time now. Errors wrap ErrEval.
func (c *Condition) Eval(contact map[string]any, interactions []Interaction, event map[string]any, now time.Time) (bool, error) {
	if contact == nil {
		contact = map[string]any{}
	}
	if event == nil {
		event = map[string]any{}
	}
	if !c.interactions {
		interactions = nil // unread: not worth converting
	}
	list := make([]any, len(interactions))
	for i, in := range interactions {
		list[i] = in.value()
	}
	out, _, err := c.prg.Eval(&activation{contact: contact, interactions: list, event: event, now: types.Timestamp{Time: now}})
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrEval, err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("%w: result is %s", ErrEval, out.Type())
	}
	return bool(b), nil
}

// activation gives a condition its four variables (a map would be made
// per evaluation).
type activation struct {
	contact      map[string]any
	interactions []any
	event        map[string]any
	now          types.Timestamp
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "contact":
		return a.contact, true
	case "interactions":
		return a.interactions, true
	case "event":
		return a.event, true
	case "now":
		return a.now, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// referencesIdent reports whether the expression names the identifier
// (a comprehension variable of that name counts too: a safe over-estimate).
func referencesIdent(e ast.Expr, name string) bool {
	found := false
	visit(e, func(x ast.Expr) {
		if x.Kind() == ast.IdentKind && x.AsIdent() == name {
			found = true
		}
	})
	return found
}

// referencedAttrs lists the fields selected on the contact variable.
func referencedAttrs(e ast.Expr) []string {
	seen := map[string]bool{}
	visit(e, func(x ast.Expr) {
		if x.Kind() != ast.SelectKind {
			return
		}
		s := x.AsSelect()
		if op := s.Operand(); op.Kind() == ast.IdentKind && op.AsIdent() == "contact" {
			seen[s.FieldName()] = true
		}
	})
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// visit calls f on e and every expression below it.
func visit(e ast.Expr, f func(ast.Expr)) {
	f(e)
	switch e.Kind() {
	case ast.CallKind:
		c := e.AsCall()
		if c.IsMemberFunction() {
			visit(c.Target(), f)
		}
		for _, a := range c.Args() {
			visit(a, f)
		}
	case ast.SelectKind:
		visit(e.AsSelect().Operand(), f)
	case ast.ListKind:
		for _, x := range e.AsList().Elements() {
			visit(x, f)
		}
	case ast.MapKind:
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			visit(me.Key(), f)
			visit(me.Value(), f)
		}
	case ast.StructKind:
		for _, en := range e.AsStruct().Fields() {
			visit(en.AsStructField().Value(), f)
		}
	case ast.ComprehensionKind:
		c := e.AsComprehension()
		visit(c.IterRange(), f)
		visit(c.AccuInit(), f)
		visit(c.LoopCondition(), f)
		visit(c.LoopStep(), f)
		visit(c.Result(), f)
	}
}

// nearest returns the candidate within a small edit distance of name.
func nearest(name string, cands []string) string {
	best, bestD := "", 4
	for _, c := range cands {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	if bestD > len(name)/3+1 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
