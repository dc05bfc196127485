package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// engineTasks answers every task op of compiled journeys without any
// store or content, so a benchmark measures the engine alone: sends
// succeed, conditions and attributes vary by contact, half of the waits
// and approvals are answered at once (through the callback path, as a
// resumed wait is) and half run into their timeouts.
type engineTasks struct {
	w      *local.Workflow
	schema *journey.Schema
	now    func() time.Time
}

func (e *engineTasks) handle(ctx context.Context, req wire.StepRequest) (wire.StepResult, error) {
	h := fnv.New32a()
	h.Write([]byte(req.Contact + req.Step))
	even := h.Sum32()%2 == 0
	res := wire.StepResult{Status: "sent"}
	if len(req.Attrs) > 0 {
		res.Attrs = map[string]any{}
		for _, a := range req.Attrs {
			res.Attrs[a] = e.value(a, even)
		}
	}
	switch req.Op {
	case wire.OpCondition:
		res.Result, res.Case = &even, "default"
	case wire.OpWaitUntil:
		res.Until = e.now().Add(90 * time.Minute).UTC().Format(time.RFC3339)
	case wire.OpWaitTimeout: // no pause: nothing of the window is left
		var none int64
		res.Remaining = &none
	case wire.OpWaitEvent:
		if even {
			return res, e.w.SendTaskSuccess(ctx, req.Token, `{"event":"email.opened"}`)
		}
	case wire.OpApproval:
		if even {
			return res, e.w.SendTaskSuccess(ctx, req.Token, `{"outcome":"approved","approval":"a-1"}`)
		}
		return res, e.w.SendTaskFailure(ctx, req.Token, wire.ErrRejected, "no")
	}
	return res, nil
}

// value is an attribute of the schema's type.
func (e *engineTasks) value(name string, even bool) any {
	a := e.schema.Attributes[name]
	if a == nil {
		return ""
	}
	switch a.Type {
	case "int", "double":
		if even {
			return 80
		}
		return 10
	case "bool":
		return even
	case "list":
		return []string{}
	}
	if len(a.Values) > 0 {
		if even {
			return a.Values[0]
		}
		return a.Values[len(a.Values)-1]
	}
	return ""
}

// exampleMachines compiles every example journey.
func exampleMachines(b *testing.B) map[string]*journey.Checked {
	b.Helper()
	files, _ := filepath.Glob("../../journeys/*.journey.yaml")
	lib, probs := journey.LoadDir("../../journeys")
	if len(probs) > 0 {
		b.Fatal(probs)
	}
	out := map[string]*journey.Checked{}
	for _, f := range files {
		c, probs := journey.ReadJourney(f, lib)
		if len(probs) > 0 {
			b.Fatal(probs)
		}
		out[c.Journey.ID] = c
	}
	return out
}

// BenchmarkExampleJourneys runs 10,000 contacts through each compiled
// example journey on the engine (virtual clock, in-process task functions
// that do no I/O) and reports executions/s and transitions/s. The largest
// machine is the one `make bench` quotes.
func BenchmarkExampleJourneys(b *testing.B) {
	const contacts = 10000
	checked := exampleMachines(b)
	ids := make([]string, 0, len(checked))
	for id := range checked {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := checked[id]
		res, err := compile.Compile(c, compile.Options{})
		if err != nil {
			b.Fatal(err)
		}
		var def struct{ States map[string]json.RawMessage }
		_ = json.Unmarshal(res.Definition, &def)
		b.Run(fmt.Sprintf("journey=%s/states=%d", id, len(def.States)), func(b *testing.B) {
			benchJourney(b, c, string(res.Definition), contacts)
		})
	}
}

func benchJourney(b *testing.B, c *journey.Checked, def string, contacts int) {
	ctx := context.Background()
	clock := asl.NewVirtualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	tasks := &engineTasks{schema: c.Schema, now: clock.Now}
	fn := local.StepFunc(tasks.handle)
	inv := asl.Functions{}
	for _, name := range compile.Placeholders {
		inv[name] = fn
	}
	w := local.NewWorkflow(local.WorkflowConfig{Clock: clock, Invoker: inv, Seed: 1})
	tasks.w = w
	p, err := w.Publish(ctx, workflow.Definition{Name: "bench-" + c.Journey.ID, ASL: def, RoleArn: role})
	if err != nil {
		b.Fatal(err)
	}
	var execs, transitions int64
	b.ReportAllocs()
	round := 0
	for b.Loop() {
		round++
		arns := make([]string, contacts)
		for i := range arns {
			input := fmt.Sprintf(`{"v":1,"bu":"northwind","journey":%q,"version":1,"contact":"c-%d","entry":"e-%d"}`, c.Journey.ID, i, round)
			if arns[i], err = w.Start(ctx, p.VersionArn, fmt.Sprintf("r%d-c%d", round, i), input); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Engine().RunToEnd(ctx, clock.Now()); err != nil {
			b.Fatal(err)
		}
		for _, arn := range arns {
			d, err := w.Engine().Describe(arn)
			if err != nil || d.Status != asl.StatusSucceeded {
				b.Fatalf("%s: %s %s %s", arn, d.Status, d.Error, d.Cause)
			}
			transitions += d.Transitions
			if err := w.Engine().Forget(ctx, arn); err != nil {
				b.Fatal(err)
			}
		}
		execs += int64(contacts)
	}
	b.ReportMetric(float64(execs)/b.Elapsed().Seconds(), "executions/s")
	b.ReportMetric(float64(transitions)/b.Elapsed().Seconds(), "transitions/s")
}
