package asl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
)

func TestValidate(t *testing.T) {
	pass := func(extra string) string {
		return `{"StartAt":"A","States":{"A":{"Type":"Pass"` + extra + `,"End":true}}}`
	}
	tests := []struct {
		name string
		def  string
		want []string // "path: message prefix"
	}{
		{"valid", pass(""), nil},
		{"not JSON", `{`, []string{"$: invalid JSON"}},
		{"not an object", `[]`, []string{"$: a state machine definition must be a JSON object"}},
		{"missing StartAt", `{"States":{"A":{"Type":"Succeed"}}}`, []string{`$: the field "StartAt" is required`}},
		{"StartAt names nothing", `{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}`,
			[]string{`$.StartAt: StartAt names the state "B"`}},
		{"unknown top-level field", `{"StartAt":"A","Foo":1,"States":{"A":{"Type":"Succeed"}}}`, []string{`$.Foo: the field "Foo" is not supported`}},
		{"empty StartAt and Type (a fuzz crasher)", `{"StartAt":"","States":{"0":{"Type":""}}}`,
			[]string{`$.StartAt: StartAt names the state ""`, `$.States.0.Type: unknown state type ""`}},
		{"unknown state type", `{"StartAt":"A","States":{"A":{"Type":"Sleep","End":true}}}`, []string{`$.States.A.Type: unknown state type "Sleep"`}},
		{"Next to nowhere", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Z"}}}`,
			[]string{`$.States: no terminal state`, `$.States.A.Next: Next names the state "Z"`}},
		{"Next and End", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A","End":true}}}`, []string{`$.States: no terminal state`, `$.States.A: a state has either Next or End`}},
		{"neither Next nor End", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1}}}`,
			[]string{`$.States: no terminal state`, `$.States.A: a Wait state needs Next or End`}},
		{"unreachable state", `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}`, []string{`$.States.B: the state "B" is not reachable`}},
		{"field of another state type", pass(`,"Seconds":5`), []string{`$.States.A.Seconds: the field "Seconds" is not supported`}},
		{"bad path", pass(`,"InputPath":"x.y"`), []string{`$.States.A.InputPath: invalid JSONPath`}},
		{"ResultPath must be a reference path", pass(`,"ResultPath":"$.a[*]"`), []string{`$.States.A.ResultPath: "$.a[*]" must be a reference path`}},
		{"bad intrinsic", pass(`,"Parameters":{"x.$":"States.Nope(1)"}`), []string{`$.States.A.Parameters.x.$: invalid intrinsic function`}},
		{".$ value not a string", pass(`,"Parameters":{"x.$":1}`), []string{`$.States.A.Parameters.x.$: the value of a field ending in .$ must be a string`}},
		{"bad variable name", pass(`,"Assign":{"1x":1}`), []string{`$.States.A.Assign.1x: "1x" is not a valid variable name`}},
		{"Wait with two times", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Timestamp":"2025-01-01T00:00:00Z","End":true}}}`,
			[]string{`$.States.W: a Wait state has exactly one of`}},
		{"bad Timestamp", `{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2025-01-01 00:00:00","End":true}}}`,
			[]string{`$.States.W.Timestamp: "2025-01-01 00:00:00" is not an ISO-8601`}},
		{"Choice without rules", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[],"Default":"D"},"D":{"Type":"Succeed"}}}`,
			[]string{`$.States.C.Choices: Choices must be a non-empty array`}},
		{"Choice rule literal of the wrong type", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":"1","Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			[]string{`$.States.C.Choices[0].NumericEquals: NumericEquals takes a number`}},
		{"Choice rule with two operators", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"IsString":true,"Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			[]string{`$.States.C.Choices[0]: a Choice Rule has one operator`}},
		{"nested rule with Next", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.a","IsNull":true,"Next":"D"},"Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			[]string{`$.States.C.Choices[0].Not.Next: Next is allowed only in a top-level Choice Rule`}},
		{"Retry field out of range", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL"],"BackoffRate":0.5}],"End":true}}}`,
			[]string{`$.States.T.Retry[0].BackoffRate: BackoffRate must be a number of at least 1.0`}},
		{"States.ALL not last", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}],"End":true}}}`,
			[]string{`$.States.T.Retry[0].ErrorEquals: States.ALL must be in the last retrier`}},
		{"States.ALL with others", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL","X"],"Next":"T"}],"End":true}}}`,
			[]string{`$.States.T.Catch[0].ErrorEquals: States.ALL must be the only error name`}},
		{"custom error named States.", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.Mine"]}],"End":true}}}`,
			[]string{`$.States.T.Retry[0].ErrorEquals[0]: "States.Mine" is not a States error name`}},
		{"HeartbeatSeconds not below TimeoutSeconds", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":10,"HeartbeatSeconds":10,"End":true}}}`,
			[]string{`$.States.T.HeartbeatSeconds: HeartbeatSeconds must be smaller than TimeoutSeconds`}},
		{"bad resource", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"lambda","End":true}}}`,
			[]string{`$.States.T.Resource: "lambda" is not a Lambda function`}},
		{"placeholder resource", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"${SendFunctionArn}","End":true}}}`, nil},
		{"duplicate state name in a branch", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"P","States":{"P":{"Type":"Succeed"}}}],"End":true}}}`,
			[]string{`$.States.P.Branches[0].States.P: the state name "P" is already used`}},
		{"Map without processor", `{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}`, []string{`$.States.M: a Map state needs an ItemProcessor`}},
		{"long state name", `{"StartAt":"` + strings.Repeat("s", 81) + `","States":{"` + strings.Repeat("s", 81) + `":{"Type":"Succeed"}}}`,
			[]string{`$.States.` + strings.Repeat("s", 81) + `: a state name must have 1 to 80 characters`}},
		{"Fail with Error and ErrorPath", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","ErrorPath":"$.e"}}}`,
			[]string{`$.States.F: a Fail state has Error or ErrorPath, not both`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			problems := asl.Validate([]byte(tc.def))
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("problem %d: %s\nwant prefix %s", i, got[i], tc.want[i])
				}
			}
			_, err := asl.Load([]byte(tc.def))
			var ve *asl.ValidationError
			if (len(tc.want) > 0) != errors.As(err, &ve) {
				t.Errorf("Load error %v", err)
			}
		})
	}
}

func TestMachineAccessors(t *testing.T) {
	m := mustLoad(t, `{"Comment":"c","TimeoutSeconds":60,"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Succeed"}}}`)
	if m.Comment() != "c" || m.TimeoutSeconds() != 60 || string(m.Definition()) == "" {
		t.Errorf("accessors %q %d", m.Comment(), m.TimeoutSeconds())
	}
	if diff := cmp.Diff([]string{"A", "B"}, m.StateNames()); diff != "" {
		t.Error(diff)
	}
}
