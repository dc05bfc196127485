package approval_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/approval/flowtest"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

var approve = flowtest.Decision{Outcome: approval.OutcomeApprove, Responder: "Grace Hopper", Email: "grace@example.com", Comments: "Hand it over"}
var reject = flowtest.Decision{Outcome: approval.OutcomeReject, Responder: "Grace Hopper", Email: "grace@example.com", Comments: "Not yet"}

func TestStepApproved(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, flowtest.Options{})
	req := f.request("token-1")
	f.request("token-1") // a retried invocation
	if got := f.flow.Requests(); len(got) != 1 || got[0].Posts != 1 {
		t.Fatalf("flow requests %+v, want one request posted once", got)
	}
	want := approval.FlowRequest{
		V: 1, Type: "approval.requested", Approval: req.Approval, Kind: "step", BU: bu,
		Title: "Ask sales to take the lead", Details: "A warm lead finished the welcome series. Hand it to sales?", Approvers: "sales-emea",
		Journey:     &approval.FlowJourney{ID: "welcome", Version: 1, Step: "ask-sales", Execution: execution},
		Contact:     &approval.FlowContact{ID: "c-1", Name: "Ada Lovelace", Company: "Analytical Engines", JobTitle: "CTO"},
		RequestedAt: f.clock.Now(), ExpiresAt: f.clock.Now().Add(48 * time.Hour), CallbackURL: req.CallbackURL,
		Outcomes: []string{"Approve", "Reject"},
	}
	if diff := cmp.Diff(want, req.FlowRequest); diff != "" {
		t.Errorf("flow request (-want +got):\n%s", diff)
	}
	if strings.Contains(req.CallbackURL, "token-1") {
		t.Error("the task token travels in the callback URL")
	}
	f.clock.Advance(time.Hour)
	ans := f.flow.Respond(ctx, req.Approval, approve)
	if ans.Err != nil || ans.Status != http.StatusOK {
		t.Fatalf("decision: %+v", ans)
	}
	out, _ := json.Marshal(wire.ApprovalOutput{Outcome: "approved", Approval: req.Approval})
	if diff := cmp.Diff([]taskCall{{Token: "token-1", Output: string(out)}}, f.tasks.calls); diff != "" {
		t.Errorf("Step Functions calls (-want +got):\n%s", diff)
	}
	a, err := f.st.GetApproval(ctx, bu, req.Approval)
	if err != nil || a.Status != store.ApprovalApproved || a.Responder != "Grace Hopper" || a.Comments != "Hand it over" || a.Decision != "Approve" {
		t.Errorf("stored approval %+v, %v", a, err)
	}
	if raw, _ := json.Marshal(a); bytes.Contains(raw, []byte("grace@example.com")) {
		t.Error("the responder's email address was stored")
	}
	if ans := f.flow.Respond(ctx, req.Approval, reject); ans.Status != http.StatusConflict {
		t.Errorf("second decision: %d, want 409", ans.Status)
	}
	if len(f.tasks.calls) != 1 {
		t.Errorf("a second decision reached Step Functions: %+v", f.tasks.calls)
	}
}

func TestStepRejected(t *testing.T) {
	f := newFixture(t, flowtest.Options{SignCallbacks: true})
	req := f.request("token-2")
	if ans := f.flow.Respond(context.Background(), req.Approval, reject); ans.Status != http.StatusOK {
		t.Fatalf("decision: %+v", ans)
	}
	want := []taskCall{{Token: "token-2", Error: wire.ErrRejected, Cause: "approval " + req.Approval + " rejected"}}
	if diff := cmp.Diff(want, f.tasks.calls); diff != "" {
		t.Errorf("Step Functions calls (-want +got):\n%s", diff)
	}
}

func TestNewTokenIsANewApproval(t *testing.T) {
	f := newFixture(t, flowtest.Options{})
	a := f.request("token-a")
	b := f.request("token-b")
	if a.Approval == b.Approval || len(f.flow.Requests()) != 2 {
		t.Errorf("two task entries share approval %s", a.Approval)
	}
}

func TestFlowUnavailable(t *testing.T) {
	f := newFixture(t, flowtest.Options{})
	f.flow.FailNext(webhook.DefaultMaxAttempts, http.StatusServiceUnavailable)
	_, err := f.svc.Task(context.Background(), stepRequest("token-3"))
	var named *wire.Error
	if !errors.As(err, &named) || named.Name != wire.ErrTransient {
		t.Fatalf("task with the flow down: %v, want %s", err, wire.ErrTransient)
	}
	req := f.request("token-3") // Step Functions retries
	if req.Posts != 1 || len(f.flow.Requests()) != 1 {
		t.Errorf("after the retry: %d requests, %d posts; want one", len(f.flow.Requests()), req.Posts)
	}
	f.flow.FailNext(1, http.StatusBadRequest)
	_, err = f.svc.Task(context.Background(), stepRequest("token-4"))
	if err == nil || errors.As(err, &named) && named.Name == wire.ErrTransient {
		t.Errorf("a flow refusing the request: %v, want a permanent failure", err)
	}
}

