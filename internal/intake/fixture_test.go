package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/webhook"
	"github.com/journeys-oss/journeys/internal/workflow"
)

const (
	bu         = "northwind"
	apiKey     = "jk_live_5b0e1c9a7d2f4e8b9c3a6d1f0e2b4c8a"
	versionArn = "arn:aws:states:us-east-1:123456789012:stateMachine:journeys-northwind-webinar:1"
	webinarID  = "nw-2026-12-forecasting"
)

// sfn records starts and resumes like Step Functions.
type sfn struct {
	mu      sync.Mutex
	starts  map[string]int
	inputs  map[string]string
	resumed map[string]string // token -> output
	gone    map[string]bool
	failing map[string]int // token -> how many more calls are throttled
}

// errThrottled is a transient SendTaskSuccess failure.
var errThrottled = errors.New("ThrottlingException: rate exceeded")

func (s *sfn) Start(_ context.Context, target, name, input string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starts[name]++
	if old, ok := s.inputs[name]; ok && old != input {
		return "", workflow.ErrExecutionExists
	}
	s.inputs[name] = input
	return enrol.ExecutionArn(target, name), nil
}

func (s *sfn) SendTaskSuccess(_ context.Context, token, output string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone[token] {
		return workflow.ErrTaskGone
	}
	if s.failing[token] > 0 {
		s.failing[token]--
		return errThrottled
	}
	s.resumed[token] = output
	return nil
}

type fixture struct {
	t      testing.TB
	clock  *asl.VirtualClock
	st     *embedded.Store
	sfn    *sfn
	h      *intake.Handler
	srv    *httptest.Server
	secret webhook.Secret
}

func newFixture(t *testing.T) *fixture { return newBenchFixture(t) }

// newBenchFixture is newFixture for tests and benchmarks alike.
func newBenchFixture(t testing.TB) *fixture {
	t.Helper()
	return newLoggedFixture(t, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// newLoggedFixture is newFixture with the handler logging to log.
func newLoggedFixture(t testing.TB, log *slog.Logger) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, clock: asl.NewVirtualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)),
		sfn: &sfn{starts: map[string]int{}, inputs: map[string]string{}, resumed: map[string]string{}, gone: map[string]bool{},
			failing: map[string]int{}}}
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: f.clock.Now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.secret, _ = webhook.NewSecret(nil)
	cat := catalog.New(st, nil)
	f.h, err = intake.New(intake.Options{
		Store: st, Enroller: enrol.New(st, cat, f.sfn, f.clock.Now), Catalog: cat, Tasks: f.sfn,
		Settings: func(_ context.Context, b string) (intake.Config, error) {
			if b == "contoso" {
				return intake.Config{}, nil // known, without secrets
			}
			if b != bu {
				return intake.Config{}, fmt.Errorf("settings of %s: %w", b, intake.ErrUnknownBU)
			}
			return intake.Config{Secrets: []string{f.secret.Text()}}, nil
		},
		Now: f.clock.Now, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.h)
	t.Cleanup(f.srv.Close)
	f.publish("webinar")
	granted := map[string]store.Consent{"email": {Status: store.ConsentGranted, Source: "test", At: f.clock.Now()}}
	for _, c := range []store.ContactPatch{
		{ID: "c-1", Email: ptr("ada@example.com"), Channels: granted},
		{ID: "c-2", Email: ptr("grace@example.com"), Channels: granted},
	} {
		if _, err := st.UpsertContact(ctx, bu, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []store.APIKey{
		{Hash: intake.HashAPIKey(apiKey), BU: bu, Name: "crm"},
		{Hash: intake.HashAPIKey("jk_readonly"), BU: bu, Name: "reports", Scopes: []string{"reports:read"}},
		{Hash: intake.HashAPIKey("jk_contoso"), BU: "contoso", Name: "other"},
	} {
		if err := st.PutAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) publish(id string) {
	t := f.t
	dir := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(dir)
	checked, more := journey.ReadJourney(filepath.Join(dir, id+".journey.yaml"), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	b, err := journey.NewBundle(checked, lib)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := b.Marshal()
	ctx := context.Background()
	if err := f.st.CreateVersion(ctx, bu, store.JourneyVersion{Journey: id, Version: 1, Source: src, ASL: []byte("{}"),
		StateMachineVersion: versionArn, PublishedBy: "test", PublishedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.PutJourney(ctx, bu, store.Journey{ID: id, Name: id, Status: store.JourneyActive, Current: 1}); err != nil {
		t.Fatal(err)
	}
}

// post sends body with the headers and returns the status and the decoded
// answer.
func (f *fixture) post(body []byte, header http.Header) (int, map[string]any) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/events", bytes.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func bearer(key string) http.Header { return http.Header{"Authorization": {"Bearer " + key}} }

func (f *fixture) signed(id string, at time.Time, body []byte) http.Header {
	h := http.Header{}
	if err := webhook.SignHeaders(h, []webhook.Secret{f.secret}, id, at, body); err != nil {
		f.t.Fatal(err)
	}
	return h
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
