package manage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/manage"
)

// finderLead is a lead as LinkedIn's owner finder returns it, answers
// included.
func finderLead(n int, owner string) linkedin.Lead {
	return linkedin.Lead{
		ID: fmt.Sprintf("lead-%03d", n), Owner: linkedin.Union{Kind: "sponsoredAccount", URN: owner},
		LeadType: linkedin.LeadTypeSponsored, FormURN: linkedin.FormVersion{FormID: 42, Version: 1}.URN(),
		SubmittedAt: time.Date(2026, 2, 1, 12, 0, n, 0, time.UTC).UnixMilli(),
		FormResponse: linkedin.FormResponse{Answers: []linkedin.Answer{{QuestionID: 7,
			AnswerDetails: linkedin.AnswerDetails{TextQuestionAnswer: &linkedin.TextQuestionAnswer{Answer: "Ada"}}}}},
	}
}

func pageBody(t *testing.T, ls ...linkedin.Lead) string {
	t.Helper()
	raw, err := json.Marshal(manage.BackfillRequest{Leads: ls})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// queued returns how many lead messages wait in the queue.
func (f *fixture) queued(t *testing.T) int {
	t.Helper()
	n, _, err := f.leadQ.Depth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackfillRoute: who may backfill, and what a refused page leaves
// behind (nothing).
func TestBackfillRoute(t *testing.T) {
	f := newFixture(t, manage.Config{})
	iam := func(name string) map[string]string {
		return map[string]string{principalHeader: "arn:aws:iam::1:role/" + name, "Content-Type": "application/json"}
	}
	n := 0
	page := func(owners ...string) string { // fresh leads, so every accepted page queues them all
		var ls []linkedin.Lead
		for _, o := range owners {
			n++
			ls = append(ls, finderLead(n, o))
		}
		return pageBody(t, ls...)
	}
	const ok, forbidden = http.StatusOK, http.StatusForbidden
	for _, tt := range []struct {
		name    string
		path    string
		headers map[string]string
		body    string
		want    int
		message string
	}{
		{"no key", "/api/leads/backfill", nil, page(northwindOwner), http.StatusUnauthorized, ""},
		{"a key without scopes", "/api/leads/backfill", f.bearer("ops"), page(northwindOwner), forbidden, "lacks the scope leads:write"},
		{"a key with every scope", "/api/leads/backfill", f.bearer("all"), page(northwindOwner), forbidden, "lacks the scope leads:write"},
		{"a read-only key", "/api/leads/backfill", f.bearer("reader"), page(northwindOwner), forbidden, "lacks the scope leads:write"},
		{"another unit's key without the scope", "/api/leads/backfill", f.bearer("other"), page(northwindOwner), forbidden, "lacks the scope"},
		{"leads:write", "/api/leads/backfill", f.bearer("backfill"), page(northwindOwner, northwindOwner), ok, ""},
		{"IAM", "/manage/northwind/leads/backfill", iam("ops"), page(northwindOwner), ok, ""},
		{"another unit's lead in the page", "/api/leads/backfill", f.bearer("backfill"), page(northwindOwner, contosoOwner, northwindOwner), forbidden,
			"owner " + contosoOwner + ": leads: the lead's owner is not one of the business unit's linkedin owners (nothing of this page was queued)"},
		{"nobody's lead", "/api/leads/backfill", f.bearer("backfill"), page("urn:li:sponsoredAccount:9"), forbidden, "not one of the business unit's"},
		{"northwind's leads with contoso's key", "/api/leads/backfill", f.bearer("other-backfill"), page(northwindOwner), forbidden, "not one of the business unit's"},
		{"northwind's leads by IAM for contoso", "/manage/contoso/leads/backfill", iam("ops"), page(northwindOwner), forbidden, "not one of the business unit's"},
		{"contoso's leads by IAM for contoso", "/manage/contoso/leads/backfill", iam("ops"), page(contosoOwner), ok, ""},
		{"GET", "/api/leads/backfill", f.bearer("backfill"), "", http.StatusMethodNotAllowed, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.queued(t)
			method := http.MethodPost
			if tt.name == "GET" {
				method = http.MethodGet
			}
			status, raw := f.call(t, method, tt.path, tt.headers, []byte(tt.body))
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, raw)
			}
			if tt.message != "" {
				if got := decodeJSON[manage.ErrorBody](t, raw).Error.Message; !strings.Contains(got, tt.message) {
					t.Errorf("message %q, want it to contain %q", got, tt.message)
				}
			}
			var want int
			if status == ok {
				want = strings.Count(tt.body, `"id"`)
				if got := decodeJSON[leads.PageStats](t, raw); got != (leads.PageStats{Leads: want, Queued: want}) {
					t.Errorf("answer %+v, want %d leads queued", got, want)
				}
			}
			if got := f.queued(t) - before; got != want {
				t.Errorf("%d leads queued, want %d", got, want)
			}
		})
	}
	want := []string{"key:backfill linkedin-backfill " + northwindOwner, "arn:aws:iam::1:role/ops linkedin-backfill " + northwindOwner}
	if diff := cmp.Diff(want, f.audit(t, bu)); diff != "" {
		t.Errorf("northwind's audit log (-want +got):\n%s", diff)
	}
}

