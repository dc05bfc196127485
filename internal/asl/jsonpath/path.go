// Package jsonpath parses and evaluates the JSONPath expressions of Amazon
// States Language ("$.a.b", "$$.Execution.Id", "$var.field", "$.items[*]")
// with the semantics of the Jayway JsonPath library that AWS Step Functions
// uses: a definite path (only names and indexes) selects one value or fails;
// an indefinite path (wildcards, slices, unions, deep scans, filters) selects
// a list, possibly empty.
//
// A parsed Path is immutable and safe for concurrent use.
package jsonpath

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// A Root says which document a path starts from.
type Root int

// The roots a path can start from.
const (
	RootInput    Root = iota // $: the state's input (or the value at hand)
	RootContext              // $$: the context object
	RootVariable             // $name: a workflow variable
)

// A Path is a parsed JSONPath expression.
type Path struct {
	text     string
	root     Root
	variable string
	segs     []segment
	definite bool
	fn       string // trailing function call, e.g. "length"
}

type segKind int

const (
	segName segKind = iota
	segIndex
	segWildcard
	segSlice
	segUnionNames
	segUnionIndexes
	segDeepScan // followed by the segment it applies to
	segFilter
)

type segment struct {
	kind    segKind
	name    string
	index   int
	names   []string
	indexes []int
	slice   [3]int  // start, end, step
	has     [3]bool // which slice parts were given
	filter  expr
}

// A SyntaxError reports a path that does not parse.
type SyntaxError struct {
	Path string
	Pos  int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSONPath %q at position %d: %s", e.Path, e.Pos, e.Msg)
}

// String returns the path as written.
func (p *Path) String() string { return p.text }

// Root returns the document the path starts from.
func (p *Path) Root() Root { return p.root }

// Variable returns the variable name of a RootVariable path.
func (p *Path) Variable() string { return p.variable }

// Definite reports whether the path selects at most one value.
func (p *Path) Definite() bool { return p.definite }

// IsRoot reports whether the path is just its root ("$", "$$", "$name").
func (p *Path) IsRoot() bool { return len(p.segs) == 0 && p.fn == "" }

// IsReference reports whether the path is a Reference Path as the States
// Language defines it: definite, with no function call.
func (p *Path) IsReference() bool { return p.definite && p.fn == "" }

// Normalized returns the path in Jayway's bracket notation, as AWS quotes it
// in error causes: $['a']['b'][0].
func (p *Path) Normalized() string {
	var b strings.Builder
	switch p.root {
	case RootContext:
		b.WriteString("$$")
	case RootVariable:
		b.WriteString("$" + p.variable)
	default:
		b.WriteString("$")
	}
	for _, s := range p.segs {
		switch s.kind {
		case segName:
			b.WriteString("['" + s.name + "']")
		case segIndex:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case segWildcard:
			b.WriteString("[*]")
		case segSlice:
			b.WriteString("[")
			if s.has[0] {
				b.WriteString(strconv.Itoa(s.slice[0]))
			}
			b.WriteString(":")
			if s.has[1] {
				b.WriteString(strconv.Itoa(s.slice[1]))
			}
			b.WriteString("]")
		case segUnionNames:
			b.WriteString("['" + strings.Join(s.names, "','") + "']")
		case segUnionIndexes:
			parts := make([]string, len(s.indexes))
			for i, x := range s.indexes {
				parts[i] = strconv.Itoa(x)
			}
			b.WriteString("[" + strings.Join(parts, ",") + "]")
		case segDeepScan:
			b.WriteString("..")
		case segFilter:
			b.WriteString("[?]")
		}
	}
	if p.fn != "" {
		b.WriteString("." + p.fn + "()")
	}
	return b.String()
}

