package asl_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// A conformanceCase is one record of ../shared/conformance/asl/cases.jsonl:
// an execution recorded against AWS Step Functions.
type conformanceCase struct {
	ID              string
	Area            string
	QueryLanguage   string
	Definition      []byte
	Input           []byte
	Status          string
	Output          any
	HasOutput       bool
	Error, Cause    any
	Events          []conformanceEvent
	HasEvents       bool
	Context         map[string]string
	Placeholders    []string
	MaskedPaths     []maskedPath
	ParallelSorted  bool
	Express         bool
	MixedQueryLangs bool
}

type conformanceEvent struct {
	Type        string
	Name        string
	Input       any
	Output      any
	Error       any
	Cause       any
	Index       any
	Length      any
	AssignedVar *jsonv.Object
}

type maskedPath struct {
	Key         string // the last field of the masked JSONPath
	Replacement string
}

func loadConformanceCases(t *testing.T) []conformanceCase {
	t.Helper()
	path := filepath.Join(testsvc.Shared(t), "conformance", "asl", "cases.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open conformance cases: %v", err)
	}
	defer f.Close()
	var cases []conformanceCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		v, err := jsonv.Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("parse conformance case: %v", err)
		}
		cases = append(cases, decodeCase(t, v.(*jsonv.Object)))
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read conformance cases: %v", err)
	}
	return cases
}

func get(o *jsonv.Object, k string) any {
	v, _ := o.Get(k)
	return v
}

func decodeCase(t *testing.T, o *jsonv.Object) conformanceCase {
	c := conformanceCase{
		ID: get(o, "id").(string), Area: get(o, "area").(string), QueryLanguage: get(o, "queryLanguage").(string),
		Definition: jsonv.Marshal(get(o, "definition")), Input: jsonv.Marshal(get(o, "input")),
	}
	exp := get(o, "expect").(*jsonv.Object)
	c.Status = get(exp, "status").(string)
	c.Output, c.HasOutput = exp.Get("output")
	c.Error, c.Cause = get(exp, "error"), get(exp, "cause")
	if evs, ok := get(o, "events").([]any); ok {
		c.HasEvents = true
		for _, ev := range evs {
			eo := ev.(*jsonv.Object)
			ce := conformanceEvent{Type: get(eo, "type").(string), Input: get(eo, "input"), Output: get(eo, "output"),
				Error: get(eo, "error"), Cause: get(eo, "cause"), Index: get(eo, "index"), Length: get(eo, "length")}
			ce.Name, _ = get(eo, "name").(string)
			ce.AssignedVar, _ = get(eo, "assignedVariables").(*jsonv.Object)
			c.Events = append(c.Events, ce)
		}
	}
	c.Context = map[string]string{}
	if ctx, ok := get(o, "context").(*jsonv.Object); ok {
		for i := 0; i < ctx.Len(); i++ {
			c.Context[ctx.Key(i)], _ = ctx.Value(i).(string)
		}
	}
	if ps, ok := get(o, "placeholders").([]any); ok {
		for _, p := range ps {
			c.Placeholders = append(c.Placeholders, p.(string))
		}
	}
	if mps, ok := get(o, "maskedPaths").([]any); ok {
		for _, mp := range mps {
			mo := mp.(*jsonv.Object)
			jp := get(mo, "jsonpath").(string)
			c.MaskedPaths = append(c.MaskedPaths, maskedPath{Key: jp[strings.LastIndex(jp, ".")+1:], Replacement: get(mo, "replacement").(string)})
		}
	}
	c.ParallelSorted, _ = get(o, "parallelEventsSorted").(bool)
	c.Express = get(o, "stateMachineType") == "EXPRESS"
	c.MixedQueryLangs, _ = get(o, "mixedQueryLanguage").(bool)
	return c
}

// loadKnownGaps reads testdata/known-gaps.txt: "case id<TAB>reason" lines.
func loadKnownGaps(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "known-gaps.txt"))
	if err != nil {
		t.Fatalf("read known gaps: %v", err)
	}
	gaps := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(reason) == "" {
			t.Fatalf("known gap %q has no reason (want: id<TAB>reason)", line)
		}
		gaps[id] = strings.TrimSpace(reason)
	}
	return gaps
}

