package intake_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkEvent posts triggering events straight to the handler: API key
// lookup, a new event id, the interaction, the triggered journey's entry
// policy (the first enrols, the rest are skipped as re-entries), the
// contact's waits.
func BenchmarkEvent(b *testing.B) {
	f := newBenchFixture(b)
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = registered(fmt.Sprintf("reg-%d", i), "c-1", webinarID)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/events", bytes.NewReader(bodies[i]))
		req.Header.Set("Authorization", "Bearer "+apiKey)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
