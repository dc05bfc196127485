package storetest

import (
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/journeys-oss/journeys/internal/store"
)

// bigBatch is the size of the batches that prove batches of more than one
// request or transaction (adapters chunk them; the embedded tests also run
// the suite with tiny chunks).
const bigBatch = 120

// outcomes lists the outcome of each result, and whether its error is set
// exactly when the item was not written.
func outcomes(t *testing.T, rs []store.BatchResult) []store.BatchOutcome {
	var out []store.BatchOutcome
	for i, r := range rs {
		if (r.Err == nil) != (r.Outcome == store.BatchCreated || r.Outcome == store.BatchUpdated) {
			t.Fatalf("item %d: outcome %s with error %v", i, r.Outcome, r.Err)
		}
		out = append(out, r.Outcome)
	}
	return out
}

func testBatchUpsertByEmail(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	known := ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-known", Email: store.String("known@example.com"), FirstName: store.String("Kim")}))(t)
	noErr(t, s.Suppress(ctx, bu, store.AddressEmail, "blocked@example.com", store.SuppressedBounce))
	noErr(t, s.Suppress(ctx, bu, store.AddressPhone, "+1 555 0199", store.SuppressedComplaint))
	e.clock.Advance(time.Minute)

	rs, err := s.UpsertContactsByEmail(ctx, bu, []store.ContactPatch{
		{Email: store.String("New@Example.com"), FirstName: store.String("Nia"), Attributes: map[string]store.Value{"score": store.NumberValue(1)}},
		{Email: store.String("KNOWN@example.com"), Company: store.String("Initech"), ID: "ignored"},
		{Email: store.String("blocked@example.com"), FirstName: store.String("Blocked")},
		{Email: store.String("not-an-address")},
		{FirstName: store.String("No address")},
		{Email: store.String("new@EXAMPLE.com"), LastName: store.String("Ng"), Attributes: map[string]store.Value{"plan": store.StringValue("pro")}},
		{Email: store.String("phone@example.com"), Phone: store.String("+1 (555) 0199")},
		{Email: store.String("new@example.com"), FirstName: store.String("Nina")},
	})
	noErr(t, err)
	same(t, "outcomes", outcomes(t, rs), []store.BatchOutcome{
		store.BatchCreated, store.BatchUpdated, store.BatchSuppressed, store.BatchInvalid,
		store.BatchInvalid, store.BatchUpdated, store.BatchSuppressed, store.BatchUpdated,
	})
	for i, want := range map[int]error{2: store.ErrSuppressed, 3: store.ErrInvalid, 4: store.ErrInvalid, 6: store.ErrSuppressed} {
		isErr(t, fmt.Sprintf("item %d", i), rs[i].Err, want)
	}
	newID := rs[0].ID
	if newID == "" || rs[5].ID != newID || rs[7].ID != newID || rs[1].ID != known.ID {
		t.Fatalf("result ids %+v", rs)
	}
	// Patches of one address merge in order, as single upserts would.
	now := start.Add(time.Minute)
	same(t, "merged new contact", ok(s.GetContact(ctx, bu, newID))(t), store.Contact{
		BU: bu, ID: newID, Email: "new@example.com", FirstName: "Nina", LastName: "Ng",
		Attributes: map[string]store.Value{"score": store.NumberValue(1), "plan": store.StringValue("pro")},
		CreatedAt:  now, UpdatedAt: now, Revision: 3,
	})
	want := known
	want.Company, want.UpdatedAt, want.Revision = "Initech", now, 2
	same(t, "merged known contact", ok(s.GetContact(ctx, bu, "c-known"))(t), want)
	for _, addr := range []string{"blocked@example.com", "phone@example.com"} {
		_, err := s.FindContactByEmail(ctx, bu, addr)
		isErr(t, "refused "+addr, err, store.ErrNotFound)
	}
	// A refused item leaves nothing behind, not even its address's claim.
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-later", Email: store.String("phone@example.com")}))(t)
	all := collect(t, func(cur string) (store.Page[store.Contact], error) {
		return s.ListContacts(ctx, bu, store.ContactScan{Segments: 1, Cursor: cur})
	})
	if len(all) != 3 {
		t.Fatalf("%d contacts after the batch, want 3", len(all))
	}

	empty, err := s.UpsertContactsByEmail(ctx, bu, nil)
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty batch: %v, %v", empty, err)
	}
	_, err = s.UpsertContactsByEmail(ctx, "", []store.ContactPatch{{Email: store.String("x@example.com")}})
	isErr(t, "empty bu", err, store.ErrInvalid)
}

