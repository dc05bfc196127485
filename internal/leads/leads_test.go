package leads_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

func TestLeadSyncedOnce(t *testing.T) {
	f := newFixture(t)
	l := makeLead(leadSpec{n: 1, email: "Ada@Example.com", consent: true, plan: "team-trial"})
	f.li.AddLead(l)
	f.notify(l, linkedin.ActionCreated)
	f.notify(l, linkedin.ActionCreated) // LinkedIn repeats itself
	f.drain()
	f.notify(l, linkedin.ActionCreated) // and again, after the sync
	f.drain()

	c, ok := f.contactByEmail("ada@example.com")
	if !ok {
		t.Fatal("no contact for the lead")
	}
	form := linkedin.FormVersion{FormID: formID, Version: 1}.URN()
	want := store.Contact{
		BU: bu, ID: c.ID, Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace 1", Company: "Analytical Engines",
		Source:     form,
		Attributes: map[string]store.Value{"plan": store.StringValue("team-trial"), leads.AttrLead: store.StringValue(l.ID)},
		Channels:   map[string]store.Consent{"email": {Status: store.ConsentGranted, Source: linkedin.LeadURN(l.ID), At: l.Submitted()}},
		Topics:     map[string]store.Consent{"product-news": {Status: store.ConsentGranted, Source: linkedin.LeadURN(l.ID), At: l.Submitted()}},
		CreatedAt:  c.CreatedAt, UpdatedAt: c.UpdatedAt, Revision: 1,
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("contact (-want +got):\n%s", diff)
	}
	in := f.interactions(c.ID)
	if len(in) != 1 || in[0].Kind != store.InteractionFormSubmitted || in[0].Detail["lead"] != l.ID ||
		in[0].Detail["form"] != "urn:li:leadGenForm:6840193257" || in[0].Detail["formVersion"] != form {
		t.Errorf("interactions %+v, want one formSubmitted of the lead", in)
	}
	name := enrol.ExecutionName(bu, "welcome", c.ID, l.ID)
	if f.starter.calls[name] != 1 || len(f.starter.calls) != 1 {
		t.Errorf("starts %v, want one start of %s", f.starter.calls, name)
	}
	if got := f.li.Calls(linkedintest.RouteLead); got != 1 {
		t.Errorf("LinkedIn lead fetched %d times, want 1", got)
	}
}

