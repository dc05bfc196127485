package storetest

import (
	"fmt"
	"sort"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

const bu, otherBU = "acme", "globex"

func testContactNotFoundAndInvalid(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.GetContact(ctx, bu, "c-none")
	isErr(t, "get missing contact", err, store.ErrNotFound)
	_, err = s.FindContactByEmail(ctx, bu, "nobody@example.com")
	isErr(t, "find missing email", err, store.ErrNotFound)
	for name, err := range map[string]error{
		"empty bu":           second(s.GetContact(ctx, "", "c-1")),
		"reserved bu":        second(s.GetContact(ctx, store.SharedBU, "c-1")),
		"id with #":          second(s.GetContact(ctx, bu, "c#1")),
		"empty id":           second(s.GetContact(ctx, bu, "")),
		"malformed email":    second(s.FindContactByEmail(ctx, bu, "not-an-address")),
		"upsert bad email":   second(s.UpsertContact(ctx, bu, store.ContactPatch{Email: store.String("a@")})),
		"by email, no email": third(s.UpsertContactByEmail(ctx, bu, store.ContactPatch{FirstName: store.String("X")})),
		"segment 4 of 4":     second(s.ListContacts(ctx, bu, store.ContactScan{Segment: 4, Segments: 4})),
		"0 segments":         second(s.ListContacts(ctx, bu, store.ContactScan{Segments: 0})),
		"too many segments":  second(s.ListContacts(ctx, bu, store.ContactScan{Segments: store.Shards + 1})),
		"forged cursor":      second(s.ListContacts(ctx, bu, store.ContactScan{Segments: 1, Cursor: "bm90LWEtY3Vyc29y"})),
	} {
		isErr(t, name, err, store.ErrInvalid)
	}
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }

func fullPatch(id string) store.ContactPatch {
	return store.ContactPatch{
		ID:             id,
		Email:          store.String("Ada.Lovelace@Example.com"),
		Phone:          store.String("+44 (20) 7946-0001"),
		FirstName:      store.String("Ada"),
		LastName:       store.String("Lovelace"),
		Company:        store.String("Analytical Engines"),
		JobTitle:       store.String("Programmer"),
		Country:        store.String("GB"),
		Timezone:       store.String("Europe/London"),
		Locale:         store.String("en-GB"),
		Owner:          store.String("rep-1"),
		LifecycleStage: store.String("lead"),
		Source:         store.String("urn:li:form:1234"),
		Attributes: map[string]store.Value{
			"score":   store.NumberValue(42.5),
			"vip":     store.BoolValue(true),
			"plan":    store.StringValue("pro"),
			"signup":  store.TimeValue(start.Add(-48 * time.Hour)),
			"tags":    store.ListValue("a", "b"),
			"removed": store.StringValue("soon gone"),
		},
		Channels: map[string]store.Consent{
			"email": {Status: store.ConsentGranted, Source: "form", At: start.Add(-time.Hour)},
			"sms":   {Status: store.ConsentDenied, Source: "import", At: start.Add(-time.Hour)},
		},
		Topics: map[string]store.Consent{
			"newsletter": {Status: store.ConsentGranted, Source: "form", At: start.Add(-time.Hour)},
		},
	}
}

func testContactMerge(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	created := ok(s.UpsertContact(ctx, bu, fullPatch("c-1")))(t)
	want := store.Contact{
		BU: bu, ID: "c-1", Email: "ada.lovelace@example.com", Phone: "+442079460001",
		FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines", JobTitle: "Programmer",
		Country: "GB", Timezone: "Europe/London", Locale: "en-GB", Owner: "rep-1", LifecycleStage: "lead",
		Source: "urn:li:form:1234", Attributes: fullPatch("").Attributes,
		Channels: fullPatch("").Channels, Topics: fullPatch("").Topics,
		CreatedAt: start, UpdatedAt: start, Revision: 1,
	}
	same(t, "created contact", created, want)
	same(t, "stored contact", ok(s.GetContact(ctx, bu, "c-1"))(t), want)

	e.clock.Advance(time.Minute)
	merged := ok(s.UpsertContact(ctx, bu, store.ContactPatch{
		ID:               "c-1",
		JobTitle:         store.String("Countess"),
		Company:          store.String(""), // cleared on purpose
		Attributes:       map[string]store.Value{"score": store.NumberValue(50), "new": store.StringValue("x")},
		RemoveAttributes: []string{"removed"},
		Topics:           map[string]store.Consent{"events": {Status: store.ConsentGranted, At: start}},
	}))(t)
	want.JobTitle, want.Company = "Countess", ""
	want.Attributes = map[string]store.Value{
		"score": store.NumberValue(50), "vip": store.BoolValue(true), "plan": store.StringValue("pro"),
		"signup": store.TimeValue(start.Add(-48 * time.Hour)), "tags": store.ListValue("a", "b"), "new": store.StringValue("x"),
	}
	want.Topics = map[string]store.Consent{
		"newsletter": fullPatch("").Topics["newsletter"],
		"events":     {Status: store.ConsentGranted, At: start},
	}
	want.UpdatedAt, want.Revision = start.Add(time.Minute), 2
	same(t, "merged contact", merged, want)
	same(t, "stored merged contact", ok(s.GetContact(ctx, bu, "c-1"))(t), want)

	// An empty patch keeps everything and still counts as a write.
	e.clock.Advance(time.Minute)
	want.UpdatedAt, want.Revision = start.Add(2*time.Minute), 3
	same(t, "after empty patch", ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1"}))(t), want)

	// A generated id when none is given.
	gen := ok(s.UpsertContact(ctx, bu, store.ContactPatch{FirstName: store.String("Grace")}))(t)
	if gen.ID == "" || gen.Revision != 1 {
		t.Fatalf("generated contact = %+v", gen)
	}
	same(t, "generated contact", ok(s.GetContact(ctx, bu, gen.ID))(t), gen)
}

func testConsentNewestWins(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	ok(s.UpsertContact(ctx, bu, fullPatch("c-1")))(t)
	older := start.Add(-2 * time.Hour)
	newer := start.Add(time.Hour)
	got := ok(s.UpsertContact(ctx, bu, store.ContactPatch{
		ID: "c-1",
		Channels: map[string]store.Consent{
			"email":    {Status: store.ConsentDenied, Source: "stale-sync", At: older}, // older: ignored
			"sms":      {Status: store.ConsentGranted, Source: "preference-centre", At: newer},
			"whatsapp": {Status: store.ConsentUnknown, Source: "import", At: older},
		},
	}))(t)
	want := map[string]store.Consent{
		"email":    fullPatch("").Channels["email"],
		"sms":      {Status: store.ConsentGranted, Source: "preference-centre", At: newer},
		"whatsapp": {Status: store.ConsentUnknown, Source: "import", At: older},
	}
	same(t, "channels", got.Channels, want)
	same(t, "topics kept", got.Topics, fullPatch("").Topics)
}

func testContactRevision(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	c := ok(s.UpsertContact(ctx, bu, fullPatch("c-1")))(t)
	c2 := ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", ExpectRevision: c.Revision, LastName: store.String("King")}))(t)
	if c2.Revision != c.Revision+1 {
		t.Fatalf("revision %d after %d", c2.Revision, c.Revision)
	}
	_, err := s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", ExpectRevision: c.Revision, LastName: store.String("Byron")})
	isErr(t, "stale revision", err, store.ErrConflict)
	if got := ok(s.GetContact(ctx, bu, "c-1"))(t); got.LastName != "King" {
		t.Fatalf("a losing write changed the contact: %q", got.LastName)
	}
	_, err = s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-none", ExpectRevision: 1})
	isErr(t, "revision of missing contact", err, store.ErrNotFound)
}

func testEmailNormalised(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	c := ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String("  Ada@Example.COM ")}))(t)
	if c.Email != "ada@example.com" {
		t.Fatalf("stored email %q", c.Email)
	}
	for _, q := range []string{"ada@example.com", "ADA@EXAMPLE.COM", " Ada@example.Com\t"} {
		if got := ok(s.FindContactByEmail(ctx, bu, q))(t); got.ID != "c-1" {
			t.Fatalf("find %q = %s", q, got.ID)
		}
	}
	// Changing the address moves the lookup.
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String("Ada@Engines.example")}))(t)
	_, err := s.FindContactByEmail(ctx, bu, "ada@example.com")
	isErr(t, "old address", err, store.ErrNotFound)
	if got := ok(s.FindContactByEmail(ctx, bu, "ada@engines.example"))(t); got.ID != "c-1" {
		t.Fatalf("new address found %s", got.ID)
	}
	// Clearing it removes the lookup; the address is free for another contact.
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String("")}))(t)
	_, err = s.FindContactByEmail(ctx, bu, "ada@engines.example")
	isErr(t, "cleared address", err, store.ErrNotFound)
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-2", Email: store.String("ada@engines.example")}))(t)
}