// TestBackfillDuplicates: a lead the webhook delivered, or an earlier
// page queued, is counted as a duplicate and not queued again.
func TestBackfillDuplicates(t *testing.T) {
	f := newFixture(t, manage.Config{})
	ctx := context.Background()
	ls := []linkedin.Lead{finderLead(1, northwindOwner), finderLead(2, northwindOwner), finderLead(3, northwindOwner)}
	n, err := leads.NotificationFor(ls[1])
	if err != nil {
		t.Fatal(err)
	}
	if dup, err := f.inbox.Accept(ctx, n, nil); err != nil || dup {
		t.Fatalf("webhook delivery: duplicate %v, %v", dup, err)
	}
	c := f.client("backfill")
	for _, s := range []struct {
		name string
		page []linkedin.Lead
		want leads.PageStats
	}{
		{"one delivered by the webhook", ls, leads.PageStats{Leads: 3, Queued: 2, Duplicates: 1}},
		{"again", ls, leads.PageStats{Leads: 3, Duplicates: 3}},
		{"twice in one page", []linkedin.Lead{finderLead(4, northwindOwner), finderLead(4, northwindOwner)}, leads.PageStats{Leads: 2, Queued: 1, Duplicates: 1}},
	} {
		got, err := c.Backfill(ctx, s.page)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", s.name, diff)
		}
	}
	if got := f.queued(t); got != 4 {
		t.Errorf("%d messages queued, want 4 (each lead once)", got)
	}
	msgs, err := f.leadQ.Receive(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{}
	for _, m := range msgs {
		pm, err := leads.ParseMessage(m.Body)
		if err != nil || pm.BU != bu {
			t.Fatalf("message %+v, %v", pm, err)
		}
		sources[pm.Lead] = pm.Source
	}
	want := map[string]string{"lead-001": "backfill", "lead-002": "webhook", "lead-003": "backfill", "lead-004": "backfill"}
	if diff := cmp.Diff(want, sources); diff != "" {
		t.Errorf("queued (-want +got):\n%s", diff)
	}
	_, err = f.client("other-backfill").Backfill(ctx, ls)
	var apiErr *manage.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden || apiErr.Detail.Code != "forbidden" {
		t.Errorf("contoso backfills northwind's leads: %v, want 403 forbidden", err)
	}
}

// TestBackfillBodies: malformed bodies are 400, oversized ones 413, and
// none queues anything.
func TestBackfillBodies(t *testing.T) {
	f := newFixture(t, manage.Config{})
	good := finderLead(1, northwindOwner)
	noID := good
	noID.ID = ""
	noForm := good
	noForm.FormURN = "urn:li:leadGenForm:1"
	many := make([]linkedin.Lead, manage.MaxBackfillLeads+1)
	for i := range many {
		many[i] = finderLead(i, northwindOwner)
	}
	huge := `{"leads": [` + strings.Repeat(" ", manage.MaxBackfillBytes) + `]}`
	for _, tt := range []struct {
		name, body string
		want       int
		message    string
	}{
		{"not JSON", `leads`, http.StatusBadRequest, "the body is not {\"leads\": [...]}"},
		{"an array", `[]`, http.StatusBadRequest, "the body is not"},
		{"unknown member", `{"leads": [], "notifications": []}`, http.StatusBadRequest, `unknown field "notifications"`},
		{"no leads", `{"leads": []}`, http.StatusBadRequest, "give 1 to 500 leads, not 0"},
		{"too many leads", pageBody(t, many...), http.StatusBadRequest, "give 1 to 500 leads, not 501"},
		{"a lead without id", pageBody(t, good, noID), http.StatusBadRequest, "leads[1]: "},
		{"a lead without a versioned form", pageBody(t, noForm), http.StatusBadRequest, "leads[0]: "},
		{"a lead that is a string", `{"leads": ["lead-1"]}`, http.StatusBadRequest, "leads[0]: "},
		{"trailing data", pageBody(t, good) + `{}`, http.StatusBadRequest, "data after"},
		{"too large", huge, http.StatusRequestEntityTooLarge, "larger than 1048576 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, raw := f.call(t, http.MethodPost, "/api/leads/backfill", f.bearer("backfill"), []byte(tt.body))
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, raw)
			}
			if got := decodeJSON[manage.ErrorBody](t, raw).Error.Message; !strings.Contains(got, tt.message) {
				t.Errorf("message %q, want it to contain %q", got, tt.message)
			}
			if n := f.queued(t); n != 0 {
				t.Errorf("%d leads queued", n)
			}
		})
	}
	t.Run("no lead queue", func(t *testing.T) {
		srv := httptest.NewServer(manage.NewHandler(f.svc, manage.HandlerOptions{}))
		defer srv.Close()
		_, err := (&manage.Client{BaseURL: srv.URL, Key: f.keys["backfill"]}).Backfill(context.Background(), []linkedin.Lead{good})
		var apiErr *manage.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotImplemented {
			t.Errorf("err = %v, want 501", err)
		}
	})
}