func testBatchUpsertLarge(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	var ps []store.ContactPatch
	for i := range bigBatch {
		ps = append(ps, store.ContactPatch{Email: store.String(fmt.Sprintf("person%03d@example.com", i%(bigBatch/2))), Attributes: map[string]store.Value{fmt.Sprint("a", i/(bigBatch/2)): store.NumberValue(float64(i))}})
	}
	rs := ok(s.UpsertContactsByEmail(ctx, bu, ps))(t)
	if len(rs) != bigBatch {
		t.Fatalf("%d results for %d items", len(rs), bigBatch)
	}
	for i, r := range rs {
		wantOutcome := store.BatchCreated
		if i >= bigBatch/2 {
			wantOutcome = store.BatchUpdated
			if r.ID != rs[i-bigBatch/2].ID {
				t.Fatalf("item %d merged into %s, not %s", i, r.ID, rs[i-bigBatch/2].ID)
			}
		}
		if r.Outcome != wantOutcome || r.Err != nil {
			t.Fatalf("item %d: %s %v", i, r.Outcome, r.Err)
		}
	}
	c := ok(s.FindContactByEmail(ctx, bu, "person007@example.com"))(t)
	same(t, "merged attributes", c.Attributes, map[string]store.Value{"a0": store.NumberValue(7), "a1": store.NumberValue(float64(7 + bigBatch/2))})
	if c.Revision != 2 {
		t.Fatalf("revision %d", c.Revision)
	}
	// Repeating the batch is safe: everything merges again.
	for i, r := range ok(s.UpsertContactsByEmail(ctx, bu, ps))(t) {
		if r.Outcome != store.BatchUpdated || r.ID != rs[i].ID {
			t.Fatalf("repeated item %d: %+v", i, r)
		}
	}
}

func testBatchEnrolments(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	first := ok(s.CreateEnrolment(ctx, bu, store.Enrolment{Journey: "welcome", Contact: "c-0", Entry: "e-1", Version: 1}))(t)
	e.clock.Advance(time.Minute)
	now := start.Add(time.Minute)
	batch := []store.Enrolment{
		{Journey: "welcome", Contact: "c-0", Entry: "e-1", Version: 2},
		{Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 2, Execution: "exec-1", Step: "send-1"},
		{Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 3},
		{Journey: "welcome", Contact: "c-2", Entry: "e-1", Status: "dancing"},
		{Journey: "welcome", Contact: "", Entry: "e-1"},
		{Journey: "welcome", Contact: "c-2", Entry: "e-1", Version: 2, Status: store.EnrolmentCompleted},
	}
	for i := range bigBatch {
		batch = append(batch, store.Enrolment{Journey: "welcome", Contact: fmt.Sprintf("c-big-%03d", i), Entry: "launch-1", Version: 2})
	}
	rs := ok(s.CreateEnrolments(ctx, bu, batch))(t)
	wantOutcomes := []store.BatchOutcome{store.BatchExists, store.BatchCreated, store.BatchExists, store.BatchInvalid, store.BatchInvalid, store.BatchCreated}
	for range bigBatch {
		wantOutcomes = append(wantOutcomes, store.BatchCreated)
	}
	same(t, "outcomes", outcomes(t, rs), wantOutcomes)
	isErr(t, "item 0", rs[0].Err, store.ErrExists)
	isErr(t, "item 2", rs[2].Err, store.ErrExists)
	isErr(t, "item 3", rs[3].Err, store.ErrInvalid)

	same(t, "existing kept", ok(s.GetEnrolment(ctx, bu, "welcome", "c-0", "e-1"))(t), first)
	same(t, "created", ok(s.GetEnrolment(ctx, bu, "welcome", "c-1", "e-1"))(t), store.Enrolment{
		BU: bu, Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 2, Execution: "exec-1",
		Status: store.EnrolmentActive, Step: "send-1", StepSince: now, EnteredAt: now,
	})
	count := func(status store.EnrolmentStatus) int {
		return len(collect(t, func(cur string) (store.Page[store.Enrolment], error) {
			return s.ListEnrolments(ctx, bu, "welcome", status, cur, 100)
		}))
	}
	if a, c := count(store.EnrolmentActive), count(store.EnrolmentCompleted); a != bigBatch+2 || c != 1 {
		t.Fatalf("%d active, %d completed", a, c)
	}
	// Repeating the batch creates nothing more.
	for i, r := range ok(s.CreateEnrolments(ctx, bu, batch))(t) {
		if r.Outcome != store.BatchExists && r.Outcome != store.BatchInvalid {
			t.Fatalf("repeated item %d: %s", i, r.Outcome)
		}
	}
	_, err := s.CreateEnrolments(ctx, store.SharedBU, batch[:1])
	isErr(t, "reserved bu", err, store.ErrInvalid)
}