func testEmailTaken(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String("a@example.com")}))(t)
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-2", Email: store.String("b@example.com")}))(t)
	_, err := s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-2", Email: store.String("A@example.com")})
	isErr(t, "taking another contact's address", err, store.ErrEmailTaken)
	_, err = s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-3", Email: store.String("a@example.com")})
	isErr(t, "new contact with a taken address", err, store.ErrEmailTaken)
	_, err = s.GetContact(ctx, bu, "c-3")
	isErr(t, "refused contact", err, store.ErrNotFound)
	if got := ok(s.GetContact(ctx, bu, "c-2"))(t); got.Email != "b@example.com" {
		t.Fatalf("refused write changed c-2: %q", got.Email)
	}
	// Re-giving a contact its own address is no change.
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String("a@EXAMPLE.com")}))(t)
}

func testUpsertByEmail(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	c, created, err := s.UpsertContactByEmail(ctx, bu, store.ContactPatch{Email: store.String("Lead@Example.com"), FirstName: store.String("Lee"), Source: store.String("urn:li:form:1")})
	noErr(t, err)
	if !created || c.ID == "" || c.Email != "lead@example.com" {
		t.Fatalf("first upsert: created=%v %+v", created, c)
	}
	e.clock.Advance(time.Second)
	c2, created, err := s.UpsertContactByEmail(ctx, bu, store.ContactPatch{Email: store.String("LEAD@example.com"), Company: store.String("Initech")})
	noErr(t, err)
	if created || c2.ID != c.ID || c2.FirstName != "Lee" || c2.Company != "Initech" || c2.Source != "urn:li:form:1" || c2.Revision != 2 {
		t.Fatalf("second upsert: created=%v %+v", created, c2)
	}
	got := collect(t, func(cur string) (store.Page[store.Contact], error) {
		return s.ListContacts(ctx, bu, store.ContactScan{Segments: 1, Cursor: cur})
	})
	if len(got) != 1 {
		t.Fatalf("%d contacts after two upserts of one address", len(got))
	}
}

