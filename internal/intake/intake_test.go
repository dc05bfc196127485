package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

func registered(id, contact string, webinar string) []byte {
	return mustJSON(map[string]any{"name": "webinar.registered", "id": id, "contact": contact,
		"attributes": registration(webinar)})
}

// registration is what a webinar platform posts about a registration: the
// webinar, and what the webinar journey's trigger declares it carries.
func registration(webinar string) map[string]any {
	return map[string]any{"webinarId": webinar, "seats": 2, "webinarTitle": "Forecasting with confidence",
		"webinarStartsAt": "2026-12-10T15:00:00Z", "joinUrl": "https://webinars.northwind.example/j/8841"}
}

func TestEventStartsTriggeredJourneys(t *testing.T) {
	f := newFixture(t)
	status, got := f.post(registered("reg-1", "c-1", webinarID), bearer(apiKey))
	exec := enrol.ExecutionArn(versionArn, enrol.ExecutionName(bu, "webinar", "c-1", "reg-1"))
	want := map[string]any{"event": "reg-1", "duplicate": false, "contact": "c-1",
		"started": []any{map[string]any{"journey": "webinar", "version": 1.0, "status": "enrolled", "execution": exec}},
		"skipped": []any{}, "resumed": []any{}}
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, got)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	status, again := f.post(registered("reg-1", "c-1", webinarID), bearer(apiKey))
	want["duplicate"] = true
	if diff := cmp.Diff(want, again); status != http.StatusOK || diff != "" {
		t.Errorf("repeat: %d (-want +got):\n%s", status, diff)
	}
	if len(f.sfn.starts) != 1 {
		t.Errorf("starts %v, want one", f.sfn.starts)
	}
	page, _ := f.st.ListInteractions(context.Background(), bu, "c-1", store.InteractionQuery{})
	if len(page.Items) != 1 || page.Items[0].Kind != store.InteractionCustom ||
		!cmp.Equal(page.Items[0].Detail, map[string]string{"event": "webinar.registered", "eventId": "reg-1"}) {
		t.Errorf("interactions %+v, want one custom interaction without attributes", page.Items)
	}
	raw := f.sfn.inputs[enrol.ExecutionName(bu, "webinar", "c-1", "reg-1")]
	var in map[string]any
	json.Unmarshal([]byte(raw), &in)
	if in["entry"] != "reg-1" || in["event"] != "reg-1" || in["attrs"] != nil {
		t.Errorf("execution input %s, want ids only, the event id as entry and event", raw)
	}
	en, err := f.st.GetEnrolment(context.Background(), bu, "webinar", "c-1", "reg-1")
	kept := registration(webinarID)
	kept["seats"] = 2.0
	if diff := cmp.Diff(kept, en.Event); err != nil || diff != "" {
		t.Errorf("enrolment's event (-want +got), %v:\n%s", err, diff)
	}
	// Another webinar does not match the trigger's attribute filter.
	_, other := f.post(registered("reg-2", "c-2", "another-webinar"), bearer(apiKey))
	if diff := cmp.Diff([]any{map[string]any{"journey": "webinar", "reason": "event attribute webinarId does not match"}}, other["skipped"]); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

func TestEventByEmail(t *testing.T) {
	f := newFixture(t)
	body := mustJSON(map[string]any{"name": "shop.visited", "email": "GRACE@example.com"})
	status, got := f.post(body, bearer(apiKey))
	if status != http.StatusOK || got["contact"] != "c-2" || got["event"] == "" {
		t.Errorf("%d %v", status, got)
	}
	status, got = f.post(mustJSON(map[string]any{"name": "shop.visited", "email": "nobody@example.com"}), bearer(apiKey))
	if status != http.StatusUnprocessableEntity {
		t.Errorf("unknown contact: %d %v, want 422", status, got)
	}
}

