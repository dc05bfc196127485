package storetest

import (
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// testIsolation fills one business unit with every kind of record and
// proves that another business unit can neither read nor change any of it.
func testIsolation(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	seedContact(e, "c-1", "shared.person@example.com", "+1 555 0101", "Ada")
	ok(s.PutJourney(ctx, bu, store.Journey{ID: "welcome", Name: "Welcome", Status: store.JourneyActive}))(t)
	noErr(t, s.CreateVersion(ctx, bu, store.JourneyVersion{Journey: "welcome", Version: 1, PublishedAt: start}))
	noErr(t, s.IncrementFunnel(ctx, bu, "welcome", 1, "s", "sent", 1))
	ok(s.PutContent(ctx, bu, store.Content{Kind: store.ContentTemplate, ID: "welcome", Locale: "en", Body: "acme only"}))(t)
	noErr(t, s.PutSegment(ctx, bu, store.Segment{Name: "all", Definition: "true"}))
	noErr(t, s.PutOwner(ctx, bu, store.Owner{ID: "rep-1", Name: "Rep"}))
	noErr(t, s.Suppress(ctx, bu, store.AddressEmail, "bounced@example.com", store.SuppressedBounce))
	held := ok(s.BeginIdempotency(ctx, bu, "k-1", time.Hour))(t)
	ok(s.AppendAudit(ctx, bu, store.AuditEntry{Actor: "u", Action: "a", Target: "t"}))(t)
	noErr(t, s.PutAPIKey(ctx, store.APIKey{Hash: "h-acme", BU: bu, Name: "k"}))
	before := ok(s.GetContact(ctx, bu, "c-1"))(t)

	o := otherBU
	for name, err := range map[string]error{
		"contact":          second(s.GetContact(ctx, o, "c-1")),
		"contact by email": second(s.FindContactByEmail(ctx, o, "shared.person@example.com")),
		"owner":            second(s.GetOwner(ctx, o, "rep-1")),
		"suppression":      second(s.GetSuppression(ctx, o, store.AddressEmail, "bounced@example.com")),
		"enrolment":        second(s.GetEnrolment(ctx, o, "welcome", "c-1", "e-1")),
		"latest enrolment": second(s.LatestEnrolment(ctx, o, "welcome", "c-1")),
		"update enrolment": second(s.UpdateEnrolment(ctx, o, "welcome", "c-1", "e-1", store.EnrolmentUpdate{Step: store.String("x")})),
		"journey":          second(s.GetJourney(ctx, o, "welcome")),
		"update journey":   second(s.PutJourney(ctx, o, store.Journey{ID: "welcome", Revision: 1})),
		"version":          second(s.GetVersion(ctx, o, "welcome", 1)),
		"content":          second(s.GetContent(ctx, o, store.ContentTemplate, "welcome", "en", 0)),
		"segment":          second(s.GetSegment(ctx, o, "all")),
		"delete segment":   s.DeleteSegment(ctx, o, "all"),
		"approval":         second(s.GetApproval(ctx, o, "ap-c-1")),
		"decide approval":  second(s.DecideApproval(ctx, o, "ap-c-1", store.Decision{Approved: true})),
		"claim callback":   second(s.ClaimCallback(ctx, o, "cb-c-1")),
		"delete callback":  s.DeleteCallback(ctx, o, "cb-c-1"),
		"sales task":       second(s.GetSalesTask(ctx, o, "t-c-1")),
		"task status":      second(s.SetSalesTaskStatus(ctx, o, "t-c-1", store.SalesTaskDone)),
		"erase":            second(s.Erase(ctx, o, "c-1")),
		"delete api key":   s.DeleteAPIKey(ctx, o, "h-acme"),
	} {
		isErr(t, "globex reads or changes acme's "+name, err, store.ErrNotFound)
	}
	isErr(t, "globex completes acme's idempotency lease", s.CompleteIdempotency(ctx, o, "k-1", held.Token, nil, time.Hour), store.ErrConflict)
	for name, n := range map[string]int{
		"contacts":       len(ok(s.ListContacts(ctx, o, store.ContactScan{Segments: 1}))(t).Items),
		"owners":         len(ok(s.ListOwners(ctx, o))(t)),
		"interactions":   len(ok(s.ListInteractions(ctx, o, "c-1", store.InteractionQuery{}))(t).Items),
		"counted":        ok(s.CountInteractions(ctx, o, "c-1", store.InteractionSent, "", time.Time{}))(t),
		"step logs":      len(ok(s.ListStepLogs(ctx, o, "c-1", ""))(t)),
		"enrolments":     len(ok(s.ContactEnrolments(ctx, o, "c-1"))(t)),
		"by status":      len(ok(s.ListEnrolments(ctx, o, "welcome", store.EnrolmentActive, "", 0))(t).Items),
		"journeys":       len(ok(s.ListJourneys(ctx, o))(t)),
		"versions":       len(ok(s.ListVersions(ctx, o, "welcome"))(t)),
		"funnel":         len(ok(s.Funnel(ctx, o, "welcome"))(t)),
		"content":        len(ok(s.ListContent(ctx, o))(t)),
		"segments":       len(ok(s.ListSegments(ctx, o))(t)),
		"callbacks":      len(ok(s.WaitingCallbacks(ctx, o, "c-1", "email.opened"))(t)),
		"tasks by owner": len(ok(s.ListSalesTasksByOwner(ctx, o, "rep-1", "", 0))(t).Items),
		"tasks":          len(ok(s.ListSalesTasksByContact(ctx, o, "c-1"))(t)),
		"audit":          len(ok(s.ListAudit(ctx, o, "", 0))(t).Items),
		"api keys":       len(ok(s.ListAPIKeys(ctx, o))(t)),
		"approvals":      len(ok(s.ListPendingApprovals(ctx, o, "", 0))(t).Items),
	} {
		if n != 0 {
			t.Fatalf("globex sees %d of acme's %s", n, name)
		}
	}

	// Writes under the same ids in globex make globex's own records.
	ok(s.UpsertContact(ctx, o, store.ContactPatch{ID: "c-1", FirstName: store.String("Other"), Email: store.String("shared.person@example.com")}))(t)
	ok(s.UpsertContact(ctx, o, store.ContactPatch{ID: "c-2", Email: store.String("bounced@example.com")}))(t) // suppressed in acme only
	ok(s.CreateEnrolment(ctx, o, store.Enrolment{Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 1}))(t)
	if b := ok(s.BeginIdempotency(ctx, o, "k-1", time.Hour))(t); b.State != store.IdempotencyNew {
		t.Fatalf("globex's key k-1 is %s", b.State)
	}
	ok(s.PutJourney(ctx, o, store.Journey{ID: "welcome", Name: "Theirs"}))(t)
	noErr(t, s.CreateVersion(ctx, o, store.JourneyVersion{Journey: "welcome", Version: 1, PublishedAt: start}))
	ok(s.Erase(ctx, o, "c-1"))(t)

	same(t, "acme's contact", ok(s.GetContact(ctx, bu, "c-1"))(t), before)
	if j := ok(s.GetJourney(ctx, bu, "welcome"))(t); j.Name != "Welcome" {
		t.Fatalf("acme's journey changed: %+v", j)
	}
	if en := ok(s.GetEnrolment(ctx, bu, "welcome", "c-1", "e-1"))(t); en.Status != store.EnrolmentActive {
		t.Fatalf("acme's enrolment changed: %+v", en)
	}
	if p := ok(s.ListInteractions(ctx, bu, "c-1", store.InteractionQuery{}))(t); len(p.Items) != 3 {
		t.Fatalf("acme's interactions: %d", len(p.Items))
	}
	if len(ok(s.WaitingCallbacks(ctx, bu, "c-1", "email.opened"))(t)) != 1 {
		t.Fatal("acme's callback is gone")
	}
	if b := ok(s.BeginIdempotency(ctx, bu, "k-1", time.Hour))(t); b.State != store.IdempotencyInProgress {
		t.Fatalf("acme's lease is %s", b.State)
	}
	ok(s.GetAPIKey(ctx, "h-acme"))(t)
	ok(s.GetSegment(ctx, bu, "all"))(t)
}
