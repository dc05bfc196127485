package asl

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	jsonata "github.com/xiatechs/jsonata-go"

	"github.com/journeys-oss/journeys/internal/asl/intrinsic"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// A jsonataExpr is a parsed JSONata expression ("{% ... %}"). The parsed
// form is shared; each evaluation works on its own copy.
type jsonataExpr struct {
	text string
	expr *jsonata.Expr
}

// jsonataFields holds the JSONata fields of a state (QueryLanguage
// JSONata), compiled as templates whose "{% %}" strings are expressions.
type jsonataFields struct {
	output         *template
	arguments      *template
	items          *template
	maxConcurrency *template
	tolCount       *template
	tolPct         *template
	seconds        *template
	timestamp      *template
	errorName      *template
	cause          *template
	timeout        *template
	heartbeat      *template
}

// Fields each state type accepts in JSONata states.
var jsonataStateFields = map[stateType]map[string]bool{
	typePass:    set("Type", "Comment", "QueryLanguage", "Next", "End", "Output", "Assign"),
	typeTask:    set("Type", "Comment", "QueryLanguage", "Next", "End", "Output", "Assign", "Arguments", "Resource", "Retry", "Catch", "TimeoutSeconds", "HeartbeatSeconds", "Credentials"),
	typeChoice:  set("Type", "Comment", "QueryLanguage", "Choices", "Default", "Output", "Assign"),
	typeWait:    set("Type", "Comment", "QueryLanguage", "Next", "End", "Output", "Assign", "Seconds", "Timestamp"),
	typeSucceed: set("Type", "Comment", "QueryLanguage", "Output"),
	typeFail:    set("Type", "Comment", "QueryLanguage", "Error", "Cause"),
	typeParallel: set("Type", "Comment", "QueryLanguage", "Next", "End", "Output", "Assign", "Arguments",
		"Branches", "Retry", "Catch"),
	typeMap: set("Type", "Comment", "QueryLanguage", "Next", "End", "Output", "Assign", "Items", "ItemSelector",
		"ItemProcessor", "Iterator", "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage",
		"ItemReader", "ResultWriter", "ItemBatcher", "Label", "Retry", "Catch"),
}

// isJSONata reports whether a string holds a JSONata expression and
// returns it.
func isJSONata(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{%") && strings.HasSuffix(t, "%}") && len(t) >= 4 {
		return strings.TrimSpace(t[2 : len(t)-2]), true
	}
	return "", false
}

func (l *loader) jsonataExpression(text, at string) *jsonataExpr {
	e, err := jsonata.Compile(text)
	if err != nil {
		l.problem(at, "invalid JSONata expression %q: %v", text, err)
		return nil
	}
	return &jsonataExpr{text: text, expr: e}
}

// jsonataTemplate compiles a JSONata field: any value, whose "{% %}"
// strings (at any depth) are expressions.
func (l *loader) jsonataTemplate(obj *jsonv.Object, key, at string) *template {
	v, ok := obj.Get(key)
	if !ok {
		return nil
	}
	return &template{root: l.jsonataNode(v, at+"."+key), jsonata: true, field: key}
}

func (l *loader) jsonataNode(v any, at string) tnode {
	switch x := v.(type) {
	case string:
		if text, ok := isJSONata(x); ok {
			if e := l.jsonataExpression(text, at); e != nil {
				return tnode{kind: tJSONata, jx: e}
			}
		}
	case *jsonv.Object:
		n := tnode{kind: tObject}
		dynamic := false
		for i := 0; i < x.Len(); i++ {
			child := l.jsonataNode(x.Value(i), at+"."+x.Key(i))
			dynamic = dynamic || child.kind != tConst
			n.fields = append(n.fields, tfield{key: x.Key(i), source: x.Key(i), node: child})
		}
		if dynamic {
			return n
		}
	case []any:
		n := tnode{kind: tArray}
		dynamic := false
		for i, e := range x {
			child := l.jsonataNode(e, fmt.Sprintf("%s[%d]", at, i))
			dynamic = dynamic || child.kind != tConst
			n.elems = append(n.elems, child)
		}
		if dynamic {
			return n
		}
	}
	return tnode{kind: tConst, value: v}
}

