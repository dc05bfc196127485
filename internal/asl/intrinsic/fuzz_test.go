package intrinsic

import (
	"math/rand/v2"
	"testing"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// FuzzCall: any text either fails to parse or evaluates to a value or an
// *Error / *PathError, without panicking.
func FuzzCall(f *testing.F) {
	f.Add(`States.Format('a {} {}', $.x, States.Array(1, 'b'))`, `{"x":[1,{"k":null}]}`)
	f.Add(`States.ArrayRange($.a, $.b, $.c)`, `{"a":0,"b":1000000,"c":1}`)
	f.Add(`States.MathRandom(1, 9, 42)`, `{}`)
	f.Add(`States.Hash(States.JsonToString($), 'SHA-512')`, `{"a":"é"}`)
	f.Fuzz(func(t *testing.T, call, input string) {
		c, err := Parse(call)
		if err != nil {
			return
		}
		v, err := jsonv.ParseString(input)
		if err != nil {
			return
		}
		e := &env{input: v, vars: map[string]any{}, rng: rand.New(rand.NewPCG(1, 1))}
		if _, err := c.Eval(e); err != nil {
			switch err.(type) {
			case *Error, *PathError:
			default:
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}