func TestInvalidPayloads(t *testing.T) {
	f := newFixture(t, flowtest.Options{})
	for name, mutate := range map[string]func(*wire.StepRequest){
		"no token":          func(r *wire.StepRequest) { r.Token = "" },
		"wrong op":          func(r *wire.StepRequest) { r.Op = wire.OpSend },
		"not an approval":   func(r *wire.StepRequest) { r.Step = "send-intro" },
		"no such step":      func(r *wire.StepRequest) { r.Step = "nope" },
		"no such execution": func(r *wire.StepRequest) { r.Execution = "" },
	} {
		t.Run(name, func(t *testing.T) {
			req := stepRequest("token")
			mutate(&req)
			_, err := f.svc.Task(context.Background(), req)
			var named *wire.Error
			if !errors.As(err, &named) || named.Name != wire.ErrInvalidPayload {
				t.Errorf("error %v, want %s", err, wire.ErrInvalidPayload)
			}
		})
	}
}

func TestPublishApprovalRunsTheHook(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, flowtest.Options{})
	sub := approval.Subject{BU: bu, Kind: store.ApprovalPublish, Key: "welcome|2", Title: "Publish welcome v2",
		Journey: "welcome", Version: 2, Expires: f.clock.Now().Add(24 * time.Hour)}
	a, err := f.svc.Request(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := f.svc.Request(ctx, sub); err != nil || again.ID != a.ID || len(f.flow.Requests()) != 1 {
		t.Fatalf("asking again: %s %v, %d requests", again.ID, err, len(f.flow.Requests()))
	}
	if req := f.flow.Requests()[0]; req.Contact != nil || req.Journey.ID != "welcome" {
		t.Errorf("publish request %+v", req.FlowRequest)
	}
	if ans := f.flow.Respond(ctx, a.ID, approve); ans.Status != http.StatusOK {
		t.Fatalf("decision: %+v", ans)
	}
	if ans := f.flow.Respond(ctx, a.ID, approve); ans.Status != http.StatusConflict {
		t.Fatalf("repeat: %+v", ans)
	}
	if len(f.hooks.got) != 2 || f.hooks.got[0].Status != store.ApprovalApproved || f.hooks.got[0].Version != 2 {
		t.Errorf("hook calls %+v, want the approved publication (again on the repeat)", f.hooks.got)
	}
	if len(f.tasks.calls) != 0 {
		t.Error("a publish approval reached Step Functions")
	}
}

func TestExecutionNoLongerWaits(t *testing.T) {
	f := newFixture(t, flowtest.Options{})
	f.tasks.fail = workflow.ErrTaskGone
	req := f.request("token-5")
	if ans := f.flow.Respond(context.Background(), req.Approval, approve); ans.Status != http.StatusGone {
		t.Errorf("decision for a stopped execution: %+v, want 410", ans)
	}
}

// TestResumeFailureIsRetried: a decision recorded whose resume fails
// answers 503; the flow's retry resumes the execution with the first
// decision, instead of the step's timeout taking over.
func TestResumeFailureIsRetried(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, flowtest.Options{})
	req := f.request("token-6")
	f.tasks.fail = errors.New("ThrottlingException: rate exceeded")
	if ans := f.flow.Respond(ctx, req.Approval, approve); ans.Status != http.StatusServiceUnavailable {
		t.Fatalf("decision while Step Functions fails: %+v, want 503", ans)
	}
	f.tasks.fail = nil
	if ans := f.flow.Respond(ctx, req.Approval, reject); ans.Status != http.StatusConflict {
		t.Fatalf("retry: %+v, want 409 (decided before)", ans)
	}
	out, _ := json.Marshal(wire.ApprovalOutput{Outcome: "approved", Approval: req.Approval})
	if diff := cmp.Diff([]taskCall{{Token: "token-6", Output: string(out)}}, f.tasks.calls); diff != "" {
		t.Errorf("Step Functions calls (-want +got):\n%s", diff)
	}
}

func TestAutoFlow(t *testing.T) {
	f := newFixture(t, flowtest.Options{Auto: true, Decide: func(r approval.FlowRequest) flowtest.Decision {
		if r.Contact != nil && r.Contact.Company == "Analytical Engines" {
			return reject
		}
		return approve
	}})
	f.request("token-6")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.flow.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ans := f.flow.Answers(); ans[0].Status != http.StatusOK || ans[0].Outcome != approval.OutcomeReject {
		t.Errorf("answer %+v", ans[0])
	}
}

