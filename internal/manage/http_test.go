package manage_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// TestAuthentication: who may call what.
func TestAuthentication(t *testing.T) {
	f := newFixture(t, manage.Config{})
	f.publishWelcome(t)
	for _, tt := range []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		body    string
		want    int
	}{
		{"no key", "GET", "/api/journeys", nil, "", http.StatusUnauthorized},
		{"unknown key", "GET", "/api/journeys", map[string]string{"Authorization": "Bearer jk_nope"}, "", http.StatusUnauthorized},
		{"not bearer", "GET", "/api/journeys", map[string]string{"Authorization": "Basic " + f.keys["ops"]}, "", http.StatusUnauthorized},
		{"key", "GET", "/api/journeys", f.bearer("ops"), "", http.StatusOK},
		{"read-only key reads", "GET", "/api/journeys/welcome", f.bearer("reader"), "", http.StatusOK},
		{"read-only key pauses", "POST", "/api/journeys/welcome/pause", f.bearer("reader"), `{"reason":"x"}`, http.StatusForbidden},
		{"read-only key imports", "POST", "/api/contacts/import", map[string]string{"Authorization": "Bearer " + f.keys["reader"], "Content-Type": "text/csv"}, "email\na@example.com\n", http.StatusForbidden},
		{"IAM without identity", "GET", "/manage/northwind/journeys", nil, "", http.StatusUnauthorized},
		{"IAM", "GET", "/manage/northwind/journeys", map[string]string{principalHeader: "arn:aws:iam::1:role/ops"}, "", http.StatusOK},
		{"IAM bad business unit", "GET", "/manage/north%23wind/journeys", map[string]string{principalHeader: "arn:aws:iam::1:role/ops"}, "", http.StatusBadRequest},
		{"a key on /manage", "GET", "/manage/northwind/journeys", f.bearer("ops"), "", http.StatusUnauthorized},
		{"no such prefix", "GET", "/journeys", f.bearer("ops"), "", http.StatusNotFound},
		{"no such route", "GET", "/api/nothing", f.bearer("ops"), "", http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.call(t, tt.method, tt.path, tt.headers, []byte(tt.body))
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, body)
			}
		})
	}
}

// TestBusinessUnitScoping: a key of contoso can never see or touch
// northwind, whatever it names; IAM callers are scoped by the path.
func TestBusinessUnitScoping(t *testing.T) {
	f := newFixture(t, manage.Config{})
	f.publishWelcome(t, "c-1")
	ctx := context.Background()
	other := f.bearer("other")
	for _, tt := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"status", "GET", "/api/journeys/welcome", "", http.StatusNotFound},
		{"versions", "GET", "/api/journeys/welcome/versions", "", http.StatusNotFound},
		{"funnel", "GET", "/api/journeys/welcome/funnel", "", http.StatusNotFound},
		{"pause", "POST", "/api/journeys/welcome/pause", `{"reason":"x"}`, http.StatusNotFound},
		{"resume", "POST", "/api/journeys/welcome/resume", `{}`, http.StatusNotFound},
		{"stop", "POST", "/api/journeys/welcome/stop", `{"reason":"x"}`, http.StatusNotFound},
		{"rollback", "POST", "/api/journeys/welcome/rollback", `{"version":1}`, http.StatusNotFound},
		{"launch", "POST", "/api/journeys/welcome/launches", `{}`, http.StatusNotFound},
		{"trace", "GET", "/api/contacts/c-1/trace", "", http.StatusNotFound},
		{"erase", "DELETE", "/api/contacts/c-1", "", http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.call(t, tt.method, tt.path, other, []byte(tt.body))
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, body)
			}
		})
	}
	t.Run("list", func(t *testing.T) {
		js, err := f.client("other").Journeys(ctx)
		if err != nil || len(js) != 0 {
			t.Fatalf("contoso sees %v, %v", js, err)
		}
	})
	t.Run("publish a northwind journey", func(t *testing.T) {
		_, err := f.client("other").Publish(ctx, manage.PublishRequest{Bundle: welcome(t)})
		var apiErr *manage.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden {
			t.Fatalf("err = %v, want 403", err)
		}
	})
	t.Run("import lands in contoso", func(t *testing.T) {
		rep, err := f.client("other").Import(ctx, []byte("email\nc-1@example.com\n"))
		if err != nil || rep.Created != 1 {
			t.Fatalf("import %+v, %v", rep, err)
		}
		c, err := f.st.FindContactByEmail(ctx, "contoso", "c-1@example.com")
		if err != nil || c.ID == "c-1" {
			t.Fatalf("contoso contact %+v, %v", c, err)
		}
	})
	t.Run("IAM by path", func(t *testing.T) {
		iam := map[string]string{principalHeader: "arn:aws:iam::1:role/ops"}
		if status, _ := f.call(t, "GET", "/manage/contoso/journeys/welcome", iam, nil); status != http.StatusNotFound {
			t.Errorf("contoso path: %d", status)
		}
		if status, _ := f.call(t, "GET", "/manage/northwind/journeys/welcome", iam, nil); status != http.StatusOK {
			t.Errorf("northwind path: %d", status)
		}
	})
	// Nothing of northwind changed.
	j, _ := f.st.GetJourney(ctx, bu, "welcome")
	if j.Status != store.JourneyActive || j.Current != 1 {
		t.Errorf("northwind's journey is %+v", j)
	}
	if _, err := f.st.GetContact(ctx, bu, "c-1"); err != nil {
		t.Errorf("northwind's contact: %v", err)
	}
	if got := f.audit(t, "contoso"); !cmp.Equal(got, []string{"key:other import contacts"}) {
		t.Errorf("contoso audit %v", got)
	}
}

