package linkedin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
)

// sleeper records waits instead of sleeping.
type sleeper struct{ waits []time.Duration }

func (s *sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.waits = append(s.waits, d)
	return ctx.Err()
}

func newClient(t *testing.T, fake *linkedintest.Server, mod func(*linkedin.ClientOptions)) (*linkedin.Client, *sleeper) {
	t.Helper()
	sl := &sleeper{}
	opts := linkedin.ClientOptions{
		BaseURL: fake.URL, Version: "202601", Tokens: linkedin.StaticToken(fake.Token()),
		Sleep: sl.Sleep, Rand: func() float64 { return 0.5 }, BaseDelay: time.Second, MaxDelay: 30 * time.Second,
		Now: func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }, Logger: quietLogger(),
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := linkedin.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

func fixtures(t *testing.T) (linkedin.Lead, linkedin.Form) {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	l, err := linkedin.ParseLead(read("lead.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := linkedin.ParseForm(read("form.json"))
	if err != nil {
		t.Fatal(err)
	}
	return l, f
}

func TestClientLead(t *testing.T) {
	lead, form := fixtures(t)
	fake := linkedintest.NewServer(t, linkedintest.Options{})
	fake.AddLead(lead)
	fake.AddForm(form)
	c, _ := newClient(t, fake, nil)
	got, err := c.Lead(context.Background(), "urn:li:leadGenFormResponse:"+lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := lead
	want.Form = &form
	var compact bytes.Buffer // the fake re-encodes leadMetadata without spaces
	if err := json.Compact(&compact, want.LeadMetadata); err != nil {
		t.Fatal(err)
	}
	want.LeadMetadata = compact.Bytes()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lead (-want +got):\n%s", diff)
	}
	req := fake.Requests()[0]
	if req.Path != "/rest/leadFormResponses/249592fc-d272-44ba-a7db-c2bdce579507-6" {
		t.Errorf("path = %s", req.Path)
	}
	if _, err := c.Lead(context.Background(), "urn:li:leadGenFormResponse:../../admin"); !errors.Is(err, linkedin.ErrInvalidURN) {
		t.Errorf("path traversal id: err = %v, want ErrInvalidURN", err)
	}
}

func TestClientRetries(t *testing.T) {
	lead, _ := fixtures(t)
	tests := []struct {
		name     string
		inject   func(*linkedintest.Server)
		token    string
		wantErr  error
		calls    int
		waits    []time.Duration
		attempts int
	}{
		{name: "429 with Retry-After", inject: func(s *linkedintest.Server) { s.FailNext(2, 429, 7*time.Second) },
			calls: 3, waits: []time.Duration{7 * time.Second, 7 * time.Second}},
		{name: "5xx backs off", inject: func(s *linkedintest.Server) { s.FailNext(1, 500, 0); s.FailNext(1, 503, 0) },
			calls: 3, waits: []time.Duration{500 * time.Millisecond, time.Second}},
		{name: "5xx exhausted", inject: func(s *linkedintest.Server) { s.FailNext(10, 502, 0) }, wantErr: linkedin.ErrTransient,
			calls: 3, waits: []time.Duration{500 * time.Millisecond, time.Second}, attempts: 3},
		{name: "429 asking too long", inject: func(s *linkedintest.Server) { s.FailNext(1, 429, time.Hour) }, wantErr: linkedin.ErrTransient, calls: 1},
		{name: "401 not retried", token: "expired", wantErr: linkedin.ErrUnauthorized, calls: 1},
		{name: "403 not retried", inject: func(s *linkedintest.Server) { s.FailNext(1, 403, 0) }, wantErr: linkedin.ErrForbidden, calls: 1},
		{name: "404", inject: func(s *linkedintest.Server) { s.DeleteLead(lead.ID) }, wantErr: linkedin.ErrNotFound, calls: 1},
		{name: "400 not retried", inject: func(s *linkedintest.Server) { s.FailNext(1, 400, 0) }, wantErr: linkedin.ErrRequest, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := linkedintest.NewServer(t, linkedintest.Options{})
			fake.AddLead(lead)
			if tt.inject != nil {
				tt.inject(fake)
			}
			c, sl := newClient(t, fake, func(o *linkedin.ClientOptions) {
				o.Attempts = 3
				if tt.token != "" {
					o.Tokens = linkedin.StaticToken(tt.token)
				}
			})
			_, err := c.Lead(context.Background(), lead.ID)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("Lead: %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var apiErr *linkedin.APIError
			if tt.attempts > 0 && (!errors.As(err, &apiErr) || apiErr.Attempts != tt.attempts) {
				t.Errorf("err = %#v, want %d attempts", err, tt.attempts)
			}
			if got := fake.Calls(linkedintest.RouteLead); got != tt.calls {
				t.Errorf("calls = %d, want %d", got, tt.calls)
			}
			if diff := cmp.Diff(tt.waits, sl.waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientRandomFailuresConverge(t *testing.T) {
	lead, _ := fixtures(t)
	fake := linkedintest.NewServer(t, linkedintest.Options{})
	fake.AddLead(lead)
	fake.FailRandomly(0.3, 42, 503)
	c, _ := newClient(t, fake, func(o *linkedin.ClientOptions) { o.Attempts = 10 })
	for i := 0; i < 20; i++ {
		if _, err := c.Lead(context.Background(), lead.ID); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if calls := fake.Calls(linkedintest.RouteLead); calls <= 20 {
		t.Errorf("calls = %d: the failure rate injected nothing", calls)
	}
}

func TestClientHeaders(t *testing.T) {
	lead, _ := fixtures(t)
	fake := linkedintest.NewServer(t, linkedintest.Options{Versions: []string{"202512"}})
	fake.AddLead(lead)
	c, _ := newClient(t, fake, nil) // sends 202601
	_, err := c.Lead(context.Background(), lead.ID)
	var apiErr *linkedin.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUpgradeRequired || apiErr.Code != "NONEXISTENT_VERSION" {
		t.Fatalf("err = %v, want 426 NONEXISTENT_VERSION", err)
	}
	if _, err := linkedin.NewClient(linkedin.ClientOptions{Version: "2026-01", Tokens: linkedin.StaticToken("x")}); err == nil {
		t.Error("NewClient accepted version 2026-01")
	}
}

func TestClientForm(t *testing.T) {
	_, form := fixtures(t)
	fake := linkedintest.NewServer(t, linkedintest.Options{})
	fake.AddForm(form)
	c, _ := newClient(t, fake, nil)
	got, err := c.Form(context.Background(), form.Version())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(form, got); diff != "" {
		t.Errorf("form (-want +got):\n%s", diff)
	}
	v2 := form
	v2.VersionID = 2
	fake.AddForm(v2)
	_, err = c.Form(context.Background(), form.Version())
	var fve *linkedin.FormVersionError
	if !errors.As(err, &fve) || fve.Got.Version != 2 {
		t.Fatalf("err = %v, want a FormVersionError naming version 2", err)
	}
}

func TestFormResolver(t *testing.T) {
	lead, form := fixtures(t)
	fake := linkedintest.NewServer(t, linkedintest.Options{})
	fake.AddForm(form)
	fake.AddLead(lead)
	c, _ := newClient(t, fake, nil)
	r := &linkedin.FormResolver{Fetcher: c, Cache: linkedin.NewLRU(8)}
	ctx := context.Background()
	bare := lead // no projected form: the resolver must fetch it
	for i := 0; i < 3; i++ {
		if _, err := r.FormFor(ctx, bare); err != nil {
			t.Fatal(err)
		}
	}
	if got := fake.Calls(linkedintest.RouteForm); got != 1 {
		t.Errorf("forms calls = %d, want 1 (cached after the first)", got)
	}
	// A lead fetched with its projected form resolves without a forms call.
	r2 := &linkedin.FormResolver{Fetcher: c, Cache: linkedin.NewLRU(8)}
	full, err := c.Lead(ctx, lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := r2.FormFor(ctx, full)
	if err != nil || f.Version() != form.Version() {
		t.Fatalf("FormFor = %v, %v", f.Version(), err)
	}
	if got := fake.Calls(linkedintest.RouteForm); got != 1 {
		t.Errorf("forms calls = %d, want still 1", got)
	}
}

func TestLRU(t *testing.T) {
	c := linkedin.NewLRU(2)
	v := func(n int64) linkedin.FormVersion { return linkedin.FormVersion{FormID: n, Version: 1} }
	c.Add(v(1), linkedin.Form{ID: 1})
	c.Add(v(2), linkedin.Form{ID: 2})
	c.Get(v(1)) // 2 is now least recently used
	c.Add(v(3), linkedin.Form{ID: 3})
	if _, ok := c.Get(v(2)); ok {
		t.Error("2 should have been evicted")
	}
	for _, n := range []int64{1, 3} {
		if f, ok := c.Get(v(n)); !ok || f.ID != n {
			t.Errorf("Get(%d) = %v, %v", n, f.ID, ok)
		}
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d", c.Len())
	}
}

func TestLeadPager(t *testing.T) {
	lead, form := fixtures(t)
	fake := linkedintest.NewServer(t, linkedintest.Options{})
	fake.AddForm(form)
	base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	owner := lead.Owner
	other := linkedin.Union{Kind: "sponsoredAccount", URN: "urn:li:sponsoredAccount:999"}
	var want []string
	for i := 0; i < 30; i++ {
		l := lead
		l.ID = fmt.Sprintf("lead-%02d", i)
		l.SubmittedAt = base.Add(time.Duration(i) * time.Hour).UnixMilli()
		l.TestLead = false
		switch {
		case i >= 25: // after the range
		case i%7 == 3:
			l.Owner = other
		default:
			want = append(want, l.ID)
		}
		fake.AddLead(l)
	}
	c, _ := newClient(t, fake, nil)
	q := linkedin.LeadQuery{Owner: owner, Since: base, Until: base.Add(24*time.Hour + 30*time.Minute), PageSize: 10}
	p := c.Leads(q, 0)
	var got []string
	var sizes []int
	for !p.Done() {
		page, err := p.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Leads))
		for _, l := range page.Leads {
			if l.Form == nil || l.Form.Version() != form.Version() {
				t.Errorf("lead %s lacks its projected form", l.ID)
			}
			got = append(got, l.ID)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lead ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{10, 10, 1}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	first := fake.Requests()[0].RawQuery
	wantQuery := "q=owner&owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A1234567)&leadType=(leadType:SPONSORED)" +
		"&limitedToTestLeads=false&submittedAtTimeRange=(start:1769904000000,end:1769992200000)&fields="
	if len(first) < len(wantQuery) || first[:len(wantQuery)] != wantQuery {
		t.Errorf("first query =\n%s\nwant prefix\n%s", first, wantQuery)
	}
	if p.Start != 21 {
		t.Errorf("Start = %d, want 21", p.Start)
	}
	resumed := c.Leads(q, 20)
	page, err := resumed.Next(context.Background())
	if err != nil || len(page.Leads) != 1 || !resumed.Done() {
		t.Errorf("resume at 20: %d leads, done=%v, err=%v", len(page.Leads), resumed.Done(), err)
	}
	if _, err := c.Leads(linkedin.LeadQuery{Owner: owner}, 0).Next(context.Background()); err == nil {
		t.Error("a query without a time range was sent")
	}
}

func TestLeadPagerTestLeadsOnly(t *testing.T) {
	lead, _ := fixtures(t)
	fake := linkedintest.NewServer(t, linkedintest.Options{})
	real := lead
	real.ID, real.TestLead = "real-1", false
	fake.AddLead(lead) // testLead: true
	fake.AddLead(real)
	c, _ := newClient(t, fake, nil)
	at := lead.Submitted()
	p := c.Leads(linkedin.LeadQuery{Owner: lead.Owner, TestLeadsOnly: true, Since: at.Add(-time.Hour), Until: at.Add(time.Hour)}, 0)
	page, err := p.Next(context.Background())
	if err != nil || len(page.Leads) != 1 || page.Leads[0].ID != lead.ID {
		t.Fatalf("page = %+v, %v", page, err)
	}
}

func TestSubscriptions(t *testing.T) {
	ctx := context.Background()
	inbox := &memInbox{}
	hook := newWebhook(t, inbox, "app-secret")
	fake := linkedintest.NewServer(t, linkedintest.Options{ClientSecret: "app-secret", ValidateOnSubscribe: true})
	c, _ := newClient(t, fake, nil)
	owner := linkedin.Union{Kind: "sponsoredAccount", URN: "urn:li:sponsoredAccount:1234567"}
	id, err := c.Subscribe(ctx, linkedin.Subscription{Webhook: hook.URL, Owner: owner})
	if err != nil {
		t.Fatal(err)
	}
	if id != "1" {
		t.Errorf("id = %q", id)
	}
	subs, err := c.Subscriptions(ctx, owner, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []linkedin.Subscription{{ID: "1", Webhook: hook.URL, Owner: owner, LeadType: "SPONSORED"}}
	if diff := cmp.Diff(want, subs); diff != "" {
		t.Errorf("subscriptions (-want +got):\n%s", diff)
	}
	// LinkedIn pushes a new lead to the subscribed webhook.
	lead, _ := fixtures(t)
	deliveries := fake.Publish(ctx, lead, linkedin.ActionCreated, time.Unix(1_800_000_000, 0))
	if len(deliveries) != 1 || deliveries[0].Status != 200 || inbox.count() != 1 {
		t.Fatalf("deliveries = %+v, inbox %d", deliveries, inbox.count())
	}
	if err := c.Unsubscribe(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := c.Unsubscribe(ctx, id); !errors.Is(err, linkedin.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	// An endpoint that cannot answer the challenge is refused.
	bad := newWebhook(t, &memInbox{}, "another-app")
	if _, err := c.Subscribe(ctx, linkedin.Subscription{Webhook: bad.URL, Owner: owner}); !errors.Is(err, linkedin.ErrRequest) {
		t.Errorf("subscribe unvalidated webhook: %v, want ErrRequest", err)
	}
}
