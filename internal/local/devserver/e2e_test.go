package devserver_test

import (
	"context"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/approval/flowtest"
	"github.com/journeys-oss/journeys/internal/channel/channeltest"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
	"github.com/journeys-oss/journeys/internal/local/devserver"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

const (
	e2eOwner  = "urn:li:sponsoredAccount:507404993"
	e2eFormID = 6840193257
)

// e2eJourney is the journey the end-to-end test follows: a LinkedIn lead
// (whose form names its sales owner) gets an email, its open resumes the
// wait, sales approves, a task is created for the owner, the contact
// becomes sales-qualified and the goal is counted at the next step.
const e2eJourney = `id: e2e-handoff
name: End-to-end hand-off
businessUnit: northwind
trigger:
  linkedinForm: {form: "urn:li:leadGenForm:6840193257"}
goal:
  name: sales-qualified
  condition: contact.lifecycleStage == "sql"
  within: 30d
steps:
  - id: hello
    send: {channel: email, template: welcome-intro}
  - id: opened
    waitFor:
      events: [{event: email.opened, send: hello, next: ask}]
      timeout: 3d
      onTimeout: done
  - id: ask
    approval: {approvers: sales-emea, message: "Hand it to sales?", timeout: 2d, onApprove: task, onReject: done}
  - id: task
    salesTask: {title: Call the lead, due: 1d, priority: high}
  - id: qualify
    update: {set: {lifecycleStage: sql}}
  - id: thanks
    send: {channel: email, template: welcome-resources}
  - id: done
    end: true
`

// e2eSettings delivers email to a provider on loopback, asks a flow on
// loopback for approvals and routes the LinkedIn owner to northwind; the
// form's hidden field "owner" fills the contact's sales owner.
const e2eSettings = `businessUnit: northwind
sender: {name: Northwind Analytics, email: hello@northwind-analytics.example, replyTo: team@northwind-analytics.example}
postalAddress: Northwind Analytics GmbH, Hafenstrasse 12, 20457 Hamburg, Germany
timezone: Europe/Berlin
tracking:
  keys: [{id: k1, secret: tracking-key}]
outbound:
  allowedHosts: ["127.0.0.1"]
  httpHosts: ["127.0.0.1"]
  allowedNetworks: ["127.0.0.0/8"]
channels:
  email: {provider: webhook, url: %s, secret: channel-email, timeout: 5s}
approvals:
  flowUrl: approval-flow-url
  secret: approval-flow
  callbackKey: approval-callback-key
linkedin:
  owners: ["` + e2eOwner + `"]
  mapping:
    default:
      hiddenFields: {owner: owner}
      consents:
        1: {channel: email, topic: onboarding}
preferences:
  topics:
    - {id: onboarding, label: Getting started, default: true}
`

// e2eFolder is a journeys folder with the examples' schema, segments and
// content, the test journey and the loopback settings.
func e2eFolder(t *testing.T, channelURL string) string {
	t.Helper()
	root := t.TempDir()
	src := "../../../journeys"
	for _, sub := range []string{"schema", "segments", "content"} {
		err := filepath.WalkDir(filepath.Join(src, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(root, rel), b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write := func(rel, text string) {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("e2e-handoff.journey.yaml", e2eJourney)
	write("settings/northwind.settings.yaml", fmt.Sprintf(e2eSettings, channelURL))
	return root
}

func secretOf(t *testing.T) (webhook.Secret, string) {
	t.Helper()
	text, err := settings.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	s, err := webhook.ParseSecret(text)
	if err != nil {
		t.Fatal(err)
	}
	return s, text
}

// TestEndToEnd follows one lead over real HTTP on loopback: a signed
// LinkedIn notification into the webhook, the fake LinkedIn answering the
// lead fetch, the contact created and enrolled, the email delivered to a
// provider speaking the channel protocol, an open through the tracking
// pixel resuming the wait, the approval request posted to a flow that
// approves through the callback URL, the sales task, the goal counted.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	channelSecret, channelText := secretOf(t)
	flowSecret, flowText := secretOf(t)
	const clientSecret = "li-client-secret-e2e"

	provider := channeltest.Start(t, []webhook.Secret{channelSecret}, nil)
	li := linkedintest.NewServer(t, linkedintest.Options{ClientSecret: clientSecret})
	li.AddForm(e2eForm())
	lead := e2eLead()
	li.AddLead(lead)
	root := e2eFolder(t, provider.URL)

	var clock interface{ Now() time.Time }
	env := map[string]string{
		settings.EnvName("channel-email"):          channelText,
		settings.EnvName("approval-flow"):          flowText,
		settings.EnvName(devserver.LinkedInSecret): clientSecret,
	}
	cfg := devserver.Config{
		Root: root, DataDir: t.TempDir(), Addr: freeAddr(t), Journeys: []string{filepath.Join(root, "e2e-handoff.journey.yaml")},
		Deliver:  devserver.DeliverSettings,
		LinkedIn: devserver.LinkedInConfig{APIURL: li.URL, Version: "202601", Token: li.Token()},
		Getenv:   func(k string) string { return env[k] },
	}
	flow := flowtest.NewServer(t, flowtest.Options{Secrets: []webhook.Secret{flowSecret}, Now: func() time.Time { return clock.Now() }})
	env[settings.EnvName("approval-flow-url")] = flow.URL
	s, vc := startServer(t, cfg, t0)
	clock = vc

	// LinkedIn notifies the webhook, signed; the worker fetches the lead.
	sender := linkedintest.Sender{ClientSecret: clientSecret}
	code, err := sender.Notify(ctx, s.URL()+"/linkedin/webhook", linkedintest.NotificationFor(lead, linkedin.ActionCreated, t0))
	if err != nil || code != http.StatusOK {
		t.Fatalf("notify: %d, %v", code, err)
	}
	advance(t, s, 0)
	contact, err := s.System().Store.FindContactByEmail(ctx, "northwind", "ada@analytical.example")
	if err != nil {
		t.Fatalf("the lead made no contact: %v", err)
	}
	if li.Calls(linkedintest.RouteLead) == 0 {
		t.Fatal("the lead was never fetched from LinkedIn")
	}
	// A backfill through the management API finds the lead delivered.
	mc := &manage.Client{BaseURL: s.URL(), BU: "northwind", Sign: func(*http.Request, []byte) error { return nil }}
	if st, err := mc.Backfill(ctx, []linkedin.Lead{lead}); err != nil || st != (leads.PageStats{Leads: 1, Duplicates: 1}) {
		t.Fatalf("backfill of the delivered lead: %+v, %v; want a duplicate", st, err)
	}

	// The email went to the provider; its pixel, opened, resumes the wait.
	msgs := provider.Messages()
	if len(msgs) != 1 || msgs[0].Contact != contact.ID || msgs[0].Metadata.Template != "welcome-intro" {
		t.Fatalf("provider got %+v", msgs)
	}
	// An hour on, the contact still waits at "opened": the trace says so,
	// since the wait was registered.
	advance(t, s, time.Hour)
	checkWaitingAt(t, mc, contact.ID, "opened", vc.Now())
	open := html.UnescapeString(pixelRE.FindString(msgs[0].HTML))
	if !strings.HasPrefix(open, s.URL()+"/t/o?") {
		t.Fatalf("pixel URL %q does not point at the dev server", open)
	}
	if code := get(t, open); code != http.StatusOK {
		t.Fatalf("pixel: %d", code)
	}
	advance(t, s, 0)

	// The approval request reached the flow, which approves it.
	reqs := flow.Requests()
	if len(reqs) != 1 || reqs[0].Contact == nil || reqs[0].Contact.ID != contact.ID || reqs[0].Journey.Step != "ask" {
		t.Fatalf("flow got %+v", reqs)
	}
	for _, a := range flow.RespondAll(ctx) {
		if a.Err != nil || a.Status != http.StatusOK {
			t.Fatalf("approval callback: %+v", a)
		}
	}
	advance(t, s, time.Minute)

	en := enrolment(t, s, "e2e-handoff", contact.ID, lead.ID)
	if en.Status != store.EnrolmentGoal {
		t.Fatalf("enrolment %+v, want the goal reached", en)
	}
	tasks, err := s.System().Store.ListSalesTasksByContact(ctx, "northwind", contact.ID)
	if err != nil || len(tasks) != 1 || tasks[0].Title != "Call the lead" || tasks[0].Owner != e2eSalesOwner {
		t.Fatalf("sales tasks: %+v, %v", tasks, err)
	}
	counts, err := s.System().Store.Funnel(ctx, "northwind", "e2e-handoff")
	if err != nil {
		t.Fatal(err)
	}
	goals := int64(0)
	for _, c := range counts {
		if c.Outcome == "goal" {
			goals += c.Count
		}
	}
	if goals != 1 {
		t.Fatalf("funnel %+v: want one goal", counts)
	}
	if n := len(provider.Messages()); n != 1 {
		t.Fatalf("the provider got %d messages; the goal ends the journey before the second", n)
	}
}

// checkWaitingAt checks that the contact's trace places it at a
// wait-for-event step since the step log's "waited" entry of that step,
// which is before now.
func checkWaitingAt(t *testing.T, mc *manage.Client, contact, step string, now time.Time) {
	t.Helper()
	tr, err := mc.Trace(context.Background(), contact)
	if err != nil {
		t.Fatal(err)
	}
	var waited time.Time
	for _, l := range tr.Steps {
		if l.Step == step && l.Outcome == store.StepWaited {
			waited = l.At
		}
	}
	if len(tr.Positions) != 1 || waited.IsZero() || !waited.Before(now) {
		t.Fatalf("trace positions %+v, waited at %s: want one position at %s", tr.Positions, waited, step)
	}
	if p := tr.Positions[0]; p.Step != step || !p.Since.Equal(waited) || p.Derived {
		t.Errorf("position %+v: want at step %s since %s", p, step, waited)
	}
}

// e2eSalesOwner is the sales rep the form's campaign hands leads to.
const e2eSalesOwner = "u-sales-044"

// e2eForm is the lead form: name, email, company, an email consent and a
// hidden field naming the sales owner.
func e2eForm() linkedin.Form {
	text := func(s string) linkedin.MultiLocaleString {
		return linkedin.MultiLocaleString{Localized: map[string]string{"en_US": s}}
	}
	q := func(id int64, name, predefined string) linkedin.Question {
		return linkedin.Question{QuestionID: id, Name: name, Question: text(name), PredefinedField: predefined,
			QuestionDetails: linkedin.QuestionDetails{TextQuestionDetails: &linkedin.TextQuestionDetails{MaxResponseLength: 300}}}
	}
	return linkedin.Form{
		ID: e2eFormID, VersionID: 1, Name: "Welcome", Owner: &linkedin.Union{Kind: "sponsoredAccount", URN: e2eOwner},
		CreationLocale: &linkedin.Locale{Country: "US", Language: "en"},
		Content: linkedin.FormContent{
			Questions: []linkedin.Question{q(11, "firstName", "FIRST_NAME"), q(12, "lastName", "LAST_NAME"), q(13, "email", "EMAIL"), q(14, "company", "COMPANY_NAME")},
			LegalInfo: &linkedin.LegalInfo{Consents: []linkedin.ConsentDef{{ID: 1, Consent: text("Email me")}}},
		},
		HiddenFields: []linkedin.HiddenField{{Name: "owner", Value: e2eSalesOwner}},
	}
}

func e2eLead() linkedin.Lead {
	answer := func(q int64, v string) linkedin.Answer {
		return linkedin.Answer{QuestionID: q, AnswerDetails: linkedin.AnswerDetails{TextQuestionAnswer: &linkedin.TextQuestionAnswer{Answer: v}}}
	}
	return linkedin.Lead{
		ID: "5e1b4f0a-d272-44ba-a7db-c2bdce579507-1", Owner: linkedin.Union{Kind: "sponsoredAccount", URN: e2eOwner},
		LeadType: linkedin.LeadTypeSponsored, FormURN: linkedin.FormVersion{FormID: e2eFormID, Version: 1}.URN(),
		SubmittedAt: t0.UnixMilli(),
		FormResponse: linkedin.FormResponse{
			Answers:          []linkedin.Answer{answer(11, "Ada"), answer(12, "Lovelace"), answer(13, "ada@analytical.example"), answer(14, "Analytical Engines")},
			ConsentResponses: []linkedin.ConsentResponse{{ConsentID: 1, Accepted: true}},
		},
	}
}