// TestPublishAndOperate drives a journey through the API: publish,
// status, versions, pause, resume, stop (executions stopped, enrolments
// ended with the reason), rollback; the audit log names the caller.
func TestPublishAndOperate(t *testing.T) {
	f := newFixture(t, manage.Config{})
	ctx := context.Background()
	c := f.client("ops")
	f.publishWelcome(t, "c-1", "c-2")
	b := welcome(t)
	b.Journey.Source = strings.Replace(b.Journey.Source, "name: Welcome series for LinkedIn leads", "name: Welcome v2", 1)
	res, err := c.Publish(ctx, manage.PublishRequest{Bundle: b})
	if err != nil || res.Version != 2 || res.Status != "published" {
		t.Fatalf("second publish %+v, %v", res, err)
	}
	st, err := c.Status(ctx, "welcome")
	if err != nil {
		t.Fatal(err)
	}
	if st.Journey.Current != 2 || st.Version.Version != 2 || st.AliasTarget != res.VersionArn || st.Active != 2 {
		t.Errorf("status %+v", st)
	}
	vs, err := c.Versions(ctx, "welcome")
	if err != nil || len(vs) != 2 || vs[0].PublishedBy != "alice via key:ops" || !vs[1].Current || vs[0].Pruned == nil || *vs[0].Pruned {
		t.Fatalf("versions %+v, %v", vs, err)
	}
	if j, err := c.Pause(ctx, "welcome", "copy review"); err != nil || j.Status != store.JourneyPaused || j.Reason != "copy review" {
		t.Fatalf("pause %+v, %v", j, err)
	}
	if j, err := c.Resume(ctx, "welcome"); err != nil || j.Status != store.JourneyActive || j.Reason != "" {
		t.Fatalf("resume %+v, %v", j, err)
	}
	if _, err := c.Stop(ctx, "welcome", ""); !isStatus(err, http.StatusBadRequest) {
		t.Fatalf("stop without a reason: %v", err)
	}
	stop, err := c.Stop(ctx, "welcome", "wrong offer")
	if err != nil || stop.Stopped != 2 || stop.Remaining || stop.Journey.Status != store.JourneyStopped {
		t.Fatalf("stop %+v, %v", stop, err)
	}
	for _, e := range f.api.Executions() {
		if e.Status != workflow.StatusAborted || e.Error != manage.StopError || e.Cause != "wrong offer" {
			t.Errorf("execution %s: %s %s %s", e.Name, e.Status, e.Error, e.Cause)
		}
	}
	for _, id := range []string{"c-1", "c-2"} {
		en, err := f.st.GetEnrolment(ctx, bu, "welcome", id, "lead-"+id)
		if err != nil || en.Status != store.EnrolmentStopped || en.Reason != "wrong offer" {
			t.Errorf("enrolment of %s: %+v, %v", id, en, err)
		}
	}
	if _, err := c.Pause(ctx, "welcome", "x"); !isStatus(err, http.StatusConflict) {
		t.Errorf("pausing a stopped journey: %v", err)
	}
	if r, err := c.Rollback(ctx, "welcome", 1); err != nil || r.Version != 1 {
		t.Fatalf("rollback %+v, %v", r, err)
	}
	if _, err := c.Rollback(ctx, "welcome", 1); !isStatus(err, http.StatusBadRequest) {
		t.Errorf("rollback to the current version: %v", err)
	}
	l, err := c.Launch(ctx, "welcome", "spring")
	if err != nil || l.Launch != "spring" || l.Execution != "exec-spring" {
		t.Fatalf("launch %+v, %v", l, err)
	}
	want := []string{
		"alice via key:ops publish welcome", "key:ops publish welcome", "key:ops pause welcome", "key:ops resume welcome",
		"key:ops stop welcome", "key:ops rollback welcome", "key:ops start-launch welcome",
	}
	if diff := cmp.Diff(want, f.audit(t, bu)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func isStatus(err error, status int) bool {
	var apiErr *manage.APIError
	return errors.As(err, &apiErr) && apiErr.Status == status
}

// TestStopSweepsInParts: a stop that runs out of its budget leaves the
// rest to SweepStopped (the scheduler tick), which finishes it.
func TestStopSweepsInParts(t *testing.T) {
	f := newFixture(t, manage.Config{StopBudget: 20 * 1e6}) // 20 ms: the clock moves 1 ms a reading
	ids := make([]string, 30)
	for i := range ids {
		ids[i] = "c-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	f.publishWelcome(t, ids...)
	ctx := context.Background()
	res, err := f.svc.Stop(ctx, bu, "ops", "welcome", "recall")
	if err != nil || !res.Remaining || res.Stopped == 0 || res.Stopped >= 30 {
		t.Fatalf("stop %+v, %v", res, err)
	}
	n, remaining, err := f.svc.SweepStopped(ctx, bu, "welcome", f.clock.now().Add(1e12))
	if err != nil || remaining || res.Stopped+n != 30 {
		t.Fatalf("sweep %d, %v, %v; stop had %d", n, remaining, err, res.Stopped)
	}
	running, _ := f.api.Running(ctx, "arn:aws:states:us-east-1:123456789012:stateMachine:journeys-northwind_welcome", 100)
	if len(running) != 0 {
		t.Errorf("%d executions still running", len(running))
	}
}

// TestPublishErrors: a bundle that does not check answers 422 with every
// problem and its position; bodies are bounded and strict.
func TestPublishErrors(t *testing.T) {
	f := newFixture(t, manage.Config{})
	b := welcome(t)
	b.Journey.Source = strings.Replace(b.Journey.Source, "onTimeout: send-reminder", "onTimeout: send-remindr", 1)
	body, _ := json.Marshal(manage.PublishRequest{Bundle: b})
	status, raw := f.call(t, "POST", "/api/journeys", f.bearer("ops"), body)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d: %s", status, raw)
	}
	eb := decodeJSON[manage.ErrorBody](t, raw)
	if eb.Error.Code != "invalid_journey" || len(eb.Error.Problems) == 0 || eb.Error.Problems[0].Pos.Line == 0 ||
		!strings.Contains(eb.Error.Problems[0].Message, "send-remindr") {
		t.Fatalf("error %+v", eb.Error)
	}
	for _, tt := range []struct {
		name, path, body string
		headers          map[string]string
		want             int
	}{
		{"unknown field", "/api/journeys/welcome/pause", `{"reason":"x","why":"y"}`, f.bearer("ops"), http.StatusBadRequest},
		{"not JSON", "/api/journeys", `{`, f.bearer("ops"), http.StatusBadRequest},
		{"too large", "/api/journeys/welcome/pause", `{"reason":"` + strings.Repeat("x", 2<<20) + `"}`, f.bearer("ops"), http.StatusRequestEntityTooLarge},
		{"import as JSON", "/api/contacts/import", `{}`, f.bearer("ops"), http.StatusUnsupportedMediaType},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, raw := f.call(t, "POST", tt.path, tt.headers, []byte(tt.body))
			if status != tt.want {
				t.Fatalf("status %d, want %d: %.200s", status, tt.want, raw)
			}
			if eb := decodeJSON[manage.ErrorBody](t, raw); eb.Error.Code == "" || eb.Error.Message == "" {
				t.Errorf("error body %s", raw)
			}
		})
	}
}

