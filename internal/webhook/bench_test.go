package webhook

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func BenchmarkVerify(b *testing.B) {
	secrets := []Secret{otherSecret(b, 1), otherSecret(b, 2)}
	body := make([]byte, 2048)
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{}
	if err := SignHeaders(h, secrets, "msg_1", now, body); err != nil {
		b.Fatal(err)
	}
	v := &Verifier{Secrets: secrets[1:], Now: func() time.Time { return now }}
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := v.Verify(ctx, h, body); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "verifies/s")
}
