package intrinsic

import (
	"fmt"
	"math/rand/v2"

	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// An Env gives a call what it reads while it runs.
type Env interface {
	// Lookup resolves a path argument ($..., $$... or $name...) and reports
	// whether it selected a value.
	Lookup(p *jsonpath.Path) (any, bool)
	// Rand is the random source for States.MathRandom and States.UUID.
	Rand() *rand.Rand
}

// A PathError reports a path argument that selected nothing.
type PathError struct {
	Path *jsonpath.Path
}

func (e *PathError) Error() string {
	return fmt.Sprintf("the JSONPath %s could not be found", e.Path)
}

// An Error reports a call that failed at run time (bad argument types or
// values); Step Functions names it States.IntrinsicFailure.
type Error struct {
	Func string
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func failf(fn, format string, a ...any) error {
	return &Error{Func: fn, Msg: fmt.Sprintf(format, a...)}
}

// Eval runs the call. The error is a *PathError or an *Error.
func (c *Call) Eval(env Env) (any, error) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		switch a.kind {
		case argLiteral:
			args[i] = a.v
		case argPath:
			v, ok := env.Lookup(a.path)
			if !ok {
				return nil, &PathError{Path: a.path}
			}
			args[i] = v
		case argCall:
			v, err := a.call.Eval(env)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
	}
	return c.fn.eval(&callCtx{call: c, env: env, args: args})
}

type callCtx struct {
	call *Call
	env  Env
	args []any
}

func (cc *callCtx) name() string { return cc.call.fn.name }

func (cc *callCtx) fail(format string, a ...any) error { return failf(cc.name(), format, a...) }

func (cc *callCtx) str(i int) (string, error) {
	s, ok := cc.args[i].(string)
	if !ok {
		return "", cc.fail("The %s function expects argument %d to be a string, but got %s.",
			cc.name(), i+1, jsonv.TypeName(cc.args[i]))
	}
	return s, nil
}

func (cc *callCtx) array(i int) ([]any, error) {
	a, ok := cc.args[i].([]any)
	if !ok {
		return nil, cc.fail("The %s function expects argument %d to be an array, but got %s.",
			cc.name(), i+1, jsonv.TypeName(cc.args[i]))
	}
	return a, nil
}

func (cc *callCtx) object(i int) (*jsonv.Object, error) {
	o, ok := cc.args[i].(*jsonv.Object)
	if !ok {
		return nil, cc.fail("The %s function expects argument %d to be an object, but got %s.",
			cc.name(), i+1, jsonv.TypeName(cc.args[i]))
	}
	return o, nil
}

// integer returns argument i as an integer; decimals are not integers.
func (cc *callCtx) integer(i int) (int64, error) {
	if n, ok := cc.args[i].(jsonv.Number); ok {
		if v, ok := n.Int64(); ok {
			return v, nil
		}
	}
	return 0, cc.fail("The %s function expects argument %d to be an integer, but got %s.",
		cc.name(), i+1, jsonv.String(cc.args[i]))
}

func (cc *callCtx) boolean(i int) (bool, error) {
	b, ok := cc.args[i].(bool)
	if !ok {
		return false, cc.fail("The %s function expects argument %d to be a boolean, but got %s.",
			cc.name(), i+1, jsonv.TypeName(cc.args[i]))
	}
	return b, nil
}

type function struct {
	name             string
	minArgs, maxArgs int // maxArgs -1: any number
	eval             func(*callCtx) (any, error)
}

func (f *function) arity() string {
	switch {
	case f.maxArgs < 0:
		return fmt.Sprintf("at least %d arguments", f.minArgs)
	case f.minArgs == f.maxArgs:
		return fmt.Sprintf("%d arguments", f.minArgs)
	}
	return fmt.Sprintf("%d to %d arguments", f.minArgs, f.maxArgs)
}

// functions lists the 18 intrinsic functions. It is never modified.
var functions = map[string]*function{
	"States.Format":         {"States.Format", 1, -1, evalFormat},
	"States.StringToJson":   {"States.StringToJson", 1, 1, evalStringToJSON},
	"States.JsonToString":   {"States.JsonToString", 1, 1, evalJSONToString},
	"States.Array":          {"States.Array", 0, -1, evalArray},
	"States.ArrayPartition": {"States.ArrayPartition", 2, 2, evalArrayPartition},
	"States.ArrayContains":  {"States.ArrayContains", 2, 2, evalArrayContains},
	"States.ArrayRange":     {"States.ArrayRange", 3, 3, evalArrayRange},
	"States.ArrayGetItem":   {"States.ArrayGetItem", 2, 2, evalArrayGetItem},
	"States.ArrayLength":    {"States.ArrayLength", 1, 1, evalArrayLength},
	"States.ArrayUnique":    {"States.ArrayUnique", 1, 1, evalArrayUnique},
	"States.Base64Encode":   {"States.Base64Encode", 1, 1, evalBase64Encode},
	"States.Base64Decode":   {"States.Base64Decode", 1, 1, evalBase64Decode},
	"States.Hash":           {"States.Hash", 2, 2, evalHash},
	"States.JsonMerge":      {"States.JsonMerge", 3, 3, evalJSONMerge},
	"States.MathRandom":     {"States.MathRandom", 2, 3, evalMathRandom},
	"States.MathAdd":        {"States.MathAdd", 2, 2, evalMathAdd},
	"States.StringSplit":    {"States.StringSplit", 2, 2, evalStringSplit},
	"States.UUID":           {"States.UUID", 0, 0, evalUUID},
}

// Names returns the names of the intrinsic functions.
func Names() []string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	return names
}
