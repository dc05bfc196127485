package intrinsic

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// env is an Env over one input document and a few variables.
type env struct {
	input any
	vars  map[string]any
	rng   *rand.Rand
}

func (e *env) Lookup(p *jsonpath.Path) (any, bool) {
	switch p.Root() {
	case jsonpath.RootVariable:
		v, ok := e.vars[p.Variable()]
		if !ok {
			return nil, false
		}
		return p.Eval(v)
	case jsonpath.RootContext:
		ctx, _ := jsonv.ParseString(`{"StateMachine":{"Name":"welcome-journey"}}`)
		return p.Eval(ctx)
	}
	return p.Eval(e.input)
}

func (e *env) Rand() *rand.Rand { return e.rng }

func newEnv(t *testing.T, input string) *env {
	t.Helper()
	v, err := jsonv.ParseString(input)
	if err != nil {
		t.Fatal(err)
	}
	return &env{input: v, vars: map[string]any{"tmpl": "Hi {}!"}, rng: rand.New(rand.NewPCG(1, 2))}
}

func TestFunctions(t *testing.T) {
	input := `{"s":"a,b,,c","n":3,"arr":[1,2,2,"x",{"k":1},{"k":1}],"obj":{"a":1,"b":[]},"o2":{"b":2,"c":3},"j":"{\"x\":[1]}","f":-1.5}`
	tests := []struct {
		call string
		want string
	}{
		{`States.Format('Hello {}, you are {}', $.s, $.n)`, `"Hello a,b,,c, you are 3"`},
		{`States.Format('{} {} {} {}', $.obj, $.arr, null, true)`, `"{a=1, b=[]} [1, 2, 2, x, {k=1}, {k=1}] null true"`},
		{`States.Format('literal \{\} and \'quotes\' {}', 1)`, `"literal {} and 'quotes' 1"`},
		{`States.Format($tmpl, 'Ann')`, `"Hi Ann!"`},
		{`States.StringToJson($.j)`, `{"x":[1]}`},
		{`States.StringToJson('')`, `null`},
		{`States.JsonToString($.obj)`, `"{\"a\":1,\"b\":[]}"`},
		{`States.Array(1, 'two', $.n, null)`, `[1,"two",3,null]`},
		{`States.Array()`, `[]`},
		{`States.ArrayPartition($.arr, 4)`, `[[1,2,2,"x"],[{"k":1},{"k":1}]]`},
		{`States.ArrayContains($.arr, 'x')`, `true`},
		{`States.ArrayContains($.arr, $.obj)`, `false`},
		{`States.ArrayRange(1, 9, 3)`, `[1,4,7]`},
		{`States.ArrayRange(5, 1, -2)`, `[5,3,1]`},
		{`States.ArrayGetItem($.arr, 3)`, `"x"`},
		{`States.ArrayLength($.arr)`, `6`},
		{`States.ArrayUnique($.arr)`, `[1,2,"x",{"k":1}]`},
		{`States.Base64Encode('Data to encode')`, `"RGF0YSB0byBlbmNvZGU="`},
		{`States.Base64Decode('RGF0YSB0byBlbmNvZGU=')`, `"Data to encode"`},
		{`States.Hash('input data', 'SHA-256')`, `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{`States.Hash('input data', 'MD5')`, `"812f45842bc6d66ee14572ce20db8e86"`},
		{`States.JsonMerge($.obj, $.o2, false)`, `{"a":1,"b":2,"c":3}`},
		{`States.MathAdd($.n, -1)`, `2`},
		{`States.MathAdd($.f, 0)`, `-1`},
		{`States.MathAdd(0.5, 1.5)`, `3`},
		{`States.StringSplit($.s, ',')`, `["a","b","c"]`},
		{`States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)`, `"welcome"`},
		{`States.MathRandom(1, 2)`, `1`},
	}
	for _, tc := range tests {
		t.Run(tc.call, func(t *testing.T) {
			c, err := Parse(tc.call)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := c.Eval(newEnv(t, input))
			if err != nil {
				t.Fatalf("eval: %v", err)
			}
			if jsonv.String(got) != tc.want {
				t.Errorf("got %s, want %s", jsonv.String(got), tc.want)
			}
		})
	}
}

func TestRandomAndUUID(t *testing.T) {
	e := newEnv(t, `{}`)
	for range 100 {
		v, err := MustEval(t, `States.MathRandom(10, 20)`, e)
		n, _ := v.(jsonv.Number).Int64()
		if err != nil || n < 10 || n >= 20 {
			t.Fatalf("MathRandom(10, 20) = %v %v", v, err)
		}
	}
	a, _ := MustEval(t, `States.MathRandom(0, 1000000, 7)`, e)
	b, _ := MustEval(t, `States.MathRandom(0, 1000000, 7)`, e)
	if a != b {
		t.Errorf("seeded MathRandom differs: %v %v", a, b)
	}
	u, _ := MustEval(t, `States.UUID()`, e)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u.(string)) {
		t.Errorf("UUID %v", u)
	}
}

func MustEval(t *testing.T, s string, e Env) (any, error) {
	t.Helper()
	c, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c.Eval(e)
}

func TestEvalErrors(t *testing.T) {
	input := `{"s":"x","n":1.5,"arr":[1],"o":{}}`
	tests := []struct {
		call     string
		pathFail bool
	}{
		{`States.Format('{} {}', 1)`, false},
		{`States.Format('{}', 1, 2)`, false},
		{`States.StringToJson('{')`, false},
		{`States.StringToJson($.n)`, false},
		{`States.ArrayPartition($.arr, 0)`, false},
		{`States.ArrayPartition($.s, 1)`, false},
		{`States.ArrayRange(1, 2, 0)`, false},
		{`States.ArrayRange(0, 5000, 1)`, false},
		{`States.ArrayGetItem($.arr, 1)`, false},
		{`States.ArrayGetItem($.arr, $.n)`, false},
		{`States.Base64Decode('***')`, false},
		{`States.Hash('x', 'SHA-3')`, false},
		{`States.JsonMerge($.arr, $.arr, false)`, false},
		{`States.JsonMerge($.o, $.o, true)`, false},
		{`States.MathRandom(5, 5)`, false},
		{`States.MathAdd('1', 2)`, false},
		{`States.MathAdd(3000000000, 1)`, false},
		{`States.ArrayLength($.missing)`, true},
		{`States.Format($nope)`, true},
	}
	for _, tc := range tests {
		t.Run(tc.call, func(t *testing.T) {
			c, err := Parse(tc.call)
			if err != nil {
				var se *SyntaxError
				if errors.As(err, &se) && !tc.pathFail {
					return // rejected when parsed: also a failure
				}
				t.Fatalf("parse: %v", err)
			}
			_, err = c.Eval(newEnv(t, input))
			var pe *PathError
			var ie *Error
			switch {
			case tc.pathFail && !errors.As(err, &pe):
				t.Errorf("error %v, want a *PathError", err)
			case !tc.pathFail && !errors.As(err, &ie):
				t.Errorf("error %v, want an *Error", err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		`States.Nope()`, `States.Format`, `States.Format('x'`, `States.UUID(1)`, `States.ArrayGetItem($.a)`,
		`States.Format('unterminated)`, `States.Format(bad)`, `States.Array(1,)`, `States.Format('x') trailing`,
	} {
		t.Run(s, func(t *testing.T) {
			var se *SyntaxError
			if _, err := Parse(s); !errors.As(err, &se) {
				t.Errorf("Parse(%q) = %v, want a *SyntaxError", s, err)
			}
		})
	}
	if !IsCall("States.Format('x')") || IsCall("$.a") || IsCall("States.x") {
		t.Error("IsCall")
	}
	if len(Names()) != 18 {
		t.Errorf("%d functions, want 18", len(Names()))
	}
}