// TestTraceAndErase: a contact's trace lists its enrolments and holds no
// personal data; erasing stops its execution and is audited.
func TestTraceAndErase(t *testing.T) {
	f := newFixture(t, manage.Config{})
	f.publishWelcome(t, "c-1")
	ctx := context.Background()
	status, raw := f.call(t, "GET", "/api/contacts/c-1/trace", f.bearer("reader"), nil)
	if status != http.StatusOK || strings.Contains(string(raw), "@example.com") {
		t.Fatalf("trace %d: %s", status, raw)
	}
	tr := decodeJSON[manage.Trace](t, raw)
	if len(tr.Enrolments) != 1 || tr.Enrolments[0].Journey != "welcome" || tr.Enrolments[0].Execution == "" {
		t.Fatalf("trace %+v", tr)
	}
	status, raw = f.call(t, "DELETE", "/api/contacts/c-1", f.bearer("ops"), nil)
	if status != http.StatusOK {
		t.Fatalf("erase %d: %s", status, raw)
	}
	if er := decodeJSON[manage.Erasure](t, raw); er.Stopped != 1 || er.Removed == 0 {
		t.Fatalf("erasure %+v", er)
	}
	if info, _ := f.api.Describe(ctx, tr.Enrolments[0].Execution); info.Status != workflow.StatusAborted {
		t.Errorf("execution %s after erasure", info.Status)
	}
	if status, _ := f.call(t, "GET", "/api/contacts/c-1/trace", f.bearer("ops"), nil); status != http.StatusNotFound {
		t.Errorf("trace after erasure: %d", status)
	}
	audit := f.audit(t, bu)
	if last := audit[len(audit)-1]; last != "key:ops erase c-1" {
		t.Errorf("last audit entry %q", last)
	}
}

