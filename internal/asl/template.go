package asl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl/intrinsic"
	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// A template is a parsed payload template (Parameters, ResultSelector,
// ItemSelector, Assign): fields whose names end in ".$" take their value
// from a path or an intrinsic function; everything else is literal.
type template struct {
	root    tnode
	jsonata bool   // a JSONata field: "{% %}" strings are expressions
	field   string // the field's name, for JSONata error causes
}

type tkind uint8

const (
	tConst tkind = iota
	tPath
	tCall
	tObject
	tArray
	tJSONata
)

type tnode struct {
	kind   tkind
	value  any
	path   *jsonpath.Path
	call   *intrinsic.Call
	fields []tfield
	elems  []tnode
	jx     *jsonataExpr
}

type tfield struct {
	key    string // name in the output (".$" removed)
	source string // name as written
	node   tnode
}

// compileTemplate parses a payload template. Problems go to l at path at.
func (l *loader) compileTemplate(v any, at string) *template {
	n := l.compileNode(v, at)
	return &template{root: n}
}

func (l *loader) compileNode(v any, at string) tnode {
	switch x := v.(type) {
	case *jsonv.Object:
		n := tnode{kind: tObject}
		dynamic := false
		for i := 0; i < x.Len(); i++ {
			k, val := x.Key(i), x.Value(i)
			if strings.HasSuffix(k, ".$") {
				s, ok := val.(string)
				if !ok {
					l.problem(at+"."+k, "the value of a field ending in .$ must be a string holding a path or an intrinsic function")
					continue
				}
				n.fields = append(n.fields, tfield{key: strings.TrimSuffix(k, ".$"), source: k, node: l.compileDynamic(s, at+"."+k)})
				dynamic = true
				continue
			}
			child := l.compileNode(val, at+"."+k)
			if child.kind != tConst {
				dynamic = true
			}
			n.fields = append(n.fields, tfield{key: k, source: k, node: child})
		}
		if !dynamic {
			return tnode{kind: tConst, value: x}
		}
		return n
	case []any:
		n := tnode{kind: tArray}
		dynamic := false
		for i, e := range x {
			child := l.compileNode(e, fmt.Sprintf("%s[%d]", at, i))
			if child.kind != tConst {
				dynamic = true
			}
			n.elems = append(n.elems, child)
		}
		if !dynamic {
			return tnode{kind: tConst, value: x}
		}
		return n
	}
	return tnode{kind: tConst, value: v}
}

// compileDynamic parses the string value of a ".$" field.
func (l *loader) compileDynamic(s, at string) tnode {
	if intrinsic.IsCall(s) {
		c, err := intrinsic.Parse(s)
		if err != nil {
			l.problem(at, "%s", err.Error())
			return tnode{kind: tConst}
		}
		return tnode{kind: tCall, call: c}
	}
	p, err := jsonpath.Parse(s)
	if err != nil {
		l.problem(at, "%s", err.Error())
		return tnode{kind: tConst}
	}
	return tnode{kind: tPath, path: p}
}

// readsOnly reports whether every "$" path of the template (including those
// in intrinsic functions) starts with one of the given field names.
func (t *template) readsOnly(fields ...string) bool {
	if t == nil {
		return true
	}
	return t.root.readsOnly(fields)
}

func (n *tnode) readsOnly(fields []string) bool {
	var paths []*jsonpath.Path
	switch n.kind {
	case tPath:
		paths = []*jsonpath.Path{n.path}
	case tCall:
		paths = n.call.Paths()
	case tObject:
		for i := range n.fields {
			if !n.fields[i].node.readsOnly(fields) {
				return false
			}
		}
	case tArray:
		for i := range n.elems {
			if !n.elems[i].readsOnly(fields) {
				return false
			}
		}
	}
	for _, p := range paths {
		if p.Root() != jsonpath.RootInput {
			continue
		}
		head, ok := p.Head()
		if !ok {
			return false
		}
		found := false
		for _, f := range fields {
			found = found || head == f
		}
		if !found {
			return false
		}
	}
	return true
}

// eval evaluates the template against env.
func (t *template) eval(env *evalEnv) (any, *Error) {
	return t.root.eval(env, t.field)
}

func (n *tnode) eval(env *evalEnv, field string) (any, *Error) {
	switch n.kind {
	case tConst:
		return n.value, nil
	case tPath:
		v, ok := env.Lookup(n.path)
		if !ok {
			return nil, pathNotFound(env, n.path, field)
		}
		return v, nil
	case tCall:
		v, err := n.call.Eval(env)
		if err != nil {
			return nil, intrinsicError(env, err, field)
		}
		return v, nil
	case tJSONata:
		return n.jx.eval(env, field)
	case tObject:
		o := jsonv.NewObject(len(n.fields))
		for i := range n.fields {
			f := &n.fields[i]
			name := f.source
			if n.fields[i].node.kind == tJSONata || n.fields[i].node.kind == tObject || n.fields[i].node.kind == tArray {
				if field != "" && !strings.HasSuffix(f.source, ".$") {
					name = field + "/" + f.source
				}
			}
			v, err := f.node.eval(env, name)
			if err != nil {
				return nil, err
			}
			o.Set(f.key, v)
		}
		return o, nil
	case tArray:
		a := make([]any, len(n.elems))
		for i := range n.elems {
			v, err := n.elems[i].eval(env, fmt.Sprintf("%s[%d]", field, i))
			if err != nil {
				return nil, err
			}
			a[i] = v
		}
		return a, nil
	}
	return nil, nil
}

// pathNotFound is the States.Runtime error of a ".$" path that selects
// nothing, worded as Step Functions words it.
func pathNotFound(env *evalEnv, p *jsonpath.Path, field string) *Error {
	return errorf(ErrorRuntime, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
		p.String(), field, jsonv.String(env.rootOf(p)))
}

func intrinsicError(env *evalEnv, err error, field string) *Error {
	var pe *intrinsic.PathError
	if errors.As(err, &pe) {
		return pathNotFound(env, pe.Path, field)
	}
	return errorf(ErrorIntrinsicFailure, "%s", err.Error())
}

// assignments evaluates an Assign template into variable names and values.
func (t *template) assignments(env *evalEnv) (*jsonv.Object, *Error) {
	v, err := t.eval(env)
	if err != nil {
		return nil, err
	}
	o, _ := v.(*jsonv.Object)
	return o, nil
}
