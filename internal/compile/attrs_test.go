package compile_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// aslState is what checkAttrsFresh reads of a state.
type aslState struct {
	Type       string
	Next       string
	End        bool
	ResultPath *string
	Default    string
	Choices    []json.RawMessage
	Catch      []struct{ Next string }
}

// checkAttrsFresh proves, by a data-flow pass over the machine, that every
// Choice state reading $.attrs is entered only with attributes a task has
// just returned: on every path into it the last Task set $.attrs on
// success, and no Wait, other Task or Catch lies in between (a failed task
// returns none; a wait or another task may see the contact change).
func checkAttrsFresh(t *testing.T, definition []byte) {
	t.Helper()
	var def struct {
		StartAt string
		States  map[string]json.RawMessage
	}
	if err := json.Unmarshal(definition, &def); err != nil {
		t.Fatal(err)
	}
	states := map[string]aslState{}
	for name, raw := range def.States {
		var s aslState
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		states[name] = s
	}
	// fresh[x] starts true everywhere but StartAt and only falls.
	fresh := map[string]bool{}
	for name := range states {
		fresh[name] = name != def.StartAt
	}
	for changed := true; changed; {
		changed = false
		for name, s := range states {
			for _, e := range transitions(s, fresh[name]) {
				if fresh[e.to] && !e.fresh {
					fresh[e.to], changed = false, true
				}
			}
		}
	}
	var stale []string
	for name, s := range states {
		if s.Type == "Choice" && readsAttrs(def.States[name]) && !fresh[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	for _, name := range stale {
		t.Errorf("Choice %q reads $.attrs but some path into it does not come from a task that returned them", name)
	}
}

type transition struct {
	to    string
	fresh bool
}

// transitions lists where a state goes and whether attributes are fresh
// on arrival, given whether they were fresh on entry.
func transitions(s aslState, in bool) []transition {
	var out []transition
	switch s.Type {
	case "Choice":
		for _, raw := range s.Choices {
			var c struct{ Next string }
			_ = json.Unmarshal(raw, &c)
			out = append(out, transition{c.Next, in})
		}
		if s.Default != "" {
			out = append(out, transition{s.Default, in})
		}
	case "Task":
		if s.Next != "" {
			out = append(out, transition{s.Next, s.ResultPath != nil && *s.ResultPath == "$.attrs"})
		}
		for _, c := range s.Catch {
			out = append(out, transition{c.Next, false})
		}
	case "Pass":
		if s.Next != "" {
			out = append(out, transition{s.Next, in})
		}
	default: // Wait and the rest: time passes, the contact may change
		if s.Next != "" {
			out = append(out, transition{s.Next, false})
		}
	}
	return out
}

func readsAttrs(raw json.RawMessage) bool { return strings.Contains(string(raw), `"$.attrs.`) }