// TestCallbackRejections posts what the endpoint must refuse; none of it
// may decide the approval.
func TestCallbackRejections(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, flowtest.Options{})
	req := f.request("token-7")
	good := req.CallbackURL
	with := func(key, value string) string {
		u, _ := url.Parse(good)
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	without := func(key string) string {
		u, _ := url.Parse(good)
		q := u.Query()
		q.Del(key)
		u.RawQuery = q.Encode()
		return u.String()
	}
	unknown, _ := approval.CallbackURL(f.callback.URL+"/approvals/callback", []byte(callbackKey), bu, "ap-unknown", f.clock.Now().Add(time.Hour))
	outcome := flowtest.OutcomeBody(approve, f.clock.Now())
	signed := func(id string, at time.Time, secret webhook.Secret) http.Header {
		h := http.Header{}
		webhook.SignHeaders(h, []webhook.Secret{secret}, id, at, outcome)
		return h
	}
	other, _ := webhook.NewSecret(nil)
	for _, tc := range []struct {
		name   string
		method string
		url    string
		body   []byte
		header http.Header
		status int
	}{
		{"tampered id", "", with("id", "ap-0000000000000000000000000a"), outcome, nil, http.StatusUnauthorized},
		{"tampered expiry", "", with("exp", "4102444800"), outcome, nil, http.StatusUnauthorized},
		{"tampered signature", "", with("sig", "AAAA"), outcome, nil, http.StatusUnauthorized},
		{"tampered business unit", "", with("bu", "contoso"), outcome, nil, http.StatusUnauthorized},
		{"unsigned", "", without("sig"), outcome, nil, http.StatusUnauthorized},
		{"unknown approval", "", unknown, outcome, nil, http.StatusNotFound},
		{"lower-case outcome", "", good, []byte(`{"outcome":"approve","responses":[]}`), nil, http.StatusBadRequest},
		{"no outcome", "", good, []byte(`{"responses":[]}`), nil, http.StatusBadRequest},
		{"not JSON", "", good, []byte(`outcome=Approve`), nil, http.StatusBadRequest},
		{"two objects", "", good, []byte(`{"outcome":"Approve"}{}`), nil, http.StatusBadRequest},
		{"oversized", "", good, append([]byte(`{"outcome":"Approve","x":"`), bytes.Repeat([]byte("a"), approval.DefaultMaxBody)...), nil, http.StatusRequestEntityTooLarge},
		{"bad webhook signature", "", good, outcome, signed("msg_1", f.clock.Now(), other), http.StatusUnauthorized},
		{"stale webhook timestamp", "", good, outcome, signed("msg_2", f.clock.Now().Add(-6*time.Minute), f.secret), http.StatusUnauthorized},
		{"malformed webhook headers", "", good, outcome, http.Header{"Webhook-Id": {"msg_3"}}, http.StatusBadRequest},
		{"GET", http.MethodGet, good, nil, nil, http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			r, _ := http.NewRequest(method, tc.url, bytes.NewReader(tc.body))
			for k, v := range tc.header {
				r.Header[k] = v
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if a, _ := f.st.GetApproval(ctx, bu, req.Approval); a.Status != store.ApprovalPending {
				t.Errorf("approval became %s", a.Status)
			}
		})
	}
	if len(f.tasks.calls) != 0 {
		t.Errorf("a refused callback reached Step Functions: %+v", f.tasks.calls)
	}
	// The replay of a signed decision is a second decision: 409.
	h := signed("msg_4", f.clock.Now(), f.secret)
	for i, want := range []int{http.StatusOK, http.StatusConflict} {
		r, _ := http.NewRequest(http.MethodPost, good, bytes.NewReader(outcome))
		r.Header = h.Clone()
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("signed delivery %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}

func TestExpired(t *testing.T) {
	f := newFixture(t, flowtest.Options{})
	req := f.request("token-8")
	f.clock.Advance(49 * time.Hour)
	if ans := f.flow.Respond(context.Background(), req.Approval, approve); ans.Status != http.StatusGone {
		t.Errorf("late decision: %+v, want 410", ans)
	}
	// An approval that expires before its link does (stored with an
	// earlier expiry) is refused by the store: 410 too.
	ctx := context.Background()
	sub := approval.Subject{BU: bu, Kind: store.ApprovalContent, Key: "email/welcome-intro/en/3", Title: "Content",
		Expires: f.clock.Now().Add(time.Hour)}
	a, err := f.svc.Request(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	link, _ := approval.CallbackURL(f.callback.URL+"/approvals/callback", []byte(callbackKey), bu, a.ID, f.clock.Now().Add(48*time.Hour))
	f.clock.Advance(2 * time.Hour)
	if status, _, err := f.flow.Post(ctx, link, approve); err != nil || status != http.StatusGone {
		t.Errorf("decision on an expired approval: %d %v, want 410", status, err)
	}
}

// TestConcurrentDecisions: reviewers answering at once; one decision
// wins, the rest get 409, and the execution is resumed once.
func TestConcurrentDecisions(t *testing.T) {
	f := newFixture(t, flowtest.Options{})
	req := f.request("token-9")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 16; i++ {
		d := approve
		if i%2 == 1 {
			d = reject
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _, err := f.flow.Post(context.Background(), req.CallbackURL, d)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			codes[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[http.StatusOK] != 1 || codes[http.StatusConflict] != 15 {
		t.Errorf("answers %v, want one 200 and fifteen 409", codes)
	}
	if len(f.tasks.calls) != 1 {
		t.Errorf("Step Functions called %d times, want once", len(f.tasks.calls))
	}
}

// TestCallbackKeyRotation: a callback URL signed before the key rotated is
// accepted while its key is still listed, new URLs are signed with the new
// key, and a URL under a retired key is refused without a decision.
func TestCallbackKeyRotation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, flowtest.Options{})
	const newKey = "fedcba9876543210fedcba9876543210-rotated"
	ask := func(key string) flowtest.Request {
		t.Helper()
		a, err := f.svc.Request(ctx, approval.Subject{BU: bu, Kind: store.ApprovalContent, Key: key, Title: "Content",
			Expires: f.clock.Now().Add(72 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range f.flow.Requests() {
			if r.Approval == a.ID {
				return r
			}
		}
		t.Fatalf("the flow got no request for %s", a.ID)
		return flowtest.Request{}
	}
	signedWith := func(link, key string) bool {
		u, _ := url.Parse(link)
		_, err := approval.CheckCallbackURL(u.Query(), [][]byte{[]byte(key)}, f.clock.Now())
		return err == nil
	}
	before, retired := ask("email/a/en/1"), ask("email/b/en/1")

	f.setCallbackKeys(newKey, callbackKey)
	after := ask("email/c/en/1")
	if !signedWith(after.CallbackURL, newKey) || signedWith(after.CallbackURL, callbackKey) {
		t.Error("after the rotation, a new callback URL is not signed with the new key")
	}
	if status, _, err := f.flow.Post(ctx, before.CallbackURL, approve); err != nil || status != http.StatusOK {
		t.Errorf("URL signed before the rotation: %d %v, want 200", status, err)
	}

	f.setCallbackKeys(newKey)
	if status, _, err := f.flow.Post(ctx, retired.CallbackURL, approve); err != nil || status != http.StatusUnauthorized {
		t.Errorf("URL signed with a retired key: %d %v, want 401", status, err)
	}
	if a, _ := f.st.GetApproval(ctx, bu, retired.Approval); a.Status != store.ApprovalPending {
		t.Errorf("a URL under a retired key decided the approval: %s", a.Status)
	}
	if status, _, err := f.flow.Post(ctx, after.CallbackURL, reject); err != nil || status != http.StatusOK {
		t.Errorf("URL signed with the new key: %d %v, want 200", status, err)
	}
}

// TestCallbackKeyConfig: the keys a Config may hold.
func TestCallbackKeyConfig(t *testing.T) {
	long := strings.Repeat("k", approval.MinCallbackKey)
	for _, tc := range []struct {
		name   string
		config approval.Config
		ok     bool
	}{
		{"single key", approval.Config{CallbackKey: long}, true},
		{"key list", approval.Config{CallbackKeys: []string{long + "2", long}}, true},
		{"none", approval.Config{}, false},
		{"both forms", approval.Config{CallbackKey: long, CallbackKeys: []string{long}}, false},
		{"short key in the list", approval.Config{CallbackKeys: []string{long, "short"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, flowtest.Options{})
			secret, _ := webhook.NewSecret(nil)
			c := tc.config
			c.FlowURL, c.Secrets = f.flow.URL, []string{secret.Text()}
			svc, err := approval.New(approval.Options{Store: f.st, Poster: approval.Outbox{Dir: t.TempDir()},
				Settings:    func(context.Context, string) (approval.Config, error) { return c, nil },
				CallbackURL: "https://api.example.com/approvals/callback", Now: f.clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.Request(context.Background(), approval.Subject{BU: bu, Kind: store.ApprovalContent, Key: "k",
				Title: "Content", Expires: f.clock.Now().Add(time.Hour)})
			if (err == nil) != tc.ok {
				t.Errorf("request: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
