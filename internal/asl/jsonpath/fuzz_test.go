package jsonpath

import (
	"testing"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// FuzzEval: any path either fails to parse or evaluates (and, if it is a
// reference path, sets) without panicking.
func FuzzEval(f *testing.F) {
	f.Add("$.a[0].b", `{"a":[{"b":1}]}`)
	f.Add("$..x[?(@.y > 1 && @.z =~ /a.*/i)]", `{"x":[{"y":2,"z":"abc"}]}`)
	f.Add("$.a[-1:0:-1]", `{"a":[1,2,3]}`)
	f.Add("$$.Execution['Id']", `{}`)
	f.Fuzz(func(t *testing.T, path, doc string) {
		p, err := Parse(path)
		if err != nil {
			return
		}
		d, err := jsonv.ParseString(doc)
		if err != nil {
			return
		}
		p.Eval(d)
		_ = p.Normalized()
		if p.IsReference() {
			_, _ = p.Set(d, "x")
		}
	})
}