// waitFor stores a wait-for-event callback as wait-register does, with its
// narrowing JSON in Correlation.
func (f *fixture) waitFor(id, contact, execution, event, awaited string, kind store.CallbackKind) {
	f.t.Helper()
	_, err := f.st.CreateCallback(context.Background(), bu, store.Callback{ID: id, Kind: kind, Token: "token-" + id,
		Execution: execution, Contact: contact, Journey: "webinar", Step: "wait-attendance",
		Events: []string{event}, Correlation: awaited, ExpiresAt: f.clock.Now().Add(24 * time.Hour)})
	if err != nil {
		f.t.Fatal(err)
	}
}

func TestEventResumesWaits(t *testing.T) {
	f := newFixture(t)
	execA := "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind-webinar:webinar-aaaa"
	execB := "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind-webinar:webinar-bbbb"
	execC := "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind-webinar:webinar-cccc"
	f.waitFor("cb-a", "c-1", execA, "webinar.attended", `{"webinar.attended":{}}`, store.CallbackEvent)
	f.clock.Advance(time.Second)
	f.waitFor("cb-b", "c-1", execB, "webinar.attended", "", store.CallbackEvent)
	f.waitFor("cb-approval", "c-1", execA, "webinar.attended", "", store.CallbackApproval)
	f.waitFor("cb-form", "c-1", execC, "form.submitted", `{"form.submitted":{"form":"urn:li:leadGenForm:1"}}`, store.CallbackEvent)
	event := func(id, name, corr, form string) []byte {
		return mustJSON(map[string]any{"name": name, "id": id, "contact": "c-1", "correlation": corr,
			"attributes": map[string]any{"form": form}})
	}
	resumed := func(cb, exec string) map[string]any {
		return map[string]any{"callback": cb, "journey": "webinar", "step": "wait-attendance", "execution": exec}
	}
	for _, tc := range []struct {
		name string
		body []byte
		want []any
	}{
		{"by execution name", event("att-1", "webinar.attended", "webinar-aaaa", ""), []any{resumed("cb-a", execA)}},
		{"nothing left for that instance", event("att-2", "webinar.attended", execA, ""), []any{}},
		{"by execution ARN", event("att-3", "webinar.attended", execB, ""), []any{resumed("cb-b", execB)}},
		{"another form", event("form-1", "form.submitted", "", "urn:li:leadGenForm:2"), []any{}},
		{"the awaited form", event("form-2", "form.submitted", "", "urn:li:leadGenForm:1"), []any{resumed("cb-form", execC)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, got := f.post(tc.body, bearer(apiKey))
			if status != http.StatusOK {
				t.Fatalf("%d %v", status, got)
			}
			if diff := cmp.Diff(tc.want, got["resumed"]); diff != "" {
				t.Errorf("resumed (-want +got):\n%s", diff)
			}
		})
	}
	want := map[string]string{"token-cb-a": `{"event":"webinar.attended"}`, "token-cb-b": `{"event":"webinar.attended"}`,
		"token-cb-form": `{"event":"form.submitted","form":"urn:li:leadGenForm:1"}`}
	if diff := cmp.Diff(want, f.sfn.resumed); diff != "" {
		t.Errorf("SendTaskSuccess calls (-want +got):\n%s", diff)
	}
}