func testBatchInteractions(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	contacts := []string{"c-1", "c-2", "c-3"}
	var batch []store.Interaction
	for i := range bigBatch {
		// Out of time order on purpose; distinct times so the order is known.
		at := start.Add(time.Duration((i*7)%bigBatch) * time.Second)
		in := interactionAt(contacts[i%3], store.InteractionSent, "email", at)
		if i%5 == 0 {
			in.Kind, in.Detail = store.InteractionClicked, map[string]string{"link": fmt.Sprint("l-", i)}
		}
		batch = append(batch, in)
	}
	bad := append(append([]store.Interaction(nil), batch[:10]...), store.Interaction{Contact: "c-1", Kind: "teleported", At: start})
	isErr(t, "batch with a malformed item", s.AppendInteractions(ctx, bu, bad), store.ErrInvalid)
	if p := ok(s.ListInteractions(ctx, bu, "c-1", store.InteractionQuery{}))(t); len(p.Items) != 0 {
		t.Fatalf("a refused batch wrote %d interactions", len(p.Items))
	}
	noErr(t, s.AppendInteractions(ctx, bu, batch))
	noErr(t, s.AppendInteractions(ctx, bu, nil))

	ids := map[string]bool{}
	for n, c := range contacts {
		var want []store.Interaction
		for i, in := range batch {
			if i%3 == n {
				in.BU, in.ExpiresAt = bu, in.At.Add(InteractionRetention)
				want = append(want, in)
			}
		}
		sort.Slice(want, func(i, j int) bool { return want[i].At.Before(want[j].At) })
		got := collect(t, func(cur string) (store.Page[store.Interaction], error) {
			return s.ListInteractions(ctx, bu, c, store.InteractionQuery{Cursor: cur, Limit: 40})
		})
		same(t, "interactions of "+c, got, want, cmpopts.IgnoreFields(store.Interaction{}, "ID"))
		for _, i := range got {
			if i.ID == "" || ids[i.ID] {
				t.Fatalf("interaction id %q missing or repeated", i.ID)
			}
			ids[i.ID] = true
		}
	}
	clicks := ok(s.CountInteractions(ctx, bu, "c-1", store.InteractionClicked, "email", time.Time{}))(t)
	if want := countClicks(bigBatch, 0); clicks != want {
		t.Fatalf("%d clicks of c-1 counted, want %d", clicks, want)
	}

	// Interactions that carry their ids are written once, however often
	// the batch is repeated.
	withIDs := []store.Interaction{
		{ID: "i-a", Contact: "c-9", Kind: store.InteractionOpened, At: start},
		{ID: "i-b", Contact: "c-9", Kind: store.InteractionClicked, At: start.Add(time.Second)},
		{ID: "i-a", Contact: "c-9", Kind: store.InteractionOpened, At: start},
	}
	noErr(t, s.AppendInteractions(ctx, bu, withIDs))
	noErr(t, s.AppendInteractions(ctx, bu, withIDs))
	var got []string
	for _, i := range ok(s.ListInteractions(ctx, bu, "c-9", store.InteractionQuery{}))(t).Items {
		got = append(got, i.ID)
	}
	same(t, "interactions with ids", got, []string{"i-a", "i-b"})
	isErr(t, "empty bu", s.AppendInteractions(ctx, "", withIDs), store.ErrInvalid)
}

// countClicks counts the clicks testBatchInteractions gives contact n.
func countClicks(size, n int) int {
	c := 0
	for i := range size {
		if i%3 == n && i%5 == 0 {
			c++
		}
	}
	return c
}