// MustParse is Parse for paths known to be valid; it panics otherwise.
func MustParse(s string) *Path {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Eval evaluates the path against doc (the document of the path's root).
// A definite path returns the selected value and whether it exists; an
// indefinite path returns a []any of the matches (possibly empty) and true.
// A trailing function applies to that result.
func (p *Path) Eval(doc any) (any, bool) { return p.eval(doc, p.segs) }

// Names returns the names of the path's steps when every step is a name.
func (p *Path) Names() ([]string, bool) {
	names := make([]string, len(p.segs))
	for i, s := range p.segs {
		if s.kind != segName {
			return nil, false
		}
		names[i] = s.name
	}
	return names, p.fn == ""
}

// Head returns the name the path's first step selects, if it is a name.
func (p *Path) Head() (string, bool) {
	if len(p.segs) == 0 || p.segs[0].kind != segName {
		return "", false
	}
	return p.segs[0].name, true
}

// EvalTail evaluates the path without its first step against doc: the
// value Head names. It lets a caller build only the part of a large root
// the path reads.
func (p *Path) EvalTail(doc any) (any, bool) { return p.eval(doc, p.segs[1:]) }

func (p *Path) eval(doc any, segs []segment) (any, bool) {
	if p.definite {
		v := doc
		for _, s := range segs {
			var ok bool
			if v, ok = step1(v, s); !ok {
				return nil, false
			}
		}
		return p.applyFn(v)
	}
	cur := []any{doc}
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		if s.kind == segDeepScan {
			i++
			cur = deepScan(cur, segs[i], doc)
			continue
		}
		var next []any
		for _, v := range cur {
			next = stepMany(next, v, s, doc)
		}
		cur = next
	}
	if cur == nil {
		cur = []any{}
	}
	return p.applyFn(cur)
}

func (p *Path) applyFn(v any) (any, bool) {
	switch p.fn {
	case "":
		return v, true
	case "length", "size":
		switch x := v.(type) {
		case []any:
			return jsonv.Int(int64(len(x))), true
		case string:
			return jsonv.Int(int64(len([]rune(x)))), true
		case *jsonv.Object:
			return jsonv.Int(int64(x.Len())), true
		}
	}
	return nil, false
}

// step1 applies a definite segment.
func step1(v any, s segment) (any, bool) {
	switch s.kind {
	case segName:
		if o, ok := v.(*jsonv.Object); ok {
			return o.Get(s.name)
		}
	case segIndex:
		if a, ok := v.([]any); ok {
			i := s.index
			if i < 0 {
				i += len(a)
			}
			if i >= 0 && i < len(a) {
				return a[i], true
			}
		}
	}
	return nil, false
}

func stepMany(out []any, v any, s segment, root any) []any {
	switch s.kind {
	case segName, segIndex:
		if x, ok := step1(v, s); ok {
			out = append(out, x)
		}
	case segWildcard:
		switch x := v.(type) {
		case []any:
			out = append(out, x...)
		case *jsonv.Object:
			for i := 0; i < x.Len(); i++ {
				out = append(out, x.Value(i))
			}
		}
	case segSlice:
		if a, ok := v.([]any); ok {
			out = appendSlice(out, a, s)
		}
	case segUnionNames:
		if o, ok := v.(*jsonv.Object); ok {
			for _, n := range s.names {
				if x, found := o.Get(n); found {
					out = append(out, x)
				}
			}
		}
	case segUnionIndexes:
		for _, i := range s.indexes {
			if x, ok := step1(v, segment{kind: segIndex, index: i}); ok {
				out = append(out, x)
			}
		}
	case segFilter:
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if truthy(s.filter.eval(e, root)) {
					out = append(out, e)
				}
			}
		case *jsonv.Object:
			for i := 0; i < x.Len(); i++ {
				if truthy(s.filter.eval(x.Value(i), root)) {
					out = append(out, x.Value(i))
				}
			}
		}
	}
	return out
}

func appendSlice(out []any, a []any, s segment) []any {
	n := len(a)
	step := 1
	if s.has[2] && s.slice[2] != 0 {
		step = s.slice[2]
	}
	norm := func(i int) int {
		if i < 0 {
			i += n
		}
		if i < 0 {
			return 0
		}
		if i > n {
			return n
		}
		return i
	}
	if step > 0 {
		start, end := 0, n
		if s.has[0] {
			start = norm(s.slice[0])
		}
		if s.has[1] {
			end = norm(s.slice[1])
		}
		for i := start; i < end; i += step {
			out = append(out, a[i])
		}
		return out
	}
	start, end := n-1, -1
	if s.has[0] {
		start = norm(s.slice[0])
		if start >= n {
			start = n - 1
		}
	}
	if s.has[1] {
		end = norm(s.slice[1])
	}
	for i := start; i > end; i += step {
		out = append(out, a[i])
	}
	return out
}

// deepScan applies s to every value at every depth below (and including)
// each value of cur, in document order.
func deepScan(cur []any, s segment, root any) []any {
	var out []any
	var walk func(v any)
	walk = func(v any) {
		out = stepMany(out, v, s, root)
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case *jsonv.Object:
			for i := 0; i < x.Len(); i++ {
				walk(x.Value(i))
			}
		}
	}
	for _, v := range cur {
		walk(v)
	}
	return out
}

// Set returns a copy of doc with the value at the path replaced by v,
// creating missing objects on the way, as ResultPath does. The path must be
// a reference path rooted at $. It fails if a step meets a value of the wrong
// type or an index that does not exist.
func (p *Path) Set(doc any, v any) (any, error) {
	if !p.IsReference() {
		return nil, fmt.Errorf("path %s is not a reference path", p.text)
	}
	return set(doc, true, p.segs, v, p)
}

func set(doc any, exists bool, segs []segment, v any, p *Path) (any, error) {
	if len(segs) == 0 {
		return v, nil
	}
	s := segs[0]
	switch s.kind {
	case segName:
		var o *jsonv.Object
		switch x := doc.(type) {
		case *jsonv.Object:
			o = x
		default:
			if exists {
				return nil, fmt.Errorf("cannot set %q on a %s", s.name, jsonv.TypeName(doc))
			}
			o = jsonv.NewObject(1)
		}
		child, found := o.Get(s.name)
		nv, err := set(child, found, segs[1:], v, p)
		if err != nil {
			return nil, err
		}
		return o.With(s.name, nv), nil
	case segIndex:
		a, ok := doc.([]any)
		if !ok {
			return nil, fmt.Errorf("cannot index a %s", jsonv.TypeName(doc))
		}
		i := s.index
		if i < 0 {
			i += len(a)
		}
		if i < 0 || i >= len(a) {
			return nil, fmt.Errorf("index %d out of range", s.index)
		}
		nv, err := set(a[i], true, segs[1:], v, p)
		if err != nil {
			return nil, err
		}
		c := append([]any(nil), a...)
		c[i] = nv
		return c, nil
	}
	return nil, fmt.Errorf("path %s is not a reference path", p.text)
}
