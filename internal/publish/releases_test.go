package publish_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/wire"
)

// opFunction is the function each operation is served by (internal/wire's
// package documentation): a released machine must send every op to it.
var opFunction = map[string]string{
	wire.OpSend:      "${SendFunctionArn}",
	wire.OpCondition: "${EvaluateFunctionArn}",
	wire.OpAttrs:     "${EvaluateFunctionArn}",
	wire.OpWaitUntil: "${EvaluateFunctionArn}",
	wire.OpSalesTask: "${SalesTaskFunctionArn}",
	wire.OpWebhook:   "${WebhookActionFunctionArn}",
	wire.OpUpdate:    "${UpdateContactFunctionArn}",
	wire.OpWaitEvent: "${WaitRegisterFunctionArn}",
	wire.OpApproval:  "${ApprovalRequestFunctionArn}",
	wire.OpFinish:    "${FinishFunctionArn}",
}

// sample answers the paths released payloads read: the execution input,
// the context object and what catches add to the state.
var sample = map[string]any{
	"$.bu": "northwind", "$.journey": "welcome", "$.version": 3, "$.contact": "c-81f2", "$.entry": "lead-1",
	"$$.Execution.Id": "arn:aws:states:eu-west-1:123456789012:execution:journeys-northwind_welcome:x",
	"$$.Task.Token":   "token", "$.error.Error": "Journey.Exited", "$.error.Cause": "exit criterion unsubscribed",
}

// TestReleasedPayloads: every Task payload of every released compiled
// machine (testdata/releases/*) decodes into today's wire.StepRequest,
// field by field with nothing unknown, names an op today's handlers serve,
// goes to the function that serves it, and has a payload version no newer
// than today's. Running executions keep their version for up to a year,
// so this must hold for every release ever made.
func TestReleasedPayloads(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "releases", "*", "*.asl.json"))
	if len(files) < 5 {
		t.Fatalf("found %d released machines, want the five examples of v1 at least", len(files))
	}
	seen := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m struct{ States map[string]map[string]any }
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		names := make([]string, 0, len(m.States))
		for name := range m.States {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			st := m.States[name]
			params, _ := st["Parameters"].(map[string]any)
			payload, ok := params["Payload"].(map[string]any)
			if st["Type"] != "Task" || !ok {
				continue
			}
			req, err := decodePayload(payload)
			if err != nil {
				t.Errorf("%s: %s: %v", f, name, err)
				continue
			}
			fn := opFunction[req.Op]
			switch {
			case fn == "":
				t.Errorf("%s: %s: op %q is not served", f, name, req.Op)
			case params["FunctionName"] != fn:
				t.Errorf("%s: %s: op %s goes to %v, want %s", f, name, req.Op, params["FunctionName"], fn)
			case req.V < 1 || req.V > wire.Version:
				t.Errorf("%s: %s: payload version %d", f, name, req.V)
			case req.BU != "northwind" || req.Contact != "c-81f2" || req.Version != 3 || req.Execution == "":
				t.Errorf("%s: %s: ids not carried: %+v", f, name, req)
			case req.Op == wire.OpFinish && !validOutcome(req.Outcome):
				t.Errorf("%s: %s: finish outcome %q", f, name, req.Outcome)
			case (req.Op == wire.OpWaitEvent || req.Op == wire.OpApproval) && req.Token == "":
				t.Errorf("%s: %s: %s without its task token", f, name, req.Op)
			}
			seen[req.Op] = true
		}
	}
	for _, op := range []string{wire.OpSend, wire.OpCondition, wire.OpAttrs, wire.OpWaitEvent, wire.OpApproval, wire.OpFinish} {
		if !seen[op] {
			t.Errorf("no released machine sends %s: the examples no longer cover it", op)
		}
	}
}

// decodePayload fills a payload template from sample, as Step Functions
// does for paths, and decodes it strictly.
func decodePayload(payload map[string]any) (wire.StepRequest, error) {
	out := map[string]any{}
	for k, v := range payload {
		key, dynamic := strings.CutSuffix(k, ".$")
		if !dynamic {
			out[k] = v
			continue
		}
		val, ok := sample[v.(string)]
		if !ok {
			return wire.StepRequest{}, &unknownPath{v.(string)}
		}
		out[key] = val
	}
	raw, _ := json.Marshal(out)
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var r wire.StepRequest
	err := dec.Decode(&r)
	return r, err
}

type unknownPath struct{ path string }

func (e *unknownPath) Error() string {
	return "the payload reads " + e.path + ", which no execution state holds"
}

func validOutcome(o string) bool {
	switch o {
	case wire.OutcomeCompleted, wire.OutcomeExited, wire.OutcomeGoal, wire.OutcomeFailed:
		return true
	}
	return false
}

// TestDecodePayloadRefuses: the strict decoding above can fail.
func TestDecodePayloadRefuses(t *testing.T) {
	for name, p := range map[string]map[string]any{
		"unknown field":    {"v": 1, "op": "send", "priority": "high"},
		"unknown path":     {"v": 1, "op": "send", "bu.$": "$.tenant"},
		"wrong field type": {"v": "1", "op": "send"},
	} {
		if _, err := decodePayload(p); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}