func TestPolicies(t *testing.T) {
	existing := func(f *fixture) {
		_, err := f.st.UpsertContact(context.Background(), bu, store.ContactPatch{ID: "c-existing", Email: ptr(emailOf(7)),
			JobTitle: ptr("CTO"), LifecycleStage: ptr("lead"), Source: ptr("import")})
		if err != nil {
			f.t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		cfg     func(*leads.Config)
		setup   func(*fixture)
		lead    leadSpec
		status  string
		contact func(t *testing.T, f *fixture, c store.Contact, ok bool)
		starts  int
	}{
		{name: "no consent: contact, not enrolled", lead: leadSpec{n: 1, email: emailOf(1)}, status: leads.StatusSynced, starts: 0,
			contact: func(t *testing.T, f *fixture, c store.Contact, ok bool) {
				if !ok || len(c.Channels) != 0 {
					t.Errorf("contact %v (found %v), want one with no consent", c.Channels, ok)
				}
			}},
		{name: "test lead without test journeys", lead: leadSpec{n: 2, email: emailOf(2), consent: true, test: true}, status: leads.StatusTest,
			contact: func(t *testing.T, f *fixture, c store.Contact, ok bool) {
				if ok {
					t.Errorf("a test lead made contact %s", c.ID)
				}
				audit, _ := f.st.ListAudit(context.Background(), bu, "", 10)
				if len(audit.Items) != 1 || audit.Items[0].Action != "linkedin.lead.test" {
					t.Errorf("audit %+v, want the test lead recorded", audit.Items)
				}
			}},
		{name: "test lead with test journeys", cfg: func(c *leads.Config) { c.TestJourneys = []string{"welcome"} },
			lead: leadSpec{n: 3, email: emailOf(3), consent: true, test: true}, status: leads.StatusTest, starts: 1,
			contact: func(t *testing.T, f *fixture, c store.Contact, ok bool) {
				if !ok {
					t.Error("no contact for a test lead with a test journey")
				}
			}},
		{name: "test lead with other test journeys", cfg: func(c *leads.Config) { c.TestJourneys = []string{"webinar"} },
			lead: leadSpec{n: 4, email: emailOf(4), consent: true, test: true}, status: leads.StatusTest, starts: 0},
		{name: "no email: skipped", lead: leadSpec{n: 5, consent: true}, status: leads.StatusSkipped,
			contact: func(t *testing.T, f *fixture, c store.Contact, ok bool) {
				if _, err := f.st.GetContact(context.Background(), bu, "c-li-"+leadID(5)); err == nil || len(f.allContacts()) != 0 {
					t.Error("a lead without email made a contact under missingEmail: skip")
				}
			}},
		{name: "no email: created", cfg: func(c *leads.Config) { c.MissingEmail = leads.MissingEmailCreate },
			lead: leadSpec{n: 6, consent: true}, status: leads.StatusSynced, starts: 1,
			contact: func(t *testing.T, f *fixture, _ store.Contact, _ bool) {
				c, err := f.st.GetContact(context.Background(), bu, "c-li-"+leadID(6))
				if err != nil || c.Email != "" || c.LastName != "Lovelace 6" {
					t.Errorf("contact %+v, %v", c, err)
				}
			}},
		{name: "existing contact keeps its fields", setup: existing, lead: leadSpec{n: 7, email: emailOf(7), consent: true},
			status: leads.StatusSynced, starts: 1,
			contact: func(t *testing.T, f *fixture, c store.Contact, ok bool) {
				if !ok || c.ID != "c-existing" || c.JobTitle != "CTO" || c.LifecycleStage != "lead" || c.Source != "import" ||
					c.FirstName != "Ada" || c.Channels["email"].Status != store.ConsentGranted {
					t.Errorf("merged contact %+v", c)
				}
				if _, made := c.Attributes[leads.AttrLead]; made {
					t.Error("an existing contact was marked as made by the lead")
				}
			}},
		{name: "match create makes another contact", cfg: func(c *leads.Config) { c.Match = leads.MatchCreate },
			setup: func(f *fixture) {
				if _, err := f.st.UpsertContact(context.Background(), bu, store.ContactPatch{ID: "c-other", Email: ptr("other@example.com")}); err != nil {
					f.t.Fatal(err)
				}
			},
			lead: leadSpec{n: 8, email: emailOf(8), consent: true}, status: leads.StatusSynced, starts: 1,
			contact: func(t *testing.T, f *fixture, c store.Contact, ok bool) {
				if !ok || c.ID != "c-li-"+leadID(8) {
					t.Errorf("contact %q, want c-li-<lead>", c.ID)
				}
			}},
		{name: "suppressed address", setup: func(f *fixture) {
			if err := f.st.Suppress(context.Background(), bu, store.AddressEmail, emailOf(9), store.SuppressedComplaint); err != nil {
				f.t.Fatal(err)
			}
		}, lead: leadSpec{n: 9, email: emailOf(9), consent: true}, status: leads.StatusSkipped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if tc.cfg != nil {
				tc.cfg(&f.cfg)
			}
			if tc.setup != nil {
				tc.setup(f)
			}
			l := makeLead(tc.lead)
			f.li.AddLead(l)
			out, err := f.proc.Process(context.Background(), leadMessage(l, linkedin.ActionCreated))
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != tc.status {
				t.Errorf("status %q (%s), want %q", out.Status, out.Reason, tc.status)
			}
			if got := len(f.starter.calls); got != tc.starts {
				t.Errorf("%d starts, want %d", got, tc.starts)
			}
			if tc.contact != nil {
				c, ok := f.contactByEmail(tc.lead.email)
				if tc.lead.email == "" {
					c, ok = store.Contact{}, false
				}
				tc.contact(t, f, c, ok)
			}
			again, err := f.proc.Process(context.Background(), leadMessage(l, linkedin.ActionCreated))
			if err != nil || again.Status != leads.StatusDuplicate {
				t.Errorf("repeat: %+v, %v; want a duplicate", again, err)
			}
		})
	}
}

func leadMessage(l linkedin.Lead, action string) leads.Message {
	return leads.Message{V: 1, BU: bu, Lead: l.ID, Action: action, Form: l.FormURN, Owner: owner, LeadType: l.LeadType,
		OccurredAt: l.Submitted(), ReceivedAt: l.Submitted(), Source: leads.SourceWebhook}
}

func ptr[T any](v T) *T { return &v }