// conformanceStart is the virtual time executions start at: after every
// Wait timestamp in the cases, as when they were recorded.
var conformanceStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func runCase(c conformanceCase) (*asl.Outcome, error) {
	m, err := asl.Load(c.Definition)
	if err != nil {
		return nil, err
	}
	req := asl.StartRequest{
		Machine: m, Input: c.Input, Express: c.Express, History: asl.HistoryOn,
		Context: &asl.ContextOverrides{
			StateMachineName: c.Context["stateMachineName"], StateMachineArn: c.Context["stateMachineArn"],
			ExecutionName: c.Context["executionName"], ExecutionArn: c.Context["executionArn"], RoleArn: c.Context["roleArn"],
		},
	}
	if c.Express {
		req.History = asl.HistoryOff
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return asl.Run(ctx, req, asl.WithClock(asl.NewVirtualClock(conformanceStart)), asl.WithSeed(7), asl.WithMaxTransitions(100000))
}

type areaStats struct{ pass, fail, skip int }

func TestConformance(t *testing.T) {
	cases := loadConformanceCases(t)
	gaps := loadKnownGaps(t)
	var mu sync.Mutex
	stats := map[string]*areaStats{}
	record := func(c conformanceCase, outcome string) {
		mu.Lock()
		defer mu.Unlock()
		for _, key := range []string{c.QueryLanguage + " " + c.Area, c.QueryLanguage + " all"} {
			s := stats[key]
			if s == nil {
				s = &areaStats{}
				stats[key] = s
			}
			switch outcome {
			case "pass":
				s.pass++
			case "fail":
				s.fail++
			default:
				s.skip++
			}
		}
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.ID] = true
		t.Run(c.ID, func(t *testing.T) {
			if reason, ok := gaps[c.ID]; ok {
				record(c, "skip")
				t.Skip("known gap: " + reason)
			}
			problems := checkCase(c)
			if len(problems) > 0 {
				record(c, "fail")
				t.Error(strings.Join(problems, "\n"))
				return
			}
			record(c, "pass")
		})
	}
	for id := range gaps {
		if !seen[id] {
			t.Errorf("known-gaps.txt lists %q, which is not a case", id)
		}
	}
	table := rateTable(stats)
	complete := completeAreas()
	var dropped []string
	for key, s := range stats {
		if complete[key] && s.pass < s.pass+s.fail+s.skip {
			dropped = append(dropped, key)
		}
	}
	if len(dropped) > 0 {
		sort.Strings(dropped)
		t.Errorf("conformance fell below 100%% in %s, which pass every case (fix the cases; known gaps are not allowed there):\n%s",
			strings.Join(dropped, ", "), table)
		return
	}
	t.Log(table)
}