func testContactSegments(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	var want []string
	for i := range 150 {
		id := fmt.Sprintf("c-%03d", i)
		want = append(want, id)
		ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: id, FirstName: store.String("N")}))(t)
	}
	ok(s.UpsertContact(ctx, otherBU, store.ContactPatch{ID: "c-other"}))(t)
	ids := func(cs []store.Contact) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, c := range []struct{ segments, limit int }{{1, 7}, {1, 1000}, {4, 10}, {5, 3}, {store.Shards, 2}} {
		seen := map[string]int{}
		var all []string
		for seg := range c.segments {
			got := collect(t, func(cur string) (store.Page[store.Contact], error) {
				p, err := s.ListContacts(ctx, bu, store.ContactScan{Segment: seg, Segments: c.segments, Cursor: cur, Limit: c.limit})
				if err == nil && len(p.Items) > c.limit {
					t.Fatalf("page of %d items over limit %d", len(p.Items), c.limit)
				}
				return p, err
			})
			for _, id := range ids(got) {
				seen[id]++
				all = append(all, id)
			}
		}
		sort.Strings(all)
		same(t, fmt.Sprintf("contacts over %d segments, pages of %d", c.segments, c.limit), all, want)
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("contact %s listed %d times", id, n)
			}
		}
	}
	// A cursor belongs to its segment and its business unit.
	seg0 := ok(s.ListContacts(ctx, bu, store.ContactScan{Segment: 0, Segments: 4, Limit: 2}))(t)
	_, err := s.ListContacts(ctx, bu, store.ContactScan{Segment: 1, Segments: 4, Cursor: seg0.Next})
	isErr(t, "cursor of another segment", err, store.ErrInvalid)
	p := ok(s.ListContacts(ctx, bu, store.ContactScan{Segments: 1, Limit: 2}))(t)
	_, err = s.ListContacts(ctx, otherBU, store.ContactScan{Segments: 1, Cursor: p.Next})
	isErr(t, "cursor of another business unit", err, store.ErrInvalid)
}