func TestDeletions(t *testing.T) {
	ctx := context.Background()
	t.Run("before its creation: tombstone, late creation ignored", func(t *testing.T) {
		f := newFixture(t)
		l := makeLead(leadSpec{n: 1, email: emailOf(1), consent: true})
		out, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionDeleted))
		if err != nil || out.Status != leads.StatusTombstone {
			t.Fatalf("delete: %+v %v", out, err)
		}
		f.li.AddLead(l) // even if LinkedIn still answered for it
		out, err = f.proc.Process(ctx, leadMessage(l, linkedin.ActionCreated))
		if err != nil || out.Status != leads.StatusIgnored {
			t.Fatalf("late creation: %+v %v", out, err)
		}
		if len(f.allContacts()) != 0 || len(f.starter.calls) != 0 || f.li.Calls(linkedintest.RouteLead) != 0 {
			t.Error("a tombstoned lead was fetched, stored or enrolled")
		}
	})
	t.Run("after its creation: a contact it made is erased", func(t *testing.T) {
		f := newFixture(t)
		l := makeLead(leadSpec{n: 2, email: emailOf(2), consent: true})
		f.li.AddLead(l)
		if out, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionCreated)); err != nil || len(out.Enrolled) != 1 {
			t.Fatalf("create: %+v %v", out, err)
		}
		out, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionDeleted))
		if err != nil || out.Status != leads.StatusDeleted || out.Stopped != 1 {
			t.Fatalf("delete: %+v %v", out, err)
		}
		if _, ok := f.contactByEmail(emailOf(2)); ok {
			t.Error("the contact the lead made is still there")
		}
		if len(f.starter.stopped) != 1 {
			t.Errorf("stopped %v, want the lead's execution", f.starter.stopped)
		}
	})
	t.Run("after its creation: an existing contact loses what the lead granted", func(t *testing.T) {
		f := newFixture(t)
		if _, err := f.st.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-1", Email: ptr(emailOf(3)), JobTitle: ptr("CFO")}); err != nil {
			t.Fatal(err)
		}
		l := makeLead(leadSpec{n: 3, email: emailOf(3), consent: true})
		f.li.AddLead(l)
		if _, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionCreated)); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(1)
		out, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionDeleted))
		if err != nil || out.Status != leads.StatusDeleted || out.Stopped != 1 {
			t.Fatalf("delete: %+v %v", out, err)
		}
		c, ok := f.contactByEmail(emailOf(3))
		if !ok || c.JobTitle != "CFO" || c.Channels["email"].Status != store.ConsentUnknown || c.Topics["product-news"].Status != store.ConsentUnknown {
			t.Errorf("contact after deletion: %+v", c)
		}
	})
	t.Run("keep policy", func(t *testing.T) {
		f := newFixture(t)
		f.cfg.OnDelete = leads.DeleteKeep
		l := makeLead(leadSpec{n: 4, email: emailOf(4), consent: true})
		f.li.AddLead(l)
		if _, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionCreated)); err != nil {
			t.Fatal(err)
		}
		if out, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionDeleted)); err != nil || out.Reason != "onDelete: keep" {
			t.Fatalf("delete: %+v %v", out, err)
		}
		if _, ok := f.contactByEmail(emailOf(4)); !ok {
			t.Error("keep policy removed the contact")
		}
	})
}

