package content

import (
	"fmt"
	"testing"

	"github.com/osteele/liquid/expressions"
)

// TestFastTestAgrees: every if test the renderer reads directly gives the
// library's answer, for values of every kind a contact map holds; tests
// it cannot read are left to the library.
func TestFastTestAgrees(t *testing.T) {
	values := map[string]any{
		"missing": nil, "nil": nil, "empty": "", "str": "customer", "other": "lead", "false": false, "true": true,
		"zero": 0, "num": 72.0, "list": []any{}, "strs": []string{"a"}, "html": safeHTML("customer"),
		"map": map[string]any{"x": "customer"},
	}
	tests := []struct {
		src  string
		fast bool
	}{
		{"contact.V", true},
		{"contact.V == \"customer\"", true},
		{"contact.V != 'customer'", true},
		{"contact.V == \"\"", true},
		{"contact.V.x == \"customer\"", true},
		{"contact.V > 50", false},
		{"contact.V and contact.V", false},
		{"contact.V == \"a\" or \"b\"", false},
		{"contact.V == other", false},
		{"contact.V | size", false},
		{"contact.V contains \"c\"", false},
	}
	for _, tc := range tests {
		for name, v := range values {
			for _, unless := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/unless=%v", tc.src, name, unless), func(t *testing.T) {
					vars := map[string]any{"contact": map[string]any{"V": v}}
					if name == "missing" {
						vars = map[string]any{"contact": map[string]any{}}
					}
					ft, ok := parseFastTest(tc.src, unless)
					if ok != tc.fast {
						t.Fatalf("parseFastTest ok = %v, want %v", ok, tc.fast)
					}
					if !ok {
						return
					}
					got, ok := ft.eval(vars)
					if !ok {
						return // the library decides
					}
					e, err := parseExpr(tc.src)
					if err != nil {
						t.Fatal(err)
					}
					if unless {
						e = expressions.Not(e)
					}
					l := NewLibrary(nil, Options{})
					lv, err := e.Evaluate(expressions.NewContext(vars, l.cfg.Config.Config))
					if err != nil {
						t.Fatal(err)
					}
					if want := lv != nil && lv != false; got != want {
						t.Errorf("fast %v, library %v (%#v)", got, want, lv)
					}
				})
			}
		}
	}
}
