package publish_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/workflow"
	"github.com/journeys-oss/journeys/internal/workflow/workflowtest"
)

const (
	bu   = "northwind"
	role = "arn:aws:iam::123456789012:role/journeys-machines"
)

// functions returns an ARN for every placeholder.
func functions() map[string]string {
	out := map[string]string{}
	for name, fn := range compile.Placeholders {
		out[name] = "arn:aws:lambda:us-east-1:123456789012:function:journeys-" + fn
	}
	return out
}

type fixture struct {
	st  *embedded.Store
	api *workflowtest.Memory
	// wf is the API the publisher runs on: api, or the local runtime's
	// Step Functions (newFixtureOn).
	wf workflow.API
	// end makes a running execution of wf stop running.
	end      func(ctx context.Context, arn string) error
	pub      *publish.Publisher
	launcher *launches
	now      time.Time
}

// launches records StartLaunch calls.
type launches struct {
	mu    sync.Mutex
	calls []string
}

func (l *launches) StartLaunch(_ context.Context, bu, id, launchID, by string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, bu+"/"+id+"/"+launchID+"/"+by)
	return "launch-" + id + "-" + launchID, nil
}

func newFixture(t *testing.T, cfg publish.Config) *fixture {
	t.Helper()
	return newFixtureOn(t, cfg, onMemory)
}

// Where a fixture's publisher runs.
const (
	// onMemory is workflowtest.Memory: executions are records that
	// Finish ends.
	onMemory = "memory"
	// onLocal is local.Workflow, the local runtime's Step Functions: it
	// resolves aliases at start (moto cannot start through one), refuses
	// to delete an alias target, and runs executions when its engine is
	// driven (these tests never drive it, so an execution stays at its
	// start until stopped).
	onLocal = "local"
)

// apis are the workflow APIs the tests that depend on execution and
// version semantics run on.
var apis = []string{onMemory, onLocal}

func newFixtureOn(t *testing.T, cfg publish.Config, on string) *fixture {
	t.Helper()
	f := &fixture{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), launcher: &launches{}}
	// Every reading advances the clock a little, so audit entries written
	// in one call still sort in the order they were written.
	clock := func() time.Time { f.now = f.now.Add(time.Millisecond); return f.now }
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: clock}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st, f.api = st, workflowtest.New(clock)
	f.wf, f.end = f.api, func(_ context.Context, arn string) error { return f.api.Finish(arn, workflow.StatusSucceeded) }
	if on == onLocal {
		lw := local.NewWorkflow(local.WorkflowConfig{Clock: asl.NewVirtualClock(f.now), Logger: slog.New(slog.DiscardHandler)})
		f.wf, f.end = lw, func(ctx context.Context, arn string) error { return lw.Stop(ctx, arn, "Test.Ended", "") }
	}
	if cfg.RoleArn == "" {
		cfg.RoleArn = role
	}
	if cfg.Functions == nil {
		cfg.Functions = functions()
	}
	f.pub, err = publish.New(st, f.wf, cfg, clock, publish.Options{
		Approvals: publish.StoreApprovals{Store: st}, Launcher: f.launcher, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// bundle reads an example journey's bundle from journeys/.
func bundle(t *testing.T, id string) journey.Bundle {
	t.Helper()
	dir := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(dir)
	checked, more := journey.ReadJourney(filepath.Join(dir, id+".journey.yaml"), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	b, err := journey.NewBundle(checked, lib)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit returns the bundle with its journey's text changed.
func edit(t *testing.T, b journey.Bundle, old, new string) journey.Bundle {
	t.Helper()
	if !strings.Contains(b.Journey.Source, old) {
		t.Fatalf("the journey has no %q", old)
	}
	b.Journey.Source = strings.Replace(b.Journey.Source, old, new, 1)
	return b
}

func (f *fixture) publish(t *testing.T, b journey.Bundle, by string) publish.Result {
	t.Helper()
	res, err := f.pub.Publish(context.Background(), publish.Request{BU: bu, Bundle: b, By: by})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	f.now = f.now.Add(time.Minute)
	return res
}

func (f *fixture) audit(t *testing.T) []string {
	t.Helper()
	page, err := f.st.ListAudit(context.Background(), bu, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(page.Items) - 1; i >= 0; i-- { // oldest first
		e := page.Items[i]
		out = append(out, e.Actor+" "+e.Action+" "+e.Target+" v"+e.Details["version"])
	}
	return out
}