// TestWebhookRejections drives the LinkedIn endpoint with what it must
// refuse; nothing refused may reach the queue.
func TestWebhookRejections(t *testing.T) {
	f := newFixture(t)
	l := makeLead(leadSpec{n: 1, email: emailOf(1), consent: true})
	good := linkedintest.NotificationFor(l, linkedin.ActionCreated, f.clock.Now())
	stranger := l
	stranger.Owner = linkedin.Union{Kind: "sponsoredAccount", URN: "urn:li:sponsoredAccount:1"}
	for _, tc := range []struct {
		name   string
		body   []byte
		sig    string
		status int
	}{
		{"bad signature", good, linkedin.Sign("another-secret", good), http.StatusUnauthorized},
		{"no signature", good, "", http.StatusUnauthorized},
		{"malformed body", []byte(`{"type":"LEAD_ACTION"}`), "", http.StatusBadRequest},
		{"not JSON", []byte(`<xml/>`), "", http.StatusBadRequest},
		{"oversized body", bytes.Repeat([]byte(" "), linkedin.DefaultMaxBody+1), "", http.StatusRequestEntityTooLarge},
		{"unknown owner", linkedintest.NotificationFor(stranger, linkedin.ActionCreated, f.clock.Now()), "", http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig := tc.sig
			if sig == "" && tc.name != "no signature" {
				sig = linkedin.Sign(clientSecret, tc.body)
			}
			req, _ := http.NewRequest(http.MethodPost, f.webhook.URL, bytes.NewReader(tc.body))
			req.Header.Set(linkedin.SignatureHeader, sig)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if waiting, _, _ := f.q.Depth(context.Background()); waiting != 0 {
				t.Errorf("%d messages queued by a refused notification", waiting)
			}
		})
	}
	// A duplicate is recognised.
	snd := &linkedintest.Sender{ClientSecret: clientSecret, WithPrefix: true}
	for i, want := range []string{"accepted", "duplicate"} {
		req, _ := http.NewRequest(http.MethodPost, f.webhook.URL, bytes.NewReader(good))
		req.Header.Set(linkedin.SignatureHeader, "hmacsha256="+linkedin.Sign(snd.ClientSecret, good))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		resp.Body.Close()
		if !strings.Contains(b.String(), want) {
			t.Errorf("delivery %d: %s, want %s", i+1, b.String(), want)
		}
	}
	if waiting, _, _ := f.q.Depth(context.Background()); waiting != 1 {
		t.Errorf("%d messages queued for one notification delivered twice", waiting)
	}
}

// TestLeadResumesFormWaits: a contact waiting in a journey for a
// submission of this form (or of any form) is resumed by the lead.
func TestLeadResumesFormWaits(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.st.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-w", Email: ptr(emailOf(1))}); err != nil {
		t.Fatal(err)
	}
	for id, awaited := range map[string]string{
		"cb-this":  `{"form.submitted":{"form":"urn:li:leadGenForm:6840193257"}}`,
		"cb-any":   `{"form.submitted":{}}`,
		"cb-other": `{"form.submitted":{"form":"urn:li:leadGenForm:1"}}`,
	} {
		if _, err := f.st.CreateCallback(ctx, bu, store.Callback{ID: id, Kind: store.CallbackEvent, Token: "token-" + id,
			Execution: "arn:x:execution:m:" + id, Contact: "c-w", Journey: "nurture", Step: "wait-form",
			Events: []string{"form.submitted"}, Correlation: awaited, ExpiresAt: f.clock.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	l := makeLead(leadSpec{n: 1, email: emailOf(1), consent: true})
	f.li.AddLead(l)
	if _, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionCreated)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"token-cb-this": `{"event":"form.submitted","form":"urn:li:leadGenForm:6840193257"}`, "token-cb-any": `{"event":"form.submitted"}`}
	if diff := cmp.Diff(want, f.starter.resumed); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
}

// TestLeadRetriedAfterFailedResume: when every attempt to resume a form
// wait is throttled, processing the lead fails (the queue delivers it
// again) and the wait waits again; the retry resumes it on the form's
// branch rather than leaving it to its timeout.
func TestLeadRetriedAfterFailedResume(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.st.UpsertContact(ctx, bu, store.ContactPatch{ID: "c-w", Email: ptr(emailOf(1))}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.CreateCallback(ctx, bu, store.Callback{ID: "cb-this", Kind: store.CallbackEvent, Token: "token-cb-this",
		Execution: "arn:x:execution:m:this", Contact: "c-w", Journey: "nurture", Step: "wait-form", Events: []string{"form.submitted"},
		Correlation: `[{"event":"form.submitted","form":"urn:li:leadGenForm:6840193257"}]`, ExpiresAt: f.clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.starter.throttle = handler.ResumeAttempts
	l := makeLead(leadSpec{n: 1, email: emailOf(1), consent: true})
	f.li.AddLead(l)
	if _, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionCreated)); err == nil {
		t.Fatal("the first attempt did not fail")
	}
	if waiting, err := f.st.WaitingCallbacks(ctx, bu, "c-w", "form.submitted"); err != nil || len(waiting) != 1 {
		t.Fatalf("after the failed resume, waiting %+v, %v; want cb-this waiting again", waiting, err)
	}
	out, err := f.proc.Process(ctx, leadMessage(l, linkedin.ActionCreated))
	if err != nil || out.Status != leads.StatusSynced {
		t.Fatalf("retry: %+v %v", out, err)
	}
	want := map[string]string{"token-cb-this": `{"event":"form.submitted","form":"urn:li:leadGenForm:6840193257"}`}
	if diff := cmp.Diff(want, f.starter.resumed); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
}

// createOnly behaves like the DynamoDB adapter, whose appends are
// create-only (ErrExists for an id written before), and fails the first
// ListJourneys, as a throttled table would, after the interaction was
// written.
type createOnly struct {
	*embedded.Store
	mu        sync.Mutex
	ids       map[string]bool
	listFails int
}

func (s *createOnly) AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error) {
	s.mu.Lock()
	seen := s.ids[i.ID]
	s.ids[i.ID] = true
	s.mu.Unlock()
	if seen {
		return i, fmt.Errorf("append interaction: %w", store.ErrExists)
	}
	return s.Store.AppendInteraction(ctx, bu, i)
}

