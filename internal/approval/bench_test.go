package approval_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/approval/flowtest"
	"github.com/journeys-oss/journeys/internal/store"
)

// BenchmarkCallback decides step approvals through the callback handler:
// URL signature, body, first-decision write, token claim, SendTaskSuccess.
func BenchmarkCallback(b *testing.B) {
	f := newBenchFixture(b, flowtest.Options{})
	ctx := context.Background()
	urls := make([]string, b.N)
	for i := range urls {
		a, err := f.svc.Request(ctx, approval.Subject{BU: bu, Kind: store.ApprovalStep, Key: fmt.Sprint(i), Title: "t",
			Journey: "welcome", Version: 1, Step: "ask-sales", Execution: execution, Contact: "c-1",
			Token: fmt.Sprintf("token-%d", i), Expires: f.clock.Now().Add(time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		urls[i], _ = approval.CallbackURL("https://api.example.com/approvals/callback", []byte(callbackKey), bu, a.ID, a.ExpiresAt)
	}
	body := flowtest.OutcomeBody(approve, f.clock.Now())
	h := f.svc.Callback()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, urls[i], bytes.NewReader(body)))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}