// TestEventRetriedAfterFailedResume: when every SendTaskSuccess attempt
// is throttled, the event is answered 503 and the wait waits again, so the
// poster's retry of the same event resumes it on the event's branch
// instead of leaving it to its timeout.
func TestEventRetriedAfterFailedResume(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	exec := "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind-webinar:webinar-aaaa"
	f.waitFor("cb-a", "c-1", exec, "webinar.attended", `[{"event":"webinar.attended"}]`, store.CallbackEvent)
	f.sfn.failing["token-cb-a"] = handler.ResumeAttempts
	body := mustJSON(map[string]any{"name": "webinar.attended", "id": "att-1", "contact": "c-1"})

	status, got := f.post(body, bearer(apiKey))
	if status != http.StatusServiceUnavailable {
		t.Fatalf("first post: %d %v, want 503", status, got)
	}
	if len(f.sfn.resumed) != 0 {
		t.Fatalf("resumed %v while throttled", f.sfn.resumed)
	}
	waiting, err := f.st.WaitingCallbacks(ctx, bu, "c-1", "webinar.attended")
	if err != nil || len(waiting) != 1 || waiting[0].ID != "cb-a" {
		t.Fatalf("after the failed resume, waiting %+v, %v; want cb-a waiting again", waiting, err)
	}

	status, got = f.post(body, bearer(apiKey))
	if status != http.StatusOK || got["duplicate"] != false {
		t.Fatalf("retry: %d %v", status, got)
	}
	want := []any{map[string]any{"callback": "cb-a", "journey": "webinar", "step": "wait-attendance", "execution": exec}}
	if diff := cmp.Diff(want, got["resumed"]); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"token-cb-a": `{"event":"webinar.attended"}`}, f.sfn.resumed); diff != "" {
		t.Errorf("SendTaskSuccess calls (-want +got):\n%s", diff)
	}
	status, got = f.post(body, bearer(apiKey))
	if status != http.StatusOK || got["duplicate"] != true {
		t.Errorf("a third post: %d %v, want the stored answer", status, got)
	}
}

func TestUncorrelatedEventResumesEveryWait(t *testing.T) {
	f := newFixture(t)
	f.waitFor("cb-1", "c-1", "arn:x:execution:m:one", "webinar.attended", "", store.CallbackEvent)
	f.waitFor("cb-2", "c-1", "arn:x:execution:m:two", "webinar.attended", "", store.CallbackEvent)
	f.sfn.gone["token-cb-2"] = true
	_, got := f.post(mustJSON(map[string]any{"name": "webinar.attended", "contact": "c-1"}), bearer(apiKey))
	resumed, _ := got["resumed"].([]any)
	if len(resumed) != 2 || resumed[1].(map[string]any)["gone"] != true {
		t.Errorf("resumed %v, want both (the second gone)", got["resumed"])
	}
}

func TestSignedEvents(t *testing.T) {
	f := newFixture(t)
	body := mustJSON(map[string]any{"bu": bu, "name": "webinar.registered", "id": "sig-1", "contact": "c-1",
		"attributes": map[string]any{"webinarId": webinarID}})
	if status, got := f.post(body, f.signed("msg_1", f.clock.Now(), body)); status != http.StatusOK || len(got["started"].([]any)) != 1 {
		t.Fatalf("signed event: %d %v", status, got)
	}
	other, _ := webhook.NewSecret(nil)
	wrong := http.Header{}
	webhook.SignHeaders(wrong, []webhook.Secret{other}, "msg_2", f.clock.Now(), body)
	noBU := mustJSON(map[string]any{"name": "x.y", "contact": "c-1"})
	contoso := mustJSON(map[string]any{"bu": "contoso", "name": "x.y", "contact": "c-1"})
	nowhere := mustJSON(map[string]any{"bu": "nowhere", "name": "x.y", "contact": "c-1"})
	for _, tc := range []struct {
		name   string
		body   []byte
		header http.Header
		status int
	}{
		{"replayed webhook id", body, f.signed("msg_1", f.clock.Now(), body), http.StatusConflict},
		{"bad signature", body, wrong, http.StatusUnauthorized},
		{"stale timestamp", body, f.signed("msg_3", f.clock.Now().Add(-6*time.Minute), body), http.StatusUnauthorized},
		{"future timestamp", body, f.signed("msg_4", f.clock.Now().Add(6*time.Minute), body), http.StatusUnauthorized},
		{"tampered body", bytes.Replace(body, []byte("c-1"), []byte("c-2"), 1), f.signed("msg_5", f.clock.Now(), body), http.StatusUnauthorized},
		{"no business unit", noBU, f.signed("msg_6", f.clock.Now(), noBU), http.StatusBadRequest},
		{"business unit without secrets", contoso, f.signed("msg_7", f.clock.Now(), contoso), http.StatusUnauthorized},
		{"unknown business unit", nowhere, f.signed("msg_8", f.clock.Now(), nowhere), http.StatusUnauthorized},
		{"malformed signature header", body, http.Header{"Webhook-Signature": {"v1,%%%"}, "Webhook-Id": {"m"}, "Webhook-Timestamp": {"1"}}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, got := f.post(tc.body, tc.header); status != tc.status {
				t.Errorf("status %d (%v), want %d", status, got, tc.status)
			}
		})
	}
	if len(f.sfn.starts) != 1 {
		t.Errorf("starts %v, want only the first event's", f.sfn.starts)
	}
}