func (s *createOnly) ListJourneys(ctx context.Context, bu string) ([]store.Journey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listFails > 0 {
		s.listFails--
		return nil, errors.New("throttled")
	}
	return s.Store.ListJourneys(ctx, bu)
}

// TestRetryAfterPartialSync: a sync that failed after recording the
// submission is retried to the end on a create-only store.
func TestRetryAfterPartialSync(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	st := &createOnly{Store: f.st, ids: map[string]bool{}, listFails: 1}
	proc, err := leads.NewProcessor(leads.Options{Store: st, API: f.client, Enroller: enrol.New(st, catalog.New(st, nil), f.starter, f.clock.Now),
		Catalog: catalog.New(st, nil), Settings: func(context.Context, string) (leads.Config, error) { return f.cfg, nil }, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	l := makeLead(leadSpec{n: 1, email: emailOf(1), consent: true})
	f.li.AddLead(l)
	if _, err := proc.Process(ctx, leadMessage(l, linkedin.ActionCreated)); err == nil {
		t.Fatal("the first attempt did not fail")
	}
	out, err := proc.Process(ctx, leadMessage(l, linkedin.ActionCreated))
	if err != nil || out.Status != leads.StatusSynced || len(out.Enrolled) != 1 {
		t.Fatalf("retry: %+v %v", out, err)
	}
	c, _ := f.contactByEmail(emailOf(1))
	if n := len(f.interactions(c.ID)); n != 1 {
		t.Errorf("%d interactions, want 1", n)
	}
}

// TestContactFieldsFromAnswers maps the form's custom question to each of
// the contact's own fields in turn: the answer lands in that field (the
// welcome journey's sales task needs the owner), never in a custom
// attribute of the same name; only other names are custom attributes.
func TestContactFieldsFromAnswers(t *testing.T) {
	for _, tc := range []struct {
		attr, answer string
		field        func(store.Contact) string
	}{
		{"owner", "u-sales-044", func(c store.Contact) string { return c.Owner }},
		{"timezone", "Europe/Berlin", func(c store.Contact) string { return c.Timezone }},
		{"locale", "de-DE", func(c store.Contact) string { return c.Locale }},
		{"lifecycleStage", "mql", func(c store.Contact) string { return c.LifecycleStage }},
		{"jobTitle", "Head of Data", func(c store.Contact) string { return c.JobTitle }},
		{"country", "DE", func(c store.Contact) string { return c.Country }},
		{"phone", "+491701234567", func(c store.Contact) string { return c.Phone }},
		{"plan", "team-trial", func(c store.Contact) string { return c.Attributes["plan"].Str }},
	} {
		t.Run(tc.attr, func(t *testing.T) {
			f := newFixture(t)
			f.cfg.Mapping.Default.Questions = map[string]string{"plan": tc.attr}
			l := makeLead(leadSpec{n: 1, email: emailOf(1), consent: true, plan: tc.answer})
			f.li.AddLead(l)
			if out, err := f.proc.Process(context.Background(), leadMessage(l, linkedin.ActionCreated)); err != nil || out.Status != leads.StatusSynced {
				t.Fatalf("Process = %+v, %v", out, err)
			}
			c, ok := f.contactByEmail(emailOf(1))
			if !ok {
				t.Fatal("no contact for the lead")
			}
			if got := tc.field(c); got != tc.answer {
				t.Errorf("%s = %q, want %q", tc.attr, got, tc.answer)
			}
			custom := []string{}
			for name := range c.Attributes {
				if name != leads.AttrLead {
					custom = append(custom, name)
				}
			}
			want := []string{}
			if !store.IsContactField(tc.attr) {
				want = append(want, tc.attr)
			}
			if diff := cmp.Diff(want, custom); diff != "" {
				t.Errorf("custom attributes (-want +got):\n%s", diff)
			}
		})
	}
}

// failingCompletes fails CompleteIdempotency for keys with a prefix, a
// number of times: a store write that fails after the claim was taken.
type failingCompletes struct {
	*embedded.Store
	prefix string
	fails  int
}

func (s *failingCompletes) CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error {
	if strings.HasPrefix(key, s.prefix) && s.fails > 0 {
		s.fails--
		return errors.New("ProvisionedThroughputExceededException")
	}
	return s.Store.CompleteIdempotency(ctx, bu, key, token, result, keep)
}

// TestNotificationKeptBeforeQueued: a 2xx means the raw notification is
// stored, even when the claim cannot be completed afterwards; when the
// notification cannot be stored, nothing is queued and the webhook answers
// 500, so LinkedIn's next delivery is accepted anew.
func TestNotificationKeptBeforeQueued(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	routes, err := leads.NewRoutes(map[string]leads.Config{bu: f.cfg})
	if err != nil {
		t.Fatal(err)
	}
	post := func(st *failingCompletes, l linkedin.Lead) (int, string, []byte) {
		t.Helper()
		inbox, err := leads.NewInbox(leads.InboxOptions{Store: st, Queue: f.q, Routes: routes, Now: f.clock.Now,
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		h, err := linkedin.NewHandler(linkedin.HandlerOptions{ClientSecrets: []string{clientSecret}, Inbox: inbox,
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		body := linkedintest.NotificationFor(l, linkedin.ActionCreated, f.clock.Now())
		r := httptest.NewRequest(http.MethodPost, "/linkedin/webhook", bytes.NewReader(body))
		r.Header.Set(linkedin.SignatureHeader, linkedin.Sign(clientSecret, body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var answer struct{ Status string }
		json.Unmarshal(w.Body.Bytes(), &answer)
		return w.Code, answer.Status, body
	}
	kept := func(l linkedin.Lead) []byte {
		t.Helper()
		rec, err := f.st.BeginIdempotency(ctx, bu, leads.RawKey(l.ID, linkedin.ActionCreated), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if rec.State != store.IdempotencyCompleted {
			f.st.ReleaseIdempotency(ctx, bu, leads.RawKey(l.ID, linkedin.ActionCreated), rec.Token)
			return nil
		}
		return rec.Result
	}
	queued := func() int {
		waiting, _, err := f.q.Depth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return waiting
	}

	// The claim cannot be completed after the enqueue: still 200, and the
	// notification is kept.
	first := makeLead(leadSpec{n: 1, email: emailOf(1), consent: true})
	f.li.AddLead(first)
	code, status, body := post(&failingCompletes{Store: f.st, prefix: "li-n|", fails: 1}, first)
	if code != http.StatusOK || status != "accepted" {
		t.Fatalf("claim not completed: %d %s, want 200 accepted", code, status)
	}
	if got := kept(first); !bytes.Equal(got, body) {
		t.Errorf("kept notification %q, want the body LinkedIn sent", got)
	}
	if n := queued(); n != 1 {
		t.Errorf("%d messages queued, want 1", n)
	}

	// The notification cannot be stored: 500, nothing queued; LinkedIn's
	// next delivery is accepted (not a duplicate), kept and queued.
	second := makeLead(leadSpec{n: 2, email: emailOf(2), consent: true})
	f.li.AddLead(second)
	st := &failingCompletes{Store: f.st, prefix: "li-raw|", fails: 1}
	if code, status, _ := post(st, second); code != http.StatusInternalServerError {
		t.Fatalf("notification not stored: %d %s, want 500", code, status)
	}
	if n := queued(); n != 1 || kept(second) != nil {
		t.Fatalf("after a failed store: %d queued (want 1), kept %q (want nothing)", n, kept(second))
	}
	code, status, body = post(st, second)
	if code != http.StatusOK || status != "accepted" || !bytes.Equal(kept(second), body) || queued() != 2 {
		t.Fatalf("redelivery: %d %s, kept %q, %d queued; want 200 accepted, kept, 2 queued", code, status, kept(second), queued())
	}
	f.drain()
	for _, n := range []int{1, 2} {
		if _, ok := f.contactByEmail(emailOf(n)); !ok {
			t.Errorf("lead %d not synced", n)
		}
	}
}