// completeAreas are the "query language area" keys that pass every case:
// any failure or known gap in them fails TestConformance.
func completeAreas() map[string]bool {
	keys := []string{
		"JSONPath all", "JSONPath assign", "JSONPath base", "JSONPath choice_operators", "JSONPath comments",
		"JSONPath context_object", "JSONPath error_handling", "JSONPath express", "JSONPath intrinsic_functions",
		"JSONPath logs", "JSONPath query_language", "JSONPath scenarios", "JSONPath sfn_api",
		"JSONata all", "JSONata assign", "JSONata evaluate_jsonata", "JSONata intrinsic_functions",
		"JSONata outputdecl", "JSONata query_language", "JSONata scenarios",
	}
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// rateTable prints the pass rates per area, sorted.
func rateTable(stats map[string]*areaStats) string {
	keys := make([]string, 0, len(stats))
	for k := range stats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("conformance pass rates (pass/total, skipped):\n")
	for _, k := range keys {
		s := stats[k]
		total := s.pass + s.fail + s.skip
		fmt.Fprintf(&b, "  %-32s %3d/%3d (%5.1f%%)  skipped %d\n", k, s.pass, total, 100*float64(s.pass)/float64(total), s.skip)
	}
	return b.String()
}

// checkCase runs a case and lists every way the result differs from the
// recording.
func checkCase(c conformanceCase) []string {
	out, err := runCase(c)
	if err != nil {
		return []string{fmt.Sprintf("run: %v", err)}
	}
	var problems []string
	if string(out.Status) != c.Status {
		problems = append(problems, fmt.Sprintf("status %s, want %s (error %q cause %q)", out.Status, c.Status, out.Error, out.Cause))
	}
	w := newWildcards(c)
	if c.Status == "SUCCEEDED" && out.Status == asl.StatusSucceeded {
		got, err := jsonv.Parse(out.Output)
		if err != nil {
			problems = append(problems, fmt.Sprintf("output is not JSON: %v", err))
		} else if !w.match(c.Output, normalize(got, c, "")) {
			problems = append(problems, fmt.Sprintf("output\n got: %s\nwant: %s", jsonv.String(normalize(got, c, "")), jsonv.String(c.Output)))
		}
	}
	if c.Status != "SUCCEEDED" {
		if !w.match(c.Error, optString(out.Error, out.Error != "")) {
			problems = append(problems, fmt.Sprintf("error %q, want %v", out.Error, jsonv.String(c.Error)))
		}
		if !w.match(c.Cause, normalize(optString(out.Cause, out.HasCause), c, "")) {
			problems = append(problems, fmt.Sprintf("cause\n got: %q\nwant: %s", out.Cause, jsonv.String(c.Cause)))
		}
	}
	if c.HasEvents {
		problems = append(problems, compareEvents(c, out.Events, w)...)
	}
	return problems
}

func optString(s string, present bool) any {
	if !present {
		return nil
	}
	return s
}

// isoDateTime matches the date-times the recordings masked as "date".
var isoDateTime = regexp.MustCompile(`\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-][01]\d(:?[0-5]\d)?)`)

// normalize applies the recordings' masking to a value we produced: dates,
// values under keys containing "timestamp", and per-case masked keys.
func normalize(v any, c conformanceCase, key string) any {
	for _, mp := range c.MaskedPaths {
		if key != "" && key == mp.Key {
			return mp.Replacement
		}
	}
	switch x := v.(type) {
	case string:
		if key != "" && strings.Contains(strings.ToLower(key), "timestamp") {
			if loc := isoDateTime.FindStringIndex(x); loc == nil || loc[0] != 0 {
				return "timestamp"
			}
		}
		return isoDateTime.ReplaceAllString(x, "date")
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e, c, "")
		}
		return out
	case *jsonv.Object:
		o := jsonv.NewObject(x.Len())
		for i := 0; i < x.Len(); i++ {
			o.Set(x.Key(i), normalize(x.Value(i), c, x.Key(i)))
		}
		return o
	}
	if key != "" && strings.Contains(strings.ToLower(key), "timestamp") && v != nil {
		return "timestamp"
	}
	return v
}

// wildcards are the placeholder tokens of a case: an expected string that
// contains one matches any text in its place.
type wildcards struct {
	tokens []string
}

var uuidToken = regexp.MustCompile(`<uuid:\d+>|<json-input:\d+>`)

func newWildcards(c conformanceCase) *wildcards {
	w := &wildcards{}
	for _, p := range c.Placeholders {
		switch {
		case strings.HasPrefix(p, "<uuid:"), strings.HasPrefix(p, "<json-input:"), p == "<timestamp>",
			p == "generated-uuid", p == "RandomNumberGenerated", p == "start-time", p == "entered-time", p == "timestamp":
			w.tokens = append(w.tokens, p)
		}
	}
	for _, mp := range c.MaskedPaths {
		w.tokens = append(w.tokens, mp.Replacement)
	}
	return w
}

func (w *wildcards) match(want, got any) bool {
	switch x := want.(type) {
	case string:
		if w.isToken(x) {
			return true
		}
		g, ok := got.(string)
		if !ok {
			return false
		}
		if x == g {
			return true
		}
		return w.pattern(x).MatchString(g)
	case []any:
		y, ok := got.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !w.match(x[i], y[i]) {
				return false
			}
		}
		return true
	case *jsonv.Object:
		y, ok := got.(*jsonv.Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i := 0; i < x.Len(); i++ {
			gv, found := y.Get(x.Key(i))
			if !found || !w.match(x.Value(i), gv) {
				return false
			}
		}
		return true
	}
	return jsonv.Equal(want, got)
}

func (w *wildcards) isToken(s string) bool {
	for _, tok := range w.tokens {
		if s == tok {
			return true
		}
	}
	return uuidToken.MatchString(s) && uuidToken.FindString(s) == s
}

func (w *wildcards) pattern(s string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	rest := s
	for rest != "" {
		best, bestTok := -1, ""
		for _, tok := range append(w.tokens, uuidToken.FindAllString(rest, -1)...) {
			if i := strings.Index(rest, tok); i >= 0 && (best < 0 || i < best) {
				best, bestTok = i, tok
			}
		}
		if best < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:best]))
		b.WriteString("(?s:.*)")
		rest = rest[best+len(bestTok):]
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
