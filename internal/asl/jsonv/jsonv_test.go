package jsonv

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMarshalRoundTrip(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"key order kept", `{"b":1,"a":2,"c":{"z":1,"y":2}}`, `{"b":1,"a":2,"c":{"z":1,"y":2}}`},
		{"number text kept", `[1.0, 1e2, -0, 0.50, 12345678901234567890]`, `[1.0,1e2,-0,0.50,12345678901234567890]`},
		{"white space dropped", " { \"a\" : [ 1 , 2 ] , \"b\" : null } ", `{"a":[1,2],"b":null}`},
		{"escapes", `"q\" b\\ s\/ n\n t\t u\u0041 c\u0001"`, `"q\" b\\ s/ n\n t\t uA c\u0001"`},
		{"surrogate pair", `"\ud83c\udd97"`, "\"\U0001F197\""},
		{"lone surrogate", `"\ud83c x"`, "\"\ufffd x\""},
		{"invalid UTF-8 becomes U+FFFD (a fuzz crasher)", "\"\x92a\\n\xff\"", "\"\ufffda\\n\ufffd\""},
		{"no html escaping", `"<a href='x'>&</a>"`, `"<a href='x'>&</a>"`},
		{"unicode kept", `"café ✓"`, `"café ✓"`},
		{"duplicate key keeps first position, last value", `{"a":1,"b":2,"a":3}`, `{"a":3,"b":2}`},
		{"empty containers", `{"a":{},"b":[]}`, `{"a":{},"b":[]}`},
		{"literals", `[true,false,null]`, `[true,false,null]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseString(tc.in)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if got := String(v); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if n := Size(v, 1<<30); n != len(tc.want) {
				t.Errorf("Size %d, want %d", n, len(tc.want))
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		offset   int
	}{
		{"empty", ``, 0},
		{"trailing text", `{} x`, 3},
		{"bad literal", `tru`, 0},
		{"leading zero", `01`, 1},
		{"bare fraction", `1.`, 2},
		{"unterminated string", `"abc`, 4},
		{"control character", "\"a\x01\"", 2},
		{"missing colon", `{"a" 1}`, 5},
		{"trailing comma", `[1,]`, 3},
		{"single quotes", `{'a':1}`, 1},
		{"too deep", strings.Repeat("[", MaxDepth+1), MaxDepth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseString(tc.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want a *SyntaxError", err)
			}
			if se.Offset != tc.offset {
				t.Errorf("offset %d, want %d (%v)", se.Offset, tc.offset, err)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`1`, `1.0`, true},
		{`1`, `"1"`, false},
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`null`, `null`, true},
		{`null`, `false`, false},
	}
	for _, tc := range tests {
		a, _ := ParseString(tc.a)
		b, _ := ParseString(tc.b)
		if got := Equal(a, b); got != tc.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestObjectWithLeavesTheOriginal(t *testing.T) {
	o := NewObject(2)
	o.Set("a", Int(1))
	c := o.With("b", Int(2)).With("a", "x")
	if String(o) != `{"a":1}` || String(c) != `{"a":"x","b":2}` {
		t.Errorf("original %s, copy %s", String(o), String(c))
	}
	big := NewObject(0)
	for i := range 20 {
		big.Set(string(rune('a'+i)), Int(int64(i)))
	}
	if v, ok := big.With("q", "x").Get("q"); !ok || v != "x" {
		t.Errorf("indexed object lookup after With: %v %v", v, ok)
	}
	if v, _ := big.Get("q"); v != Int(16) {
		t.Errorf("original changed: %v", v)
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		n       Number
		i       int64
		isInt   bool
		intText bool
	}{
		{"3", 3, true, true},
		{"3.0", 3, true, false},
		{"-1.5", 0, false, false},
		{"1e3", 1000, true, false},
		{"99999999999999999999", 0, false, true},
	}
	for _, tc := range tests {
		i, ok := tc.n.Int64()
		if ok != tc.isInt || (ok && i != tc.i) || tc.n.IsIntegerText() != tc.intText {
			t.Errorf("%s: Int64 %d %v, IsIntegerText %v", tc.n, i, ok, tc.n.IsIntegerText())
		}
	}
	if Float(2) != "2" || Float(1.5) != "1.5" {
		t.Errorf("Float: %s %s", Float(2), Float(1.5))
	}
}

func TestSizeStopsAtLimit(t *testing.T) {
	v, _ := ParseString(`{"a":"` + strings.Repeat("x", 1000) + `","b":[1,2,3]}`)
	if n := Size(v, 100); n <= 100 || n > 2000 {
		t.Errorf("Size with limit 100 = %d", n)
	}
	if n := Size(v, 1<<20); n != len(String(v)) {
		t.Errorf("Size %d, want %d", n, len(String(v)))
	}
}

func TestFromToGo(t *testing.T) {
	v := FromGo(map[string]any{"b": []any{1.5, "x", true, nil}, "a": 2})
	if got := String(v); got != `{"a":2,"b":[1.5,"x",true,null]}` {
		t.Errorf("FromGo: %s", got)
	}
	back := ToGo(v).(map[string]any)
	if back["a"] != 2.0 {
		t.Errorf("ToGo: %v", back)
	}
}
