package launch_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

const noConsent = "no consent for any channel the journey sends on"

// checkOnce asserts that every consenting member has exactly one
// enrolment and one execution, and nobody else has any.
func (f *embeddedFixture) checkOnce(t *testing.T, n int) {
	t.Helper()
	_, consenting := expected(n)
	execs := f.api.Executions()
	if len(execs) != consenting {
		t.Fatalf("%d executions, want %d", len(execs), consenting)
	}
	names := map[string]bool{}
	for _, e := range execs {
		if names[e.Name] {
			t.Fatalf("execution name %s twice", e.Name)
		}
		names[e.Name] = true
	}
	ctx := context.Background()
	for _, i := range []int{0, 1, 2, 3, 13, n - 1} {
		es, err := f.st.ContactEnrolments(ctx, bu, contactID(i))
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if member(i) && consent(i) {
			want = 1
		}
		if len(es) != want {
			t.Errorf("contact %d has %d enrolments, want %d", i, len(es), want)
		}
	}
}

// TestLaunch20000 launches the newsletter to 20,000 contacts (15,000
// members, 13,500 of them consenting) on the embedded store, in 8 scan
// segments with a page budget that forces continuations, then launches
// again under a new id and re-runs the first: everyone is enrolled exactly
// once.
func TestLaunch20000(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 contacts")
	}
	const n = 20_000
	f := newEmbedded(t, n, launch.Config{Rate: 1e6, Segments: 8, HistoryEvents: 300}, "never")
	members, consenting := expected(n)

	first := f.run(t, "2026-03-01")
	want := launch.Totals{Listed: n, Members: int64(members), Enrolled: int64(consenting),
		Skipped: map[string]int64{noConsent: int64(members - consenting)}}
	if diff := cmp.Diff(want, first.Totals); diff != "" {
		t.Errorf("first launch (-want +got):\n%s", diff)
	}
	if first.Generation < 2 {
		t.Errorf("the launch finished in generation %d; the page budget should have forced continuations", first.Generation)
	}
	if first.Budget == nil || first.Budget.Open != int64(consenting) || first.Budget.Left != 1_000_000-int64(consenting) {
		t.Errorf("budget %+v", first.Budget)
	}
	f.checkOnce(t, n)

	second := f.run(t, "2026-04-01")
	want = launch.Totals{Listed: n, Members: int64(members),
		Skipped: map[string]int64{noConsent: int64(members - consenting), "already in the journey": int64(consenting)}}
	if diff := cmp.Diff(want, second.Totals); diff != "" {
		t.Errorf("second launch (-want +got):\n%s", diff)
	}
	again := f.run(t, "2026-03-01")
	want = launch.Totals{Listed: n, Members: int64(members), Already: int64(consenting),
		Skipped: map[string]int64{noConsent: int64(members - consenting)}}
	if diff := cmp.Diff(want, again.Totals); diff != "" {
		t.Errorf("re-run of the first launch (-want +got):\n%s", diff)
	}
	f.checkOnce(t, n)

	page, err := f.st.ListAudit(context.Background(), bu, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var launches int
	for _, e := range page.Items {
		if e.Action == launch.ActionLaunch {
			launches++
		}
	}
	if launches != 3 {
		t.Errorf("%d launch audit entries, want 3", launches)
	}
}

// TestLaunchAbsorbsThrottling: every third start is throttled and every
// seventh meets the open-execution quota; the launch backs off (on the
// virtual clock) and still enrols everyone once.
func TestLaunchAbsorbsThrottling(t *testing.T) {
	const n = 400
	f := newEmbedded(t, n, launch.Config{Rate: 50, Segments: 4}, "never")
	f.api.StartFault = func(k int) error {
		switch {
		case k%7 == 0:
			return errors.Join(workflow.ErrThrottled, workflow.ErrExecutionLimit)
		case k%3 == 0:
			return workflow.ErrThrottled
		}
		return nil
	}
	s := f.run(t, "l1")
	_, consenting := expected(n)
	if s.Totals.Enrolled != int64(consenting) || s.Totals.Failed != 0 || s.Totals.Already != 0 {
		t.Errorf("totals %+v", s.Totals)
	}
	if s.Totals.Throttled == 0 || s.Totals.LimitHits == 0 || s.Totals.LimitHits > s.Totals.Throttled {
		t.Errorf("throttled %d, limit hits %d", s.Totals.Throttled, s.Totals.LimitHits)
	}
	f.checkOnce(t, n)
	// 300 starts at 50/s spread over 4 shards cannot go faster than the
	// bucket allows: at least (300 - burst) / rate seconds were waited.
	if f.clock.slept < 4*time.Second {
		t.Errorf("slept %s in total; the bucket and the backoff should have waited", f.clock.slept)
	}
}