// jsonataState compiles the fields of a JSONata state.
func (l *loader) jsonataState(g *graph, s *state, obj *jsonv.Object, at string) {
	l.fields(obj, at, jsonataStateFields[s.typ])
	jx := &jsonataFields{}
	s.jx = jx
	jx.output = l.jsonataTemplate(obj, "Output", at)
	if obj.Has("Assign") {
		av, _ := obj.Get("Assign")
		l.assignTemplate(av, at+".Assign")
		s.assign = l.jsonataTemplate(obj, "Assign", at)
	}
	switch s.typ {
	case typeTask:
		s.task = l.task(obj, at)
		jx.arguments = l.jsonataTemplate(obj, "Arguments", at)
		jx.timeout = l.jsonataTemplate(obj, "TimeoutSeconds", at)
		jx.heartbeat = l.jsonataTemplate(obj, "HeartbeatSeconds", at)
		s.retry, s.catch = l.retry(obj, at), l.catch(g, obj, at)
	case typeChoice:
		s.choice = l.jsonataChoice(g, obj, at)
	case typeWait:
		jx.seconds = l.jsonataTemplate(obj, "Seconds", at)
		jx.timestamp = l.jsonataTemplate(obj, "Timestamp", at)
		if (jx.seconds == nil) == (jx.timestamp == nil) {
			l.problem(at, "a Wait state has exactly one of Seconds or Timestamp")
		}
	case typeFail:
		jx.errorName = l.jsonataTemplate(obj, "Error", at)
		jx.cause = l.jsonataTemplate(obj, "Cause", at)
	case typeParallel:
		jx.arguments = l.jsonataTemplate(obj, "Arguments", at)
		s.parallel = l.parallel(obj, at, true)
		s.retry, s.catch = l.retry(obj, at), l.catch(g, obj, at)
	case typeMap:
		jx.items = l.jsonataTemplate(obj, "Items", at)
		jx.maxConcurrency = l.jsonataTemplate(obj, "MaxConcurrency", at)
		jx.tolCount = l.jsonataTemplate(obj, "ToleratedFailureCount", at)
		jx.tolPct = l.jsonataTemplate(obj, "ToleratedFailurePercentage", at)
		m := &mapSpec{}
		m.itemSelector = l.jsonataTemplate(obj, "ItemSelector", at)
		proc, key := obj.Get("ItemProcessor")
		name := "ItemProcessor"
		if !key {
			proc, _ = obj.Get("Iterator")
			name = "Iterator"
		}
		if po, ok := proc.(*jsonv.Object); ok {
			pat := at + "." + name
			l.fields(po, pat, branchFields)
			m.distributed = l.processorMode(po, pat)
			m.processor = l.graph(po, pat, l.queryLanguage(po, pat, true))
		} else {
			l.problem(at, "a Map state needs an ItemProcessor")
		}
		s.mapper = m
		s.retry, s.catch = l.retry(obj, at), l.catch(g, obj, at)
	}
	l.catchOutputs(obj, s.catch, at)
}

// catchOutputs compiles the JSONata Output and Assign of each catcher.
func (l *loader) catchOutputs(obj *jsonv.Object, catchers []*catcher, at string) {
	v, _ := obj.Get("Catch")
	list, _ := v.([]any)
	for i, c := range catchers {
		if i >= len(list) {
			break
		}
		co, ok := list[i].(*jsonv.Object)
		if !ok {
			continue
		}
		cat := fmt.Sprintf("%s.Catch[%d]", at, i)
		c.output = l.jsonataTemplate(co, "Output", cat)
		c.assign = nil
		if co.Has("Assign") {
			c.assign = l.jsonataTemplate(co, "Assign", cat)
		}
	}
}

func (l *loader) jsonataChoice(g *graph, obj *jsonv.Object, at string) *choiceSpec {
	c := &choiceSpec{defaultNext: -1}
	v, _ := obj.Get("Choices")
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		l.problem(at+".Choices", "Choices must be a non-empty array of Choice Rules")
	}
	for i, e := range list {
		rat := fmt.Sprintf("%s.Choices[%d]", at, i)
		ro, ok := e.(*jsonv.Object)
		if !ok {
			l.problem(rat, "a Choice Rule must be an object")
			continue
		}
		l.fields(ro, rat, set("Condition", "Next", "Output", "Assign", "Comment"))
		r := &rule{op: opCondition, next: -1, at: rat}
		cond, _ := ro.Get("Condition")
		switch x := cond.(type) {
		case string:
			if text, ok := isJSONata(x); ok {
				r.condition = l.jsonataExpression(text, rat+".Condition")
			} else {
				l.problem(rat+".Condition", "Condition must be a JSONata expression {%% ... %%} or a boolean")
			}
		case bool:
			r.constant = x
		default:
			l.problem(rat+".Condition", "Condition must be a JSONata expression {%% ... %%} or a boolean")
		}
		r.next = l.target(g, ro, "Next", rat)
		r.output = l.jsonataTemplate(ro, "Output", rat)
		if ro.Has("Assign") {
			r.assign = l.jsonataTemplate(ro, "Assign", rat)
		}
		c.rules = append(c.rules, r)
	}
	if obj.Has("Default") {
		c.defaultNext = l.target(g, obj, "Default", at)
	}
	return c
}

// evalBool evaluates a Choice Rule's Condition.
func (x *jsonataExpr) evalBool(env *evalEnv) (bool, *Error) {
	v, err := x.eval(env, "Condition")
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, errorf(ErrorQueryEvaluationError,
			"The JSONata expression '%s' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '%s' for value: %s",
			x.text, jsonv.TypeName(v), jsonv.String(v))
	}
	return b, nil
}

// errUnsupported marks a JSONata result that is not JSON (a function).
var errUnsupported = errors.New("unsupported result type")