func testOwners(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.GetOwner(ctx, bu, "rep-1")
	isErr(t, "missing owner", err, store.ErrNotFound)
	noErr(t, s.PutOwner(ctx, bu, store.Owner{ID: "rep-2", Name: "Bob Rep", Email: "bob@acme.example"}))
	noErr(t, s.PutOwner(ctx, bu, store.Owner{ID: "rep-1", Name: "Alice Rep"}))
	noErr(t, s.PutOwner(ctx, bu, store.Owner{ID: "rep-1", Name: "Alice Rep-Smith"}))
	same(t, "owner", ok(s.GetOwner(ctx, bu, "rep-1"))(t), store.Owner{BU: bu, ID: "rep-1", Name: "Alice Rep-Smith"})
	same(t, "owners", ok(s.ListOwners(ctx, bu))(t), []store.Owner{
		{BU: bu, ID: "rep-1", Name: "Alice Rep-Smith"},
		{BU: bu, ID: "rep-2", Name: "Bob Rep", Email: "bob@acme.example"},
	})
}

func testSuppression(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String("bounce@example.com"), Phone: store.String("+1 555 0100")}))(t)
	_, err := s.GetSuppression(ctx, bu, store.AddressEmail, "bounce@example.com")
	isErr(t, "not yet suppressed", err, store.ErrNotFound)
	e.clock.Advance(time.Minute)
	noErr(t, s.Suppress(ctx, bu, store.AddressEmail, " Bounce@Example.com", store.SuppressedBounce))
	noErr(t, s.Suppress(ctx, bu, store.AddressPhone, "+1 (555) 0100", store.SuppressedComplaint))
	noErr(t, s.Suppress(ctx, bu, store.AddressEmail, "never-a-contact@example.com", store.SuppressedManual))
	sup := ok(s.GetSuppression(ctx, bu, store.AddressEmail, "BOUNCE@example.com"))(t)
	key := []byte("storetest suppression key")
	same(t, "suppression", sup, store.Suppression{
		BU: bu, Kind: store.AddressEmail, Reason: store.SuppressedBounce, At: start.Add(time.Minute),
		Hash: store.AddressHash(key, bu, store.AddressEmail, "bounce@example.com"),
	})
	if sup := ok(s.GetSuppression(ctx, bu, store.AddressPhone, "+15550100"))(t); sup.Reason != store.SuppressedComplaint {
		t.Fatalf("phone suppression %+v", sup)
	}
	// Only the hash is kept.
	if e.raw != nil {
		for _, item := range e.raw(t) {
			if containsFold(item, "never-a-contact") {
				t.Fatalf("a suppressed address is stored in clear: %s", item)
			}
		}
	}
	// The existing contact can still be updated (its address does not change)...
	ok(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String("bounce@example.com"), LastName: store.String("B")}))(t)
	// ...but no contact may take a suppressed address.
	for name, err := range map[string]error{
		"new contact":         second(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-2", Email: store.String("never-a-contact@example.com")})),
		"by email":            third(s.UpsertContactByEmail(ctx, bu, store.ContactPatch{Email: store.String("Never-A-Contact@example.com")})),
		"changed phone":       second(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-3", Phone: store.String("001 555 0100")})),
		"existing, new email": second(s.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: store.String("never-a-contact@example.com")})),
	} {
		isErr(t, name, err, store.ErrSuppressed)
	}
	_, err = s.GetContact(ctx, bu, "c-2")
	isErr(t, "refused contact", err, store.ErrNotFound)
	_, err = s.GetSuppression(ctx, bu, "fax", "123")
	isErr(t, "unknown address kind", err, store.ErrInvalid)
}