func TestRejections(t *testing.T) {
	f := newFixture(t)
	good := registered("r-1", "c-1", webinarID)
	for _, tc := range []struct {
		name   string
		method string
		body   []byte
		header http.Header
		status int
	}{
		{"no credentials", "", good, nil, http.StatusUnauthorized},
		{"unknown key", "", good, bearer("jk_nope"), http.StatusUnauthorized},
		{"basic auth", "", good, http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, http.StatusUnauthorized},
		{"key without the events scope", "", good, bearer("jk_readonly"), http.StatusForbidden},
		{"key of another business unit", "", mustJSON(map[string]any{"bu": bu, "name": "a.b", "contact": "c-1"}), bearer("jk_contoso"), http.StatusForbidden},
		{"not JSON", "", []byte("name=x"), bearer(apiKey), http.StatusBadRequest},
		{"no name", "", []byte(`{"contact":"c-1"}`), bearer(apiKey), http.StatusBadRequest},
		{"bad name", "", []byte(`{"name":"has space","contact":"c-1"}`), bearer(apiKey), http.StatusBadRequest},
		{"reserved name", "", []byte(`{"name":"email.opened","contact":"c-1"}`), bearer(apiKey), http.StatusBadRequest},
		{"no contact", "", []byte(`{"name":"a.b"}`), bearer(apiKey), http.StatusBadRequest},
		{"contact and email", "", []byte(`{"name":"a.b","contact":"c-1","email":"a@b.c"}`), bearer(apiKey), http.StatusBadRequest},
		{"attributes not an object", "", []byte(`{"name":"a.b","contact":"c-1","attributes":[1]}`), bearer(apiKey), http.StatusBadRequest},
		{"bad id", "", []byte(`{"name":"a.b","contact":"c-1","id":"a/b"}`), bearer(apiKey), http.StatusBadRequest},
		{"trailing data", "", append(append([]byte(nil), good...), '{', '}'), bearer(apiKey), http.StatusBadRequest},
		{"oversized", "", append([]byte(`{"name":"a.b","contact":"c-1","attributes":{"x":"`), bytes.Repeat([]byte("a"), intake.DefaultMaxBody)...), bearer(apiKey), http.StatusRequestEntityTooLarge},
		{"GET", http.MethodGet, nil, bearer(apiKey), http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req, _ := http.NewRequest(method, f.srv.URL+"/events", bytes.NewReader(tc.body))
			for k, v := range tc.header {
				req.Header[k] = v
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
	if len(f.sfn.starts) != 0 {
		t.Errorf("a refused event started %v", f.sfn.starts)
	}
}

// TestConcurrentRepeats posts one event id from many goroutines: it is
// processed once; the others are duplicates or asked to try again.
func TestConcurrentRepeats(t *testing.T) {
	f := newFixture(t)
	body := registered("reg-race", "c-1", webinarID)
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh, dups := 0, 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, got := f.post(body, bearer(apiKey))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case status == http.StatusOK && got["duplicate"] == false:
				fresh++
			case status == http.StatusOK, status == http.StatusServiceUnavailable:
				dups++
			default:
				t.Errorf("status %d %v", status, got)
			}
		}()
	}
	wg.Wait()
	if fresh != 1 || f.sfn.starts[enrol.ExecutionName(bu, "webinar", "c-1", "reg-race")] != 1 {
		t.Errorf("%d fresh answers, starts %v; want one", fresh, f.sfn.starts)
	}
}