// TestAuditRoute pages the audit log.
func TestAuditRoute(t *testing.T) {
	f := newFixture(t, manage.Config{})
	f.publishWelcome(t)
	status, raw := f.call(t, "GET", "/api/audit?limit=1", f.bearer("ops"), nil)
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, raw)
	}
	page := decodeJSON[struct {
		Items []store.AuditEntry
		Next  string
	}](t, raw)
	if len(page.Items) != 1 || page.Items[0].Action != "publish" {
		t.Fatalf("audit page %+v", page)
	}
	if status, _ := f.call(t, "GET", "/api/audit", f.bearer("reader"), nil); status != http.StatusForbidden {
		t.Errorf("reader reads the audit log: %d", status)
	}
}

// TestPreviewRoute checks the route's scope and that a deployment without
// a renderer says so; cmd/journeys renders and test-sends through it.
func TestPreviewRoute(t *testing.T) {
	f := newFixture(t, manage.Config{})
	body := []byte(`{"template":"welcome-intro","contact":"c-1"}`)
	if status, raw := f.call(t, "POST", "/api/previews", f.bearer("reader"), body); status != http.StatusForbidden {
		t.Errorf("a key without content:preview previews: %d %s", status, raw)
	}
	if status, raw := f.call(t, "POST", "/api/previews", f.bearer("ops"), body); status != http.StatusNotImplemented {
		t.Errorf("no renderer configured: %d %s, want 501", status, raw)
	}
	if status, raw := f.call(t, "POST", "/api/previews", f.bearer("ops"), []byte(`{"contact":"c-1"}`)); status != http.StatusNotImplemented {
		t.Errorf("no renderer configured: %d %s, want 501 before the body is read", status, raw)
	}
}
