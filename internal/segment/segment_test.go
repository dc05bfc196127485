package segment_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/segment"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func env(t testing.TB) *segment.Env {
	t.Helper()
	e, err := segment.NewEnv([]segment.Attribute{
		{Name: "email", Type: segment.String, Personal: true},
		{Name: "phone", Type: segment.String, Personal: true},
		{Name: "plan", Type: segment.String},
		{Name: "leadScore", Type: segment.Int},
		{Name: "revenue", Type: segment.Double},
		{Name: "unsubscribed", Type: segment.Bool},
		{Name: "signedUpAt", Type: segment.Timestamp},
		{Name: "interests", Type: segment.List},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEval(t *testing.T) {
	contact := map[string]any{
		"plan": "pro", "leadScore": 72, "revenue": 1200.5, "unsubscribed": false,
		"signedUpAt": "2026-01-15T10:00:00Z", "interests": []any{"forecasting"}, "email": "a@example.com",
	}
	interactions := []segment.Interaction{
		{Type: "email.delivered", At: now.Add(-40 * 24 * time.Hour)},
		{Type: "email.opened", At: now.Add(-10 * 24 * time.Hour)},
		{Type: "webinar.attended", At: now.Add(-2 * 24 * time.Hour)},
		{Type: "webinar.attended", At: now.Add(-1 * time.Hour)},
		{Type: "email.clicked", At: now.Add(time.Hour)}, // in the future: ignored
	}
	tests := []struct {
		cond string
		want bool
	}{
		{`contact.plan == "pro" && contact.leadScore > 50`, true},
		{`contact.revenue >= 1000.0`, true},
		{`opened(days(30))`, true},
		{`opened(days(7))`, false},
		{`clicked(days(30))`, false},
		{`received(days(60))`, true},
		{`received(days(30))`, false},
		{`submitted(days(365))`, false},
		{`happened("webinar.attended", hours(2))`, true},
		{`times("webinar.attended", days(7)) == 2`, true},
		{`"forecasting" in contact.interests`, true},
		{`contact.signedUpAt < now - duration("720h")`, true},
		{`has(contact.phone)`, false},
		{`contact.phone == ""`, true}, // absent: the zero value
		{`contact.email.endsWith("@example.com")`, true},
		{`event.webinarId == "w-1"`, true},
	}
	e := env(t)
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			c, iss := e.Compile(tt.cond)
			if len(iss) > 0 {
				t.Fatalf("Compile: %v", iss)
			}
			got, err := c.Eval(contact, interactions, map[string]any{"webinarId": "w-1"}, now)
			if err != nil || got != tt.want {
				t.Fatalf("Eval = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestEvalError(t *testing.T) {
	c, iss := env(t).Compile(`contact.leadScore > 10`)
	if len(iss) > 0 {
		t.Fatal(iss)
	}
	_, err := c.Eval(map[string]any{"leadScore": "high"}, nil, nil, now)
	if !errors.Is(err, segment.ErrEval) {
		t.Fatalf("Eval with a wrong stored type = %v, want ErrEval", err)
	}
	if _, err := (&segment.Segment{Name: "s", Condition: c}).Contains("c-1", map[string]any{"leadScore": 11}, nil, now); err != nil {
		t.Fatal(err)
	}
}

func TestCompileIssues(t *testing.T) {
	tests := []struct {
		cond string
		want []segment.Issue
	}{
		{`contact.pln == "pro"`, []segment.Issue{{Line: 1, Col: 7, Message: "undefined field 'pln'", Hint: `did you mean "plan"?`}}},
		{`contcat.plan == "pro"`, []segment.Issue{{Line: 1, Col: 0, Message: "undeclared reference to 'contcat' (did you mean 'contact'?)"}}},
		{`contact.leadScore`, []segment.Issue{{Line: 1, Message: "the condition gives int, not true or false", Hint: "compare it, e.g. contact.leadScore > 50"}}},
		{"contact.plan ==\n  ", []segment.Issue{{Line: 2, Col: 2, Message: "Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"}}},
		{` `, []segment.Issue{{Line: 1, Message: "the condition is empty"}}},
		// Found by FuzzCompileEval: CEL gives the macro error column -1.
		{`interactions.exists(.,0`, []segment.Issue{
			{Line: 1, Message: "argument must be a simple name"},
			{Line: 1, Col: 21, Message: "Syntax error: no viable alternative at input '.,'"},
			{Line: 1, Col: 23, Message: "Syntax error: missing ')' at '<EOF>'"},
		}},
	}
	e := env(t)
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			_, got := e.Compile(tt.cond)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("issues (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNative(t *testing.T) {
	tests := []struct {
		cond string
		want *segment.Rule
	}{
		{`contact.plan == "pro"`, &segment.Rule{Op: "==", Attribute: "plan", Type: segment.String, Value: "pro"}},
		{`50 < contact.leadScore`, &segment.Rule{Op: ">", Attribute: "leadScore", Type: segment.Int, Value: int64(50)}},
		{`contact.plan in ["pro", "team"] && !(contact.leadScore < 10) || contact.unsubscribed`, nil},
		{`contact.plan in ["pro", "team"] || contact.unsubscribed == true`, &segment.Rule{Op: "or", Rules: []segment.Rule{
			{Op: "==", Attribute: "plan", Type: segment.String, Value: "pro"},
			{Op: "==", Attribute: "plan", Type: segment.String, Value: "team"},
			{Op: "==", Attribute: "unsubscribed", Type: segment.Bool, Value: true},
		}}},
		{`contact.revenue != 0.0`, &segment.Rule{Op: "!=", Attribute: "revenue", Type: segment.Double, Value: 0.0}},
		{`contact.email == "a@example.com"`, nil}, // personal
		{`opened(days(30))`, nil},
		{`contact.leadScore + 1 > 50`, nil},
		{`contact.plan == "` + strings.Repeat("x", segment.MaxNativeString) + `"`, nil}, // longer than a cut value
	}
	e := env(t)
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			c, iss := e.Compile(tt.cond)
			if len(iss) > 0 {
				t.Fatal(iss)
			}
			r, ok := c.Native()
			var got *segment.Rule
			if ok {
				got = &r
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Native (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttributesAndPersonal(t *testing.T) {
	c, _ := env(t).Compile(`contact.plan == "pro" && contact.email != "" && opened(days(1))`)
	if diff := cmp.Diff([]string{"email", "plan"}, c.Attributes()); diff != "" || !c.Personal() {
		t.Errorf("Attributes = %v, Personal = %v", c.Attributes(), c.Personal())
	}
}

func TestConcurrentEval(t *testing.T) {
	c, _ := env(t).Compile(`contact.leadScore > 50 && opened(days(30))`)
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func(g int) {
			ok := true
			for i := 0; i < 200; i++ {
				got, err := c.Eval(map[string]any{"leadScore": 40 + g*5}, []segment.Interaction{{Type: "email.opened", At: now.Add(-time.Hour)}}, nil, now)
				ok = ok && err == nil && got == (40+g*5 > 50)
			}
			done <- ok
		}(g)
	}
	for g := 0; g < 8; g++ {
		if !<-done {
			t.Error("a concurrent Eval gave a wrong answer")
		}
	}
}

func BenchmarkEval(b *testing.B) {
	c, _ := env(b).Compile(`contact.plan in ["pro", "team"] && contact.leadScore > 50 && opened(days(30))`)
	contact := map[string]any{"plan": "pro", "leadScore": 72}
	var ins []segment.Interaction
	for i := 0; i < 50; i++ {
		ins = append(ins, segment.Interaction{Type: "email.opened", At: now.Add(-time.Duration(i) * 24 * time.Hour)})
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := c.Eval(contact, ins, nil, now); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "evals/s")
}

func ExampleCondition_Eval() {
	e, _ := segment.NewEnv([]segment.Attribute{{Name: "leadScore", Type: segment.Int}})
	c, _ := e.Compile(`contact.leadScore >= 60 && opened(days(30))`)
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	ok, _ := c.Eval(map[string]any{"leadScore": 75},
		[]segment.Interaction{{Type: "email.opened", At: now.AddDate(0, 0, -3)}}, nil, now)
	fmt.Println(ok)
	// Output: true
}

// TestReadsInteractions: a condition that never looks at the
// interactions says so (callers then skip loading them); one that does,
// through a macro or the variable itself, says it does.
func TestReadsInteractions(t *testing.T) {
	e := env(t)
	tests := []struct {
		name, cond string
		want       bool
	}{
		{"attributes only", `contact.plan == "pro" && contact.leadScore > 50`, false},
		{"has", `has(contact.plan) && !contact.unsubscribed`, false},
		{"now", `contact.signedUpAt < now - duration("720h")`, false},
		{"event", `event.kind == "x"`, false},
		{"opened macro", `opened(days(30))`, true},
		{"times macro", `times("webinar.attended", days(7)) == 2`, true},
		{"variable", `interactions.exists(i, i.type == "email.opened")`, true},
		{"size", `size(interactions) > 0 || contact.leadScore > 1`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, iss := e.Compile(tc.cond)
			if len(iss) > 0 {
				t.Fatal(iss)
			}
			if got := c.ReadsInteractions(); got != tc.want {
				t.Errorf("ReadsInteractions() = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCutNativeString pins the cut of a string attribute for native rules
// and that it keeps every comparison with a literal a native rule may hold.
func TestCutNativeString(t *testing.T) {
	long := strings.Repeat("ab", segment.MaxNativeString)
	if got := segment.CutNativeString(long); len(got) != segment.MaxNativeString {
		t.Errorf("cut to %d bytes, want %d", len(got), segment.MaxNativeString)
	}
	// A 3-byte rune straddling the limit is dropped whole.
	s := strings.Repeat("a", segment.MaxNativeString-1) + "€tail"
	if got := segment.CutNativeString(s); got != strings.Repeat("a", segment.MaxNativeString-1) {
		t.Errorf("cut %q... (%d bytes), want the ASCII prefix", got[len(got)-3:], len(got))
	}
	if got := segment.CutNativeString("short"); got != "short" {
		t.Errorf("short value changed to %q", got)
	}
	for _, lit := range []string{"", "ab", strings.Repeat("ab", 400) + "z", strings.Repeat("ab", 400)} {
		for _, v := range []string{long, long + "€", strings.Repeat("ab", 400) + "c" + long} {
			c := segment.CutNativeString(v)
			if (c == lit) != (v == lit) || (c < lit) != (v < lit) || (c > lit) != (v > lit) {
				t.Errorf("cut value compares with a %d-byte literal unlike the whole value", len(lit))
			}
		}
	}
}
