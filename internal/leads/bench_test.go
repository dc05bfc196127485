package leads_test

import (
	"context"
	"testing"

	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
)

// BenchmarkLeadSync measures one lead from Inbox.Accept to an enrolled
// contact: claim, queue, receive, lock, fetch from the fake LinkedIn over
// loopback HTTP, map, upsert, interaction, enrolment, completion.
func BenchmarkLeadSync(b *testing.B) {
	f := newBenchFixture(b)
	ctx := context.Background()
	var ns []linkedin.Notification
	for n := 1; n <= b.N; n++ {
		l := makeLead(leadSpec{n: n, email: emailOf(n), consent: true})
		f.li.AddLead(l)
		ns = append(ns, mustNotification(b, l))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, n := range ns {
		if _, err := f.inbox.Accept(ctx, n, nil); err != nil {
			b.Fatal(err)
		}
	}
	for {
		st, err := f.worker.Drain(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if st.Received == 0 {
			break
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
	if got := len(f.starter.calls); got != b.N {
		b.Fatalf("%d executions, want %d", got, b.N)
	}
}

func mustNotification(b *testing.B, l linkedin.Lead) linkedin.Notification {
	n, err := leads.NotificationFor(l)
	if err != nil {
		b.Fatal(err)
	}
	return n
}