// eval runs the expression with $states and the workflow variables bound.
func (x *jsonataExpr) eval(env *evalEnv, field string) (any, *Error) {
	e := *x.expr // a private copy: binding variables changes the Expr
	if err := e.RegisterVars(jsonataVars(env)); err != nil {
		return nil, errorf(ErrorQueryEvaluationError, "%v", err)
	}
	if err := e.RegisterExts(jsonataFunctions(env)); err != nil {
		return nil, errorf(ErrorQueryEvaluationError, "%v", err)
	}
	out, err := e.Eval(nil)
	if errors.Is(err, jsonata.ErrUndefined) {
		return nil, errorf(ErrorQueryEvaluationError,
			"The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", x.text, field)
	}
	if err != nil {
		return nil, errorf(ErrorQueryEvaluationError,
			"The JSONata expression '%s' specified for the field '%s' threw an error: %v", x.text, field, err)
	}
	v, cerr := fromJSONata(out)
	if cerr != nil {
		return nil, errorf(ErrorQueryEvaluationError,
			"The JSONata expression '%s' specified for the field '%s' returned an unsupported result type.", x.text, field)
	}
	return v, nil
}

// jsonataVars binds $states and every workflow variable in scope.
func jsonataVars(env *evalEnv) map[string]any {
	vars := map[string]any{}
	for sc := env.t.scope; sc != nil; sc = sc.parent {
		for k, v := range sc.vars {
			if _, shadowed := vars[k]; !shadowed {
				vars[k] = jsonv.ToGo(v)
			}
		}
	}
	states := map[string]any{"input": jsonv.ToGo(env.input), "context": jsonv.ToGo(env.context())}
	if env.hasResult {
		states["result"] = jsonv.ToGo(env.result)
	}
	if env.errOut != nil {
		states["errorOutput"] = jsonv.ToGo(env.errOut)
	}
	vars["states"] = states
	return vars
}

// fromJSONata converts a JSONata result into a JSON value.
func fromJSONata(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string, float64:
		return jsonv.FromGo(x), nil
	case int:
		return jsonv.Int(int64(x)), nil
	case int64:
		return jsonv.Int(x), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := fromJSONata(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			c, err := fromJSONata(e)
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
		return jsonv.FromGo(m), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice:
		out := make([]any, rv.Len())
		for i := range out {
			c, err := fromJSONata(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case reflect.Map:
		m := map[string]any{}
		for _, k := range rv.MapKeys() {
			c, err := fromJSONata(rv.MapIndex(k).Interface())
			if err != nil {
				return nil, err
			}
			m[fmt.Sprint(k.Interface())] = c
		}
		return jsonv.FromGo(m), nil
	case reflect.Float32, reflect.Float64:
		return jsonv.Float(rv.Float()), nil
	case reflect.Int, reflect.Int32, reflect.Int64:
		return jsonv.Int(rv.Int()), nil
	}
	return nil, errUnsupported
}

// jsonataFunctions are the functions Step Functions adds to JSONata, and
// $now and $millis on the engine's clock.
func jsonataFunctions(env *evalEnv) map[string]jsonata.Extension {
	now := env.t.entered
	return map[string]jsonata.Extension{
		"partition": {Func: func(a []any, size float64) ([]any, error) {
			if size <= 0 || size != math.Trunc(size) {
				return nil, fmt.Errorf("$partition needs a positive integer size")
			}
			out := []any{}
			for i := 0; i < len(a); i += int(size) {
				end := min(i+int(size), len(a))
				out = append(out, append([]any{}, a[i:end]...))
			}
			return out, nil
		}},
		"range": {Func: func(start, end, step float64) ([]any, error) {
			if step == 0 {
				return nil, fmt.Errorf("$range needs a step other than 0")
			}
			out := []any{}
			for i := start; (step > 0 && i <= end) || (step < 0 && i >= end); i += step {
				if len(out) == 1000 {
					return nil, fmt.Errorf("$range cannot produce more than 1000 elements")
				}
				out = append(out, i)
			}
			return out, nil
		}},
		"hash": {Func: func(s, alg string) (string, error) {
			h := intrinsic.NewHash(alg)
			if h == nil {
				return "", fmt.Errorf("$hash does not support the algorithm %q", alg)
			}
			h.Write([]byte(s))
			return hex.EncodeToString(h.Sum(nil)), nil
		}},
		"random": {Func: func() float64 { return env.t.x.rng.Float64() }},
		"uuid":   {Func: func() string { return intrinsic.NewUUID(env.t.x.rng) }},
		"parse": {Func: func(s string) (any, error) {
			v, err := jsonv.ParseString(s)
			if err != nil {
				return nil, fmt.Errorf("$parse: %v", err)
			}
			return jsonv.ToGo(v), nil
		}},
		"millis": {Func: func() int64 { return now.UnixMilli() }},
		"now":    {Func: func() string { return formatTime(now) }},
	}
}