// TestLaunchPageBudget: a page whose time runs out remembers how far it
// got (Skip) and the next task goes on from there.
func TestLaunchPageBudget(t *testing.T) {
	const n = 300
	// 2 starts per second and a 10 s page budget: each page task enrols
	// about 20 contacts of a 20-contact page, often stopping short.
	f := newEmbedded(t, n, launch.Config{Rate: 2, Segments: 1, PageBudget: 10 * time.Second, Workers: 1}, "never")
	ctx := context.Background()
	plan, err := f.l.Plan(ctx, launch.State{V: 1, BU: bu, Journey: "newsletter", Launch: "l1"})
	if err != nil {
		t.Fatal(err)
	}
	it := launch.PageState{V: 1, BU: bu, Journey: "newsletter", Launch: "l1", Version: plan.Version, Rate: plan.ShardRate,
		Segments: 1, PageSize: plan.PageSize, MaxPages: plan.MaxPages, Shard: plan.Shards[0]}
	short, err := f.l.Page(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	if short.Shard.Cursor != "" || short.Shard.Skip == 0 || short.Shard.Skip >= plan.PageSize || short.Shard.Done {
		t.Fatalf("a page out of time: %+v (page size %d)", short.Shard, plan.PageSize)
	}
	rest, err := f.l.Page(ctx, short)
	if err != nil || rest.Shard.Skip <= short.Shard.Skip && rest.Shard.Cursor == "" {
		t.Fatalf("the next page task did not go on: %+v, %v", rest.Shard, err)
	}
	// The whole launch under the same id finds what the two tasks above
	// enrolled already there.
	s := f.run(t, "l1")
	_, consenting := expected(n)
	if s.Totals.Enrolled+s.Totals.Already != int64(consenting) || s.Totals.Already != rest.Shard.Totals.Enrolled || s.Totals.Listed != n {
		t.Errorf("totals %+v; the first two tasks enrolled %d", s.Totals, rest.Shard.Totals.Enrolled)
	}
	f.checkOnce(t, n)
}

// TestLaunchNotActive: a paused journey launches nothing.
func TestLaunchNotActive(t *testing.T) {
	f := newEmbedded(t, 10, launch.Config{}, "never")
	ctx := context.Background()
	j, _ := f.st.GetJourney(ctx, bu, "newsletter")
	j.Status = store.JourneyPaused
	if _, err := f.st.PutJourney(ctx, bu, j); err != nil {
		t.Fatal(err)
	}
	s := f.run(t, "l1")
	if s.Note != "journey newsletter is paused: nothing launched" || s.Totals.Listed != 0 || len(f.api.Executions()) != 0 {
		t.Fatalf("paused launch: %+v", s)
	}
}

// failingScan is the embedded store failing every listing of one scan
// segment.
type failingScan struct {
	*embedded.Store
	segment int
}

func (f failingScan) ListContacts(ctx context.Context, bu string, sc store.ContactScan) (store.Page[store.Contact], error) {
	if sc.Segment == f.segment {
		return store.Page[store.Contact]{}, errors.New("injected: the database is unavailable")
	}
	return f.Store.ListContacts(ctx, bu, sc)
}

// TestLaunchGivesUpAShard: a segment whose pages always fail is retried
// in the next generations, then given up; the rest is launched, and the
// note says what is missing.
func TestLaunchGivesUpAShard(t *testing.T) {
	const n = 200
	f := newEmbedded(t, n, launch.Config{Rate: 1e6, Segments: 4, MaxShardFailures: 2}, "never")
	cat := catalog.New(f.st, nil)
	l := launch.New(failingScan{Store: f.st, segment: 2}, cat, enrol.New(f.st, cat, f.api, f.clock.now), launch.Config{Rate: 1e6, Segments: 4, MaxShardFailures: 2},
		launch.Options{Now: f.clock.now, Sleep: f.clock.sleep, Logger: quiet()})
	s, err := launch.Run(context.Background(), l, launch.State{V: 1, BU: bu, Journey: "newsletter", Launch: "l1"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Done || s.Generation != 1 || len(s.Shards) != 1 || s.Shards[0].Segment != 2 || !strings.Contains(s.Note, "injected") {
		t.Fatalf("report %+v", s)
	}
	var inShard2 int64
	for i := range n {
		if store.Shard(contactID(i))%4 == 2 {
			inShard2++
		}
	}
	if s.Totals.Listed != n-inShard2 {
		t.Errorf("listed %d, want %d", s.Totals.Listed, n-inShard2)
	}
}

func TestPlanRefuses(t *testing.T) {
	f := newEmbedded(t, 0, launch.Config{}, "never")
	for name, s := range map[string]launch.State{
		"no launch id":    {V: 1, BU: bu, Journey: "newsletter"},
		"bad launch id":   {V: 1, BU: bu, Journey: "newsletter", Launch: "a#b"},
		"future payload":  {V: 2, BU: bu, Journey: "newsletter", Launch: "l"},
		"never published": {V: 1, BU: bu, Journey: "ghost", Launch: "l"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.l.Plan(context.Background(), s)
			if err == nil {
				t.Fatal("planned")
			}
			var named *wire.Error
			if name != "never published" && (!errors.As(err, &named) || named.Name != wire.ErrInvalidPayload) {
				t.Fatalf("err = %v, want %s", err, wire.ErrInvalidPayload)
			}
		})
	}
}

// TestHandleRoundTrip: the function's event decodes into a Request and
// its answers encode back, as the machine passes them through.
func TestHandleRoundTrip(t *testing.T) {
	f := newEmbedded(t, 50, launch.Config{Segments: 2}, "never")
	ctx := context.Background()
	var req launch.Request
	if err := json.Unmarshal([]byte(`{"op":"plan","launch":{"v":1,"bu":"northwind","journey":"newsletter","launch":"l1"}}`), &req); err != nil {
		t.Fatal(err)
	}
	out, err := f.l.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	plan := out.(launch.State)
	if plan.Version != 1 || len(plan.Shards) != 2 || plan.MaxPages < 1 || plan.PageSize < 20 {
		t.Fatalf("plan %+v", plan)
	}
	if _, err := f.l.Handle(ctx, launch.Request{Op: "page"}); err == nil {
		t.Fatal("a page without its state was served")
	}
}

func TestMaxPages(t *testing.T) {
	for _, tt := range []struct{ events, segments, want int }{
		{20_000, 1, 2217},
		{20_000, 16, 137},
		{20_000, 32, 68},
		{100, 32, 1},
	} {
		if got := launch.MaxPages(tt.events, tt.segments); got != tt.want {
			t.Errorf("MaxPages(%d, %d) = %d, want %d", tt.events, tt.segments, got, tt.want)
		}
	}
}

func TestExecutionName(t *testing.T) {
	a := launch.ExecutionName(bu, strings.Repeat("j", 60), "2026-03-01T09:00Z", 12)
	if len(a) > 80 || strings.ContainsAny(a, " :#") {
		t.Errorf("name %q", a)
	}
	if a == launch.ExecutionName(bu, strings.Repeat("j", 60), "2026-03-01T09:00Z", 13) ||
		a == launch.ExecutionName("contoso", strings.Repeat("j", 60), "2026-03-01T09:00Z", 12) {
		t.Error("names collide")
	}
}