func TestSeenIDs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	seen := intake.SeenIDs{Store: f.st, BU: bu, Now: f.clock.Now}
	until := f.clock.Now().Add(5 * time.Minute)
	for i, want := range []bool{true, false} {
		if first, err := seen.Remember(ctx, "msg_x", until); err != nil || first != want {
			t.Errorf("remember %d: %v %v, want %v", i+1, first, err, want)
		}
	}
	if first, _ := (intake.SeenIDs{Store: f.st, BU: "contoso", Now: f.clock.Now}).Remember(ctx, "msg_x", until); !first {
		t.Error("an id seen in one business unit was seen in another")
	}
	f.clock.Advance(6 * time.Minute)
	if first, err := seen.Remember(ctx, "msg_x", f.clock.Now().Add(5*time.Minute)); err != nil || !first {
		t.Errorf("after expiry: %v %v, want new", first, err)
	}
}

// TestCorrelatedEventTargetsOneInstance: an event with a correlation id
// resumes the wait of the instance it names and nothing else: no journey
// its name triggers is entered, no other instance's wait is resumed.
func TestCorrelatedEventTargetsOneInstance(t *testing.T) {
	f := newFixture(t)
	execA := "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind-webinar:webinar-aaaa"
	execB := "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind-webinar:webinar-bbbb"
	f.waitFor("cb-a", "c-1", execA, "webinar.registered", "", store.CallbackEvent)
	f.waitFor("cb-b", "c-1", execB, "webinar.registered", "", store.CallbackEvent)
	body := mustJSON(map[string]any{"name": "webinar.registered", "id": "reg-9", "contact": "c-1",
		"correlation": "webinar-aaaa", "attributes": map[string]any{"webinarId": webinarID}})
	status, got := f.post(body, bearer(apiKey))
	if status != http.StatusOK {
		t.Fatalf("%d %v", status, got)
	}
	want := map[string]any{"event": "reg-9", "duplicate": false, "contact": "c-1", "started": []any{}, "skipped": []any{},
		"resumed": []any{map[string]any{"callback": "cb-a", "journey": "webinar", "step": "wait-attendance", "execution": execA}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	if len(f.sfn.starts) != 0 {
		t.Errorf("a correlated event started executions: %v", f.sfn.starts)
	}
	if _, err := f.st.GetEnrolment(context.Background(), bu, "webinar", "c-1", "reg-9"); err == nil {
		t.Error("a correlated event enrolled the contact")
	}
	if diff := cmp.Diff(map[string]string{"token-cb-a": `{"event":"webinar.registered"}`}, f.sfn.resumed); diff != "" {
		t.Errorf("SendTaskSuccess calls (-want +got):\n%s", diff)
	}
	// The same event without a correlation enters the journey it triggers
	// and resumes the other wait.
	body = mustJSON(map[string]any{"name": "webinar.registered", "id": "reg-10", "contact": "c-1",
		"attributes": map[string]any{"webinarId": webinarID}})
	if status, got = f.post(body, bearer(apiKey)); status != http.StatusOK || len(got["started"].([]any)) != 1 || len(got["resumed"].([]any)) != 1 {
		t.Errorf("uncorrelated: %d %v, want one start and one resume", status, got)
	}
}

// TestEventLackingDeclaredAttributes: an event without attributes the
// trigger declares in carries still enrols; the answer names them.
func TestEventLackingDeclaredAttributes(t *testing.T) {
	for _, tt := range []struct {
		name    string
		attrs   map[string]any
		missing any
	}{
		{"all carried", registration(webinarID), nil},
		{"title and link missing", map[string]any{"webinarId": webinarID, "webinarStartsAt": "2026-12-10T15:00:00Z", "joinUrl": nil},
			[]any{"webinarTitle", "joinUrl"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			status, got := f.post(mustJSON(map[string]any{"name": "webinar.registered", "id": "reg-1", "contact": "c-1", "attributes": tt.attrs}), bearer(apiKey))
			started, _ := got["started"].([]any)
			if status != http.StatusOK || len(started) != 1 {
				t.Fatalf("%d %v, want one journey started", status, got)
			}
			if diff := cmp.Diff(tt.missing, started[0].(map[string]any)["missing"]); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
}