func testPendingApprovals(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	mk := func(id, contact string, expires time.Duration) store.Approval {
		return ok(s.CreateApproval(ctx, bu, store.Approval{ID: id, Kind: store.ApprovalStep, Journey: "welcome", Version: 1, Execution: "exec-" + id, Step: "approve", Contact: contact, ExpiresAt: start.Add(expires)}))(t)
	}
	a1 := mk("ap-1", "c-1", 3*time.Hour)
	a2 := mk("ap-2", "", time.Hour)
	a3 := mk("ap-3", "c-2", 2*time.Hour)
	mk("ap-4", "c-1", time.Hour)
	a5 := mk("ap-5", "", 30*time.Minute)
	a6 := mk("ap-6", "c-3", time.Hour) // same expiry as ap-2: by id
	ok(s.CreateApproval(ctx, otherBU, store.Approval{ID: "ap-9", Kind: store.ApprovalPublish, ExpiresAt: start.Add(time.Hour)}))(t)
	ok(s.DecideApproval(ctx, bu, "ap-4", store.Decision{Approved: true}))(t)

	list := func(bu string, limit int) []store.Approval {
		return collect(t, func(cur string) (store.Page[store.Approval], error) {
			p, err := s.ListPendingApprovals(ctx, bu, cur, limit)
			if err == nil && len(p.Items) > limit {
				t.Fatalf("page of %d over limit %d", len(p.Items), limit)
			}
			return p, err
		})
	}
	same(t, "pending, soonest expiry first", list(bu, 2), []store.Approval{a5, a2, a6, a3, a1})
	same(t, "the other business unit's", len(list(otherBU, 10)), 1)

	e.clock.Advance(30 * time.Minute) // ap-5 expires
	same(t, "expired ones leave", list(bu, 10), []store.Approval{a2, a6, a3, a1})
	p := ok(s.ListPendingApprovals(ctx, bu, "", 1))(t)
	same(t, "first page", p.Items, []store.Approval{a2})
	e.clock.Advance(90 * time.Minute) // ap-2, ap-6 and ap-3 expire while paging
	rest := collect(t, func(cur string) (store.Page[store.Approval], error) {
		if cur == "" {
			cur = p.Next
		}
		return s.ListPendingApprovals(ctx, bu, cur, 1)
	})
	same(t, "pages after time passed", rest, []store.Approval{a1})
	_, err := s.ListPendingApprovals(ctx, otherBU, p.Next, 1)
	isErr(t, "cursor of another business unit", err, store.ErrInvalid)
	_, err = s.ListPendingApprovals(ctx, bu, "bm90LWEtY3Vyc29y", 1)
	isErr(t, "forged cursor", err, store.ErrInvalid)
	ok(s.Erase(ctx, bu, "c-1"))(t)
	same(t, "erased contact's approval", list(bu, 10), []store.Approval(nil))
}

// raceBatchEnrol races batches that share their enrolments: each is
// created exactly once.
func raceBatchEnrol(e *env) {
	const n = 20
	var batch []store.Enrolment
	for i := range n {
		batch = append(batch, store.Enrolment{Journey: "welcome", Contact: fmt.Sprint("c-", i), Entry: "launch-1", Version: 1})
	}
	created := make([][]bool, racers)
	errs := race(func(r int) error {
		rs, err := e.s.CreateEnrolments(e.ctx, bu, batch)
		for _, res := range rs {
			if res.Outcome != store.BatchCreated && res.Outcome != store.BatchExists {
				return fmt.Errorf("outcome %s: %w", res.Outcome, res.Err)
			}
			created[r] = append(created[r], res.Outcome == store.BatchCreated)
		}
		return err
	})
	for _, err := range errs {
		noErr(e.t, err)
	}
	for i := range n {
		wins := 0
		for r := range racers {
			if created[r][i] {
				wins++
			}
		}
		if wins != 1 {
			e.t.Fatalf("enrolment %d created %d times", i, wins)
		}
	}
}

// raceBatchUpsert races batches over the same addresses: each address is
// one contact, and no merge is lost.
func raceBatchUpsert(e *env) {
	const n = 5
	errs := race(func(r int) error {
		var ps []store.ContactPatch
		for i := range n {
			ps = append(ps, store.ContactPatch{Email: store.String(fmt.Sprintf("race%d@example.com", i)), Attributes: map[string]store.Value{fmt.Sprint("a", r): store.NumberValue(float64(r))}})
		}
		rs, err := e.s.UpsertContactsByEmail(e.ctx, bu, ps)
		for _, res := range rs {
			if res.Err != nil {
				return res.Err
			}
		}
		return err
	})
	if err := errors.Join(errs...); err != nil {
		e.t.Fatal(err)
	}
	for i := range n {
		c := ok(e.s.FindContactByEmail(e.ctx, bu, fmt.Sprintf("race%d@example.com", i)))(e.t)
		if len(c.Attributes) != racers || c.Revision != racers {
			e.t.Fatalf("address %d: %d attributes in %d revisions, want %d", i, len(c.Attributes), c.Revision, racers)
		}
	}
	if got := collect(e.t, func(cur string) (store.Page[store.Contact], error) {
		return e.s.ListContacts(e.ctx, bu, store.ContactScan{Segments: 1, Cursor: cur})
	}); len(got) != n {
		e.t.Fatalf("%d contacts for %d addresses", len(got), n)
	}
}
