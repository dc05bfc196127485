package cost

import (
	"encoding/json"
	"fmt"
	"strings"
)

// A PathState is one state on a machine's typical path.
type PathState struct {
	Name string
	Type string
	// Op and Function are a Lambda task's operation (wire.Op*) and the
	// placeholder of the function it calls (SendFunctionArn).
	Op       string
	Function string
	// Token is set for .waitForTaskToken tasks (a wait for an event or an
	// approval).
	Token bool
}

// TypicalPath walks a compiled journey machine the way compile.Stats
// counts its typical path: from StartAt, each state's first successor
// (a Choice's first rule, else its Default; a Task's Next, never a Catch),
// until the machine ends or a state repeats.
func TypicalPath(def []byte) ([]PathState, error) {
	var m struct {
		StartAt string
		States  map[string]json.RawMessage
	}
	if err := json.Unmarshal(def, &m); err != nil {
		return nil, fmt.Errorf("read machine: %w", err)
	}
	var path []PathState
	seen := map[string]bool{}
	for cur := m.StartAt; cur != "" && !seen[cur]; {
		seen[cur] = true
		raw, ok := m.States[cur]
		if !ok {
			return nil, fmt.Errorf("read machine: no state %q", cur)
		}
		var st struct {
			Type, Resource, Next, Default string
			End                           bool
			Choices                       []struct{ Next string }
			Parameters                    struct {
				FunctionName string
				Payload      struct{ Op string }
			}
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("read state %q: %w", cur, err)
		}
		ps := PathState{Name: cur, Type: st.Type}
		if st.Type == "Task" && strings.HasPrefix(st.Resource, "arn:aws:states:::lambda:invoke") {
			ps.Op = st.Parameters.Payload.Op
			ps.Function = strings.TrimSuffix(strings.TrimPrefix(st.Parameters.FunctionName, "${"), "}")
			ps.Token = strings.HasSuffix(st.Resource, ".waitForTaskToken")
		}
		path = append(path, ps)
		switch {
		case st.Type == "Choice" && len(st.Choices) > 0:
			cur = st.Choices[0].Next
		case st.Type == "Choice":
			cur = st.Default
		case st.End || st.Type == "Succeed" || st.Type == "Fail":
			cur = ""
		default:
			cur = st.Next
		}
	}
	return path, nil
}
