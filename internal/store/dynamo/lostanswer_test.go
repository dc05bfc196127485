package dynamo

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// losingAnswers forwards every request to moto, but answers the first
// PutItem of each kind with a 500 after moto stored it: the answer is
// lost and the SDK sends the same PutItem again.
type losingAnswers struct {
	mu   sync.Mutex
	lost int
}

func (l *losingAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutItem") {
		return resp, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost == 2 {
		return resp, nil
	}
	l.lost++
	resp.Body.Close()
	body := `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"answer lost"}`
	return &http.Response{StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error", Proto: "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

// TestAppendSurvivesLostAnswer: a step log or interaction whose PutItem
// landed but whose answer was lost is written once and reported written,
// not "already exists" when the SDK's retry meets it.
func TestAppendSurvivesLostAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("moto: skipped with -short")
	}
	la := &losingAnswers{}
	s, clock := storeThrough(t, la)
	ctx := context.Background()
	if _, err := s.AppendStepLog(ctx, "acme", store.StepLog{Contact: "c-1", Journey: "j", Step: "s", At: clock.Now(), Outcome: store.StepSent}); err != nil {
		t.Fatalf("step log: %v", err)
	}
	if _, err := s.AppendInteraction(ctx, "acme", store.Interaction{Contact: "c-1", Kind: store.InteractionSent, Channel: "email", At: clock.Now()}); err != nil {
		t.Fatalf("interaction: %v", err)
	}
	if la.lost != 2 {
		t.Fatalf("%d answers lost, want 2: the test did not happen", la.lost)
	}
	logs, err := s.ListStepLogs(ctx, "acme", "c-1", "")
	if err != nil || len(logs) != 1 {
		t.Fatalf("%d step logs (%v), want 1", len(logs), err)
	}
	if n, err := s.CountInteractions(ctx, "acme", "c-1", store.InteractionSent, "email", time.Time{}); err != nil || n != 1 {
		t.Fatalf("%d interactions (%v), want 1", n, err)
	}
	// An id the caller chose still reports the duplicate it meant to find.
	dup := store.Interaction{ID: "open-m1", Contact: "c-1", Kind: store.InteractionOpened, Channel: "email", At: clock.Now()}
	if _, err := s.AppendInteraction(ctx, "acme", dup); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendInteraction(ctx, "acme", dup); err == nil {
		t.Fatal("a repeated caller id was not reported")
	}
}
