package manage_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow/workflowtest"
)

const footer1 = "<p>Northwind · {{ links.unsubscribe }}</p>\n"

const introTemplate = `---
channel: email
subject: Welcome {{ contact.firstName }}
version: 3
---
<p>Hi {{ contact.firstName }}</p>
{% render 'footer' %}
`

// addKey stores an API key of bu with scopes and returns its secret.
func (f *fixture) addKey(t *testing.T, bu, name string, scopes ...string) string {
	t.Helper()
	secret, key := manage.NewAPIKey(bu, name, scopes, f.clock.now())
	if err := f.st.PutAPIKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	f.keys[name] = secret
	return secret
}

// serve points the fixture's client calls at a new server of h.
func (f *fixture) serve(t *testing.T, h http.Handler) {
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
}

func (f *fixture) postContent(t *testing.T, key string, req manage.ContentRequest) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(req)
	return f.call(t, http.MethodPost, "/api/content", f.bearer(key), body)
}

func TestContentUpload(t *testing.T) {
	f := newFixture(t, manage.Config{})
	f.addKey(t, bu, "writer", manage.ScopeContentWrite)
	f.addKey(t, bu, "sharer", manage.ScopeContentWrite, manage.ScopeContentShare)
	ctx := context.Background()

	// One file: written, then unchanged, then refused with other text.
	status, body := f.postContent(t, "writer", manage.ContentRequest{Name: "blocks/footer@1.liquid", Source: footer1})
	if status != http.StatusCreated {
		t.Fatalf("upload footer: %d %s", status, body)
	}
	type single struct {
		manage.ContentItem
		Unchecked string `json:"unchecked"`
	}
	got := decodeJSON[single](t, body)
	if diff := cmp.Diff(manage.ContentItem{Kind: store.ContentBlock, ID: "footer", Locale: "default", Version: 1, Status: manage.ContentWritten}, got.ContentItem); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	if got.Unchecked != manage.UncheckedVariables {
		t.Errorf("unchecked = %q, want the variables named (no journey published)", got.Unchecked)
	}
	if c, err := f.st.GetContent(ctx, bu, store.ContentBlock, "footer", "default", 1); err != nil || c.Body != footer1 || c.Shared {
		t.Fatalf("stored footer: %+v, %v", c, err)
	}
	if status, body = f.postContent(t, "writer", manage.ContentRequest{Name: "blocks/footer@1.liquid", Source: footer1}); status != http.StatusOK || !strings.Contains(string(body), `"unchanged"`) {
		t.Errorf("same upload again: %d %s, want 200 unchanged", status, body)
	}
	if status, body = f.postContent(t, "writer", manage.ContentRequest{Name: "blocks/footer@1.liquid", Source: "<p>other</p>"}); status != http.StatusConflict {
		t.Errorf("version 1 with other text: %d %s, want 409", status, body)
	}

	// A template that renders a block nobody has: 422 with its position.
	status, body = f.postContent(t, "writer", manage.ContentRequest{Name: "templates/intro.liquid", Source: strings.Replace(introTemplate, "'footer'", "'fotter'", 1)})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown block: %d %s, want 422", status, body)
	}
	eb := decodeJSON[manage.ErrorBody](t, body)
	if eb.Error.Code != "invalid_content" || len(eb.Error.Problems) == 0 || eb.Error.Problems[0].Pos.String() != "templates/intro.liquid:7:11" {
		t.Errorf("problems = %+v, want templates/intro.liquid:7:11 first", eb.Error)
	}

	// After a journey is published, its bundle's contact schema checks
	// variables.
	f.publishWelcome(t)
	status, body = f.postContent(t, "writer", manage.ContentRequest{Name: "templates/intro.liquid", Source: strings.Replace(introTemplate, "contact.firstName }}</p>", "contact.fristName }}</p>", 1)})
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "fristName") || !strings.Contains(string(body), `"line": 6`) {
		t.Errorf("unknown variable: %d %s, want 422 at line 6", status, body)
	}

	// A batch: the template and the block version it renders, blocks first.
	footer2 := "<footer>{{ links.unsubscribe }} v2</footer>\n"
	req := manage.ContentRequest{Files: []manage.ContentFile{
		{Name: "templates/intro.liquid", Source: introTemplate},
		{Name: "blocks/footer@2.liquid", Source: footer2},
	}}
	status, body = f.postContent(t, "writer", req)
	if status != http.StatusCreated {
		t.Fatalf("batch: %d %s", status, body)
	}
	res := decodeJSON[manage.ContentResult](t, body)
	want := []manage.ContentItem{
		{Kind: store.ContentBlock, ID: "footer", Locale: "default", Version: 2, Status: manage.ContentWritten},
		{Kind: store.ContentTemplate, ID: "intro", Locale: "default", Version: 3, Status: manage.ContentWritten},
	}
	if diff := cmp.Diff(want, res.Items); diff != "" || res.Unchecked != "" {
		t.Errorf("batch items (-want +got):\n%s\nunchecked %q", diff, res.Unchecked)
	}
	if c, err := f.st.GetContent(ctx, bu, store.ContentTemplate, "intro", "default", 3); err != nil || c.Fields["subject"] != "Welcome {{ contact.firstName }}" {
		t.Errorf("stored intro: %+v, %v", c, err)
	}

	// A locale variant alone: its default may be stored already.
	if status, body = f.postContent(t, "writer", manage.ContentRequest{Name: "templates/intro.fr.liquid", Source: strings.Replace(introTemplate, "Welcome", "Bienvenue", 1)}); status != http.StatusCreated {
		t.Errorf("variant of a stored template: %d %s, want 201", status, body)
	}
	if status, body = f.postContent(t, "writer", manage.ContentRequest{Name: "templates/outro.fr.liquid", Source: introTemplate}); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "no default") {
		t.Errorf("variant without a default anywhere: %d %s, want 422", status, body)
	}

	// Shared content needs the explicit scope; another unit's folder is not
	// the caller's.
	shared := manage.ContentRequest{Name: "blocks/legal@1.liquid", Source: "<small>legal</small>", Shared: true}
	if status, body = f.postContent(t, "ops", shared); status != http.StatusForbidden {
		t.Errorf("shared with a key without scopes: %d %s, want 403", status, body)
	}
	if status, body = f.postContent(t, "all", shared); status != http.StatusForbidden {
		t.Errorf("shared with a * key: %d %s, want 403 (content:share is explicit-only)", status, body)
	}
	if status, body = f.postContent(t, "sharer", shared); status != http.StatusCreated {
		t.Errorf("shared with content:share: %d %s, want 201", status, body)
	}
	if c, err := f.st.GetContent(ctx, "contoso", store.ContentBlock, "legal", "default", 1); err != nil || !c.Shared {
		t.Errorf("contoso sees the shared block: %+v, %v", c, err)
	}
	if status, body = f.postContent(t, "writer", manage.ContentRequest{Name: "units/contoso/blocks/x@1.liquid", Source: "x"}); status != http.StatusForbidden {
		t.Errorf("another unit's folder: %d %s, want 403", status, body)
	}
	if status, body = f.postContent(t, "reader", manage.ContentRequest{Name: "blocks/y@1.liquid", Source: "y"}); status != http.StatusForbidden {
		t.Errorf("key without content:write: %d %s, want 403", status, body)
	}
	if status, body = f.postContent(t, "writer", manage.ContentRequest{Name: "../etc/passwd", Source: "x"}); status != http.StatusBadRequest {
		t.Errorf("bad name: %d %s, want 400", status, body)
	}

	var writes int
	for _, line := range f.audit(t, bu) {
		if line == "key:writer put-content content" {
			writes++
		}
	}
	if writes != 3 {
		t.Errorf("put-content audit entries by the writer = %d, want 3 (footer@1, the batch, intro.fr)", writes)
	}
}

