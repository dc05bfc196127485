package launch_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// machine reads statemachines/segment-launch.asl.json.
func machine(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testsvc.Root(t), "statemachines", "segment-launch.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func state(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

// field reads a top-level field of a JSON object by a "$.name" path.
func field(t *testing.T, obj map[string]any, path string) any {
	t.Helper()
	name, ok := strings.CutPrefix(path, "$.")
	if !ok || strings.ContainsAny(name, ".[") {
		t.Fatalf("path %s is not $.<field>", path)
	}
	v, ok := obj[name]
	if !ok {
		t.Fatalf("the state has no %s", path)
	}
	return v
}

// TestMachineItemSelector applies the Map's ItemSelector to a planned
// launch state, as Step Functions does, and decodes the result: every
// field of an iteration comes from the plan, and nothing is lost.
func TestMachineItemSelector(t *testing.T) {
	m := machine(t)
	sel := state(m, "States", "Enrol the scan segments", "ItemSelector")
	plan := launch.State{V: 1, BU: bu, Journey: "newsletter", Launch: "l1", Version: 3, Rate: 100, ShardRate: 6.25,
		Segments: 16, PageSize: 375, MaxPages: 137, Shards: []launch.Shard{{Segment: 5, Cursor: "abc"}}}
	raw, _ := json.Marshal(plan)
	var obj map[string]any
	json.Unmarshal(raw, &obj)
	item := map[string]any{}
	for k, v := range sel {
		name, dynamic := strings.CutSuffix(k, ".$")
		switch {
		case !dynamic:
			item[k] = v
		case v == "$$.Map.Item.Value":
			item[name] = obj["shards"].([]any)[0]
		default:
			item[name] = field(t, obj, v.(string))
		}
	}
	raw, _ = json.Marshal(item)
	var it launch.PageState
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&it); err != nil {
		t.Fatalf("the ItemSelector does not build a PageState: %v", err)
	}
	want := launch.PageState{V: 1, BU: bu, Journey: "newsletter", Launch: "l1", Version: 3, Rate: 6.25, Segments: 16,
		PageSize: 375, MaxPages: 137, Shard: launch.Shard{Segment: 5, Cursor: "abc"}}
	if diff := cmp.Diff(want, it); diff != "" {
		t.Errorf("iteration (-want +got):\n%s", diff)
	}
}

// TestMachineReadsWhatTasksWrite: the fields the machine's Choice rules
// and the continuation read are always in the JSON the tasks return (no
// omitempty), and the tasks' payloads name the function's operations.
func TestMachineReadsWhatTasksWrite(t *testing.T) {
	m := machine(t)
	page, _ := json.Marshal(launch.PageState{})
	report, _ := json.Marshal(launch.State{Next: &launch.State{}, NextName: "x"})
	var pageObj, reportObj map[string]any
	json.Unmarshal(page, &pageObj)
	json.Unmarshal(report, &reportObj)

	more := state(m, "States", "Enrol the scan segments", "ItemProcessor", "States", "More pages?")
	var read []string
	for _, c := range more["Choices"].([]any) {
		rule := c.(map[string]any)
		read = append(read, rule["Variable"].(string))
		if p, ok := rule["NumericGreaterThanEqualsPath"]; ok {
			read = append(read, p.(string))
		}
	}
	sort.Strings(read)
	if diff := cmp.Diff([]string{"$.maxPages", "$.pages", "$.shard.done"}, read); diff != "" {
		t.Errorf("the page loop reads (-want +got):\n%s", diff)
	}
	if _, ok := pageObj["shard"].(map[string]any)["done"]; !ok {
		t.Error("a page's shard.done may be missing")
	}
	for _, f := range []string{"pages", "maxPages"} {
		if _, ok := pageObj[f]; !ok {
			t.Errorf("a page's %s may be missing", f)
		}
	}
	fin := state(m, "States", "Finished?")["Choices"].([]any)[0].(map[string]any)
	if field(t, reportObj, fin["Variable"].(string)) != false {
		t.Error("the report's done is not written")
	}
	cont := state(m, "States", "Continue in a new execution", "Parameters")
	field(t, reportObj, cont["Name.$"].(string))
	field(t, reportObj, cont["Input.$"].(string))

	ops := map[string]string{}
	for _, name := range []string{"Plan the launch", "Report"} {
		ops[name] = state(m, "States", name, "Parameters", "Payload")["op"].(string)
	}
	p := state(m, "States", "Enrol the scan segments", "ItemProcessor", "States", "Enrol one page", "Parameters", "Payload")
	ops["Enrol one page"] = p["op"].(string)
	want := map[string]string{"Plan the launch": launch.OpPlan, "Report": launch.OpReport, "Enrol one page": launch.OpPage}
	if diff := cmp.Diff(want, ops); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
	if got := state(m, "States", "Enrol the scan segments")["ResultPath"]; got != "$.iterations" {
		t.Errorf("the Map's results go to %v, where report does not read them", got)
	}
	if got := state(m, "States", "Enrol the scan segments")["MaxConcurrency"]; got != float64(32) {
		t.Errorf("MaxConcurrency %v: every scan segment should run at once", got)
	}
}
