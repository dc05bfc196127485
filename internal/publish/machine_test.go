package publish_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// TestPublishMachinePayloads reads statemachines/journey-publish.asl.json
// and builds each task's payload from a MachineInput, as Step Functions
// does for "$.x" paths: every payload decodes into a TaskRequest with a
// known op, and every path the machine reads is in the input.
func TestPublishMachinePayloads(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testsvc.Root(t), "statemachines", "journey-publish.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		States map[string]map[string]any
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(publish.MachineInput{V: 1, BU: bu, Journey: "welcome", Version: 2, By: "bob", RequireApproval: true, ApprovalSeconds: 60})
	var input map[string]any
	json.Unmarshal(in, &input)
	input["error"] = map[string]any{"Error": "States.Timeout"} // what the catch adds
	lookup := func(path string) any {
		if path == "$$.Task.Token" {
			return "token"
		}
		var v any = input
		for _, part := range strings.Split(strings.TrimPrefix(path, "$."), ".") {
			obj, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("path %s: not an object", path)
			}
			if v, ok = obj[part]; !ok {
				t.Fatalf("path %s is not in the input", path)
			}
		}
		return v
	}
	ops := map[string]string{}
	for name, st := range m.States {
		if p, ok := st["TimeoutSecondsPath"]; ok {
			lookup(p.(string))
		}
		if st["Type"] == "Choice" {
			for _, c := range st["Choices"].([]any) {
				lookup(c.(map[string]any)["Variable"].(string))
			}
		}
		params, ok := st["Parameters"].(map[string]any)
		if !ok {
			continue
		}
		payload := map[string]any{}
		for k, v := range params["Payload"].(map[string]any) {
			if key, dynamic := strings.CutSuffix(k, ".$"); dynamic {
				payload[key] = lookup(v.(string))
			} else {
				payload[k] = v
			}
		}
		raw, _ := json.Marshal(payload)
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		var r publish.TaskRequest
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("state %s: payload %s: %v", name, raw, err)
		}
		if r.V != 1 || r.BU != bu || r.Journey != "welcome" || r.Version != 2 || r.By != "bob" {
			t.Errorf("state %s: payload %+v", name, r)
		}
		ops[name] = r.Op
	}
	want := map[string]string{"Ask for approval": publish.OpRequestApproval, "Activate the version": publish.OpActivate,
		"Record the expiry": publish.OpRejected}
	if diff := cmp.Diff(want, ops); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
}