// approvalFixture is a fixture whose service asks for content approvals
// through an approval service that writes flow requests to an outbox.
type approvalFixture struct {
	*fixture
	flow   *approval.Service
	outbox string
}

func newApprovalFixture(t *testing.T) *approvalFixture {
	f := newFixture(t, manage.Config{})
	outbox := t.TempDir()
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	flow, err := approval.New(approval.Options{
		Store: f.st, Poster: approval.Outbox{Dir: outbox}, CallbackURL: "https://api.example.com/approvals/callback",
		Settings: func(context.Context, string) (approval.Config, error) {
			return approval.Config{FlowURL: "https://flow.example.com/trigger", Secrets: []string{secret},
				CallbackKey: "0123456789abcdef0123456789abcdef-callback"}, nil
		},
		Hooks:  map[store.ApprovalKind]approval.DecisionHook{store.ApprovalContent: approval.ContentHook{Store: f.st, Now: f.clock.now}},
		Now:    f.clock.now,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := manage.NewService(f.st, f.api, nil, manage.Config{}, manage.Options{ContentApprovals: flow, Now: f.clock.now})
	f.serve(t, manage.NewHandler(svc, manage.HandlerOptions{}))
	f.addKey(t, bu, "writer", manage.ScopeContentWrite)
	return &approvalFixture{fixture: f, flow: flow, outbox: outbox}
}

// decide posts an outcome to the callback URL of the approval's flow
// request and returns the status.
func (f *approvalFixture) decide(t *testing.T, id, outcome string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(f.outbox, bu, "approvals", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var req approval.FlowRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	if req.Kind != string(store.ApprovalContent) {
		t.Errorf("flow request kind %q", req.Kind)
	}
	body := `{"outcome":"` + outcome + `","responses":[{"responder":{"displayName":"Dana"},"approverResponse":"` + outcome + `"}]}`
	w := httptest.NewRecorder()
	f.flow.Callback().ServeHTTP(w, httptest.NewRequest(http.MethodPost, req.CallbackURL, strings.NewReader(body)))
	return w.Code
}

func TestContentApproval(t *testing.T) {
	ctx := context.Background()
	upload := func(t *testing.T, f *approvalFixture, source string) string {
		t.Helper()
		status, body := f.postContent(t, "writer", manage.ContentRequest{Name: "blocks/footer@1.liquid", Source: source, RequireApproval: true})
		if status != http.StatusAccepted {
			t.Fatalf("upload for approval: %d %s, want 202", status, body)
		}
		item := decodeJSON[manage.ContentItem](t, body)
		if item.Status != manage.ContentPending || item.Approval == "" {
			t.Fatalf("answer %+v, want pending with an approval id", item)
		}
		if _, err := f.st.GetContent(ctx, bu, store.ContentBlock, "footer", "default", 1); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("content written before the decision: %v", err)
		}
		return item.Approval
	}

	t.Run("approve_writes_once", func(t *testing.T) {
		f := newApprovalFixture(t)
		id := upload(t, f, footer1)
		if again := upload(t, f, footer1); again != id {
			t.Errorf("the same upload asked again got approval %s, want %s", again, id)
		}
		if code := f.decide(t, id, approval.OutcomeApprove); code != http.StatusOK {
			t.Fatalf("approve: %d", code)
		}
		c, err := f.st.GetContent(ctx, bu, store.ContentBlock, "footer", "default", 1)
		if err != nil || c.Body != footer1 {
			t.Fatalf("approved content: %+v, %v", c, err)
		}
		if code := f.decide(t, id, approval.OutcomeApprove); code != http.StatusConflict {
			t.Errorf("second decision: %d, want 409", code)
		}
		if _, err := f.st.GetContent(ctx, bu, store.ContentBlock, "footer", "default", 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a second version was written: %v", err)
		}
		want := []string{"key:writer request-content-approval content", "Dana approve-content content"}
		if diff := cmp.Diff(want, f.audit(t, bu)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
	t.Run("reject_writes_nothing", func(t *testing.T) {
		f := newApprovalFixture(t)
		id := upload(t, f, footer1)
		if code := f.decide(t, id, approval.OutcomeReject); code != http.StatusOK {
			t.Fatalf("reject: %d", code)
		}
		if _, err := f.st.GetContent(ctx, bu, store.ContentBlock, "footer", "default", 1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rejected content was written: %v", err)
		}
		want := []string{"key:writer request-content-approval content", "Dana reject-content content"}
		if diff := cmp.Diff(want, f.audit(t, bu)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
	t.Run("unit_without_flow_is_501", func(t *testing.T) {
		f := newFixture(t, manage.Config{})
		flow, err := approval.New(approval.Options{
			Store: f.st, Poster: approval.Outbox{Dir: t.TempDir()}, CallbackURL: "https://api.example.com/approvals/callback",
			Settings: func(context.Context, string) (approval.Config, error) {
				return approval.Config{}, approval.ErrUnknownBU
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		f.serve(t, manage.NewHandler(manage.NewService(f.st, f.api, nil, manage.Config{}, manage.Options{ContentApprovals: flow}), manage.HandlerOptions{}))
		f.addKey(t, bu, "writer", manage.ScopeContentWrite)
		status, body := f.postContent(t, "writer", manage.ContentRequest{Name: "blocks/footer@1.liquid", Source: footer1, RequireApproval: true})
		if status != http.StatusNotImplemented || !strings.Contains(string(body), "no approval flow") {
			t.Errorf("approval for a unit without a flow: %d %s, want 501", status, body)
		}
	})
	t.Run("no_flow_is_501", func(t *testing.T) {
		f := newFixture(t, manage.Config{})
		f.addKey(t, bu, "writer", manage.ScopeContentWrite)
		status, body := f.postContent(t, "writer", manage.ContentRequest{Name: "blocks/footer@1.liquid", Source: footer1, RequireApproval: true})
		if status != http.StatusNotImplemented {
			t.Errorf("approval without a flow: %d %s, want 501", status, body)
		}
	})
}

// deployStore is what a deployment's store gives the management API.
type deployStore interface {
	manage.Store
	PutAPIKey(ctx context.Context, k store.APIKey) error
}

// contentDeployment serves the management API over st as a deployment
// does: publications check content against the store
// (manage.StoreContentChecker). It returns a client whose key may write
// content and publish.
func contentDeployment(t *testing.T, st deployStore, now func() time.Time) *manage.Client {
	t.Helper()
	fns := map[string]string{}
	for name, fn := range compile.Placeholders {
		fns[name] = "arn:aws:lambda:us-east-1:123456789012:function:journeys-" + fn
	}
	quiet := slog.New(slog.DiscardHandler)
	api := workflowtest.New(now)
	pub, err := publish.New(st, api, publish.Config{RoleArn: "arn:aws:iam::123456789012:role/j", Functions: fns}, now,
		publish.Options{ContentFor: manage.StoreContentChecker(st), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc := manage.NewService(st, api, pub, manage.Config{}, manage.Options{Now: now, Logger: quiet})
	srv := httptest.NewServer(manage.NewHandler(svc, manage.HandlerOptions{Logger: quiet}))
	t.Cleanup(srv.Close)
	secret, key := manage.NewAPIKey(bu, "deployer", []string{manage.ScopeContentWrite, manage.ScopeJourneysPublish}, now())
	if err := st.PutAPIKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	return &manage.Client{BaseURL: srv.URL, Key: secret}
}

// TestPublishChecksStoreContent publishes through a publisher that checks
// content against the store, as a deployment's does: the journey is
// refused while its templates are missing, and published once the whole
// journeys/content folder has been uploaded through the API.
func TestPublishChecksStoreContent(t *testing.T) {
	f := newFixture(t, manage.Config{})
	publishWithUploadedContent(t, f.st, contentDeployment(t, f.st, f.clock.now))
}

func publishWithUploadedContent(t *testing.T, st deployStore, client *manage.Client) {
	ctx := context.Background()
	_, err := client.Publish(ctx, manage.PublishRequest{Bundle: welcome(t)})
	var apiErr *manage.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(apiErr.Detail.Problems), `unknown template "welcome-intro"`) {
		t.Fatalf("publish without content: %v, want 422 naming welcome-intro", err)
	}

	files, err := manage.ContentFiles(filepath.Join("..", "..", "journeys", "content"), nil, "", false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.PutContent(ctx, manage.ContentRequest{Files: files})
	if err != nil {
		t.Fatalf("upload journeys/content: %v", err)
	}
	if len(res.Items) != len(files) {
		t.Errorf("upload answered %d items for %d files", len(res.Items), len(files))
	}
	if _, err := st.GetContent(ctx, bu, store.ContentBlock, "footer", "de", 2); err != nil {
		t.Errorf("footer@2.de: %v", err)
	}
	out, err := client.Publish(ctx, manage.PublishRequest{Bundle: welcome(t)})
	if err != nil || out.Status != "published" {
		t.Fatalf("publish with the content uploaded: %+v, %v", out, err)
	}
	if out.Content["template/welcome-intro/de-AT"] != 1 {
		t.Errorf("pins = %v, want the uploaded welcome-intro de-AT v1", out.Content)
	}

	// Uploading the unchanged folder again writes nothing.
	again, err := client.PutContent(ctx, manage.ContentRequest{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range again.Items {
		if it.Status != manage.ContentUnchanged {
			t.Errorf("second upload: %+v, want unchanged", it)
		}
	}
}
