package memory

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/storetest"
)

func openTarget(t *testing.T, cfg store.Config) storetest.Target {
	s := New(cfg)
	return storetest.Target{Store: s, Raw: raw(s)}
}

func TestConformance(t *testing.T) { storetest.Run(t, openTarget) }

// TestExactlyOnce races goroutines on every conditional write: run it
// with -race.
func TestExactlyOnce(t *testing.T) { storetest.RunExactlyOnce(t, openTarget) }

func TestQueue(t *testing.T) {
	storetest.RunQueue(t, func(t *testing.T, cfg store.Config) store.Queue { return New(cfg) })
}

func TestKV(t *testing.T) { storetest.RunKV(t, New(store.Config{})) }

// TestSnapshots proves that callers cannot change stored records through
// the maps and slices they passed in or got back.
func TestSnapshots(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := New(storetest.Config(clock))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	attrs := map[string]store.Value{"tags": store.ListValue("a", "b"), "plan": store.StringValue("pro")}
	channels := map[string]store.Consent{"email": {Status: store.ConsentGranted, At: clock.Now()}}
	c, err := s.UpsertContact(ctx, "acme", store.ContactPatch{ID: "c-1", Attributes: attrs, Channels: channels})
	must(err)
	want := c
	want.Attributes = map[string]store.Value{"tags": store.ListValue("a", "b"), "plan": store.StringValue("pro")}
	want.Channels = map[string]store.Consent{"email": {Status: store.ConsentGranted, At: clock.Now()}}

	// Change what was passed in, and what came back, in every way.
	attrs["tags"].List[0] = "changed"
	attrs["new"] = store.StringValue("x")
	channels["email"] = store.Consent{Status: store.ConsentDenied}
	c.Attributes["tags"].List[1] = "changed"
	c.Attributes["plan"] = store.StringValue("free")
	c.Channels["sms"] = store.Consent{}
	got, err := s.GetContact(ctx, "acme", "c-1")
	must(err)
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("stored contact changed by its caller (-want +got):\n%s", d)
	}
	got.Attributes["tags"].List[0] = "again"
	again, err := s.GetContact(ctx, "acme", "c-1")
	must(err)
	if d := cmp.Diff(want, again); d != "" {
		t.Fatalf("stored contact changed through a read (-want +got):\n%s", d)
	}

	detail := map[string]string{"link": "l-1"}
	in, err := s.AppendInteraction(ctx, "acme", store.Interaction{Contact: "c-1", Kind: store.InteractionClicked, At: clock.Now(), Detail: detail})
	must(err)
	detail["link"] = "changed"
	in.Detail["link"] = "changed too"
	p, err := s.ListInteractions(ctx, "acme", "c-1", store.InteractionQuery{})
	must(err)
	p.Items[0].Detail["link"] = "changed by a reader"
	p, err = s.ListInteractions(ctx, "acme", "c-1", store.InteractionQuery{})
	must(err)
	if got := p.Items[0].Detail["link"]; got != "l-1" {
		t.Fatalf("interaction detail %q", got)
	}

	src, asl := []byte("name: welcome"), []byte(`{"StartAt":"A"}`)
	must(s.CreateVersion(ctx, "acme", store.JourneyVersion{Journey: "welcome", Version: 1, Source: src, ASL: asl, Content: map[string]int{"t": 1}}))
	src[0], asl[0] = 'X', 'X'
	v, err := s.GetVersion(ctx, "acme", "welcome", 1)
	must(err)
	v.ASL[1], v.Content["t"] = 'X', 9
	v, err = s.GetVersion(ctx, "acme", "welcome", 1)
	must(err)
	if string(v.Source) != "name: welcome" || string(v.ASL) != `{"StartAt":"A"}` || v.Content["t"] != 1 {
		t.Fatalf("version changed by its caller: %q %q %v", v.Source, v.ASL, v.Content)
	}

	events := []string{"email.opened"}
	_, err = s.CreateCallback(ctx, "acme", store.Callback{ID: "cb-1", Kind: store.CallbackEvent, Token: "T", Execution: "x", Contact: "c-1", Journey: "j", Step: "s", Events: events, ExpiresAt: clock.Now().Add(time.Hour)})
	must(err)
	events[0] = "changed"
	waiting, err := s.WaitingCallbacks(ctx, "acme", "c-1", "email.opened")
	must(err)
	if len(waiting) != 1 {
		t.Fatalf("callback events changed by its caller: %+v", waiting)
	}

	body := []byte("job")
	_, _, err = s.Enqueue(ctx, "q", body, store.EnqueueOptions{})
	must(err)
	body[0] = 'X'
	ms, err := s.Receive(ctx, "q", 1, time.Minute, 0)
	must(err)
	ms[0].Body[1] = 'X'
	must(s.RetryMessage(ctx, "q", ms[0].Receipt, 0))
	ms, err = s.Receive(ctx, "q", 1, time.Minute, 0)
	must(err)
	if string(ms[0].Body) != "job" {
		t.Fatalf("message body %q", ms[0].Body)
	}

	val := []byte("snapshot")
	must(s.PutKV(ctx, "k", val))
	val[0] = 'X'
	got1, err := s.GetKV(ctx, "k")
	must(err)
	got1[1] = 'X'
	if got2, _ := s.GetKV(ctx, "k"); string(got2) != "snapshot" {
		t.Fatalf("kv value %q", got2)
	}

	r, err := s.BeginIdempotency(ctx, "acme", "key", time.Minute)
	must(err)
	result := []byte("done")
	must(s.CompleteIdempotency(ctx, "acme", "key", r.Token, result, time.Hour))
	result[0] = 'X'
	r, err = s.BeginIdempotency(ctx, "acme", "key", time.Minute)
	must(err)
	r.Result[1] = 'X'
	if r, _ = s.BeginIdempotency(ctx, "acme", "key", time.Minute); string(r.Result) != "done" {
		t.Fatalf("idempotency result %q", r.Result)
	}
}

// TestSweep proves the sweep removes every kind of expiring record once
// expired, and nothing before.
func TestSweep(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := New(storetest.Config(clock))
	storetest.RunSweep(t, s, clock, raw(s))
}

// TestLargeBatches runs batches large enough to be spread over the cores
// (on a machine with more than one): the results are those of the items
// one after the other. Run it with -race.
func TestLargeBatches(t *testing.T) {
	ctx := context.Background()
	s := New(storetest.Config(storetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))))
	const addresses, rounds = 1001, 3 // odd: item i and i+addresses fall on different halves
	var ps []store.ContactPatch
	for r := range rounds {
		for a := range addresses {
			ps = append(ps, store.ContactPatch{Email: store.String(fmt.Sprintf("p%d@example.com", a)), Attributes: map[string]store.Value{fmt.Sprint("r", r): store.NumberValue(float64(r))}})
		}
	}
	rs, err := s.UpsertContactsByEmail(ctx, "acme", ps)
	if err != nil {
		t.Fatal(err)
	}
	var es []store.Enrolment
	for i, r := range rs {
		want := store.BatchCreated
		if i >= addresses {
			want = store.BatchUpdated
		}
		if r.Outcome != want || r.ID != rs[i%addresses].ID {
			t.Fatalf("item %d: %s %s, want %s %s", i, r.Outcome, r.ID, want, rs[i%addresses].ID)
		}
		if i < 2*addresses {
			es = append(es, store.Enrolment{Journey: "welcome", Contact: rs[i%addresses].ID, Entry: "launch-1", Version: 1})
		}
	}
	for a := range addresses {
		c, err := s.GetContact(ctx, "acme", rs[a].ID)
		if err != nil || c.Revision != rounds || len(c.Attributes) != rounds {
			t.Fatalf("contact %d: revision %d, %d attributes (%v)", a, c.Revision, len(c.Attributes), err)
		}
	}
	got, err := s.CreateEnrolments(ctx, "acme", es)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		if want := map[bool]store.BatchOutcome{true: store.BatchCreated, false: store.BatchExists}[i < addresses]; r.Outcome != want {
			t.Fatalf("enrolment %d: %s, want %s", i, r.Outcome, want)
		}
	}
}

// TestViewContact: a view is what GetContact returns, and stays as it was
// read when the contact is written afterwards (records are replaced, never
// changed in place).
func TestViewContact(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := New(storetest.Config(clock))
	attrs := map[string]store.Value{"tags": store.ListValue("a", "b"), "plan": store.StringValue("pro")}
	if _, err := s.UpsertContact(ctx, "acme", store.ContactPatch{ID: "c-1", Attributes: attrs}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetContact(ctx, "acme", "c-1")
	if err != nil {
		t.Fatal(err)
	}
	view, err := s.ViewContact(ctx, "acme", "c-1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(got, view); d != "" {
		t.Errorf("view (-get +view):\n%s", d)
	}
	if _, err := s.UpsertContact(ctx, "acme", store.ContactPatch{ID: "c-1", Attributes: map[string]store.Value{
		"tags": store.ListValue("c"), "plan": store.StringValue("free")}}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(got, view); d != "" {
		t.Errorf("the view changed with a later write (-before +after):\n%s", d)
	}
	if _, err := s.ViewContact(ctx, "acme", "c-2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("view of a missing contact: %v, want ErrNotFound", err)
	}
}
