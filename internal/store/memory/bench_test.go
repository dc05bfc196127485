package memory

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/storetest"
)

// Run with -cpu 1 for the one-core figures, -cpu 2 for the parallel ones.

func benchStore() (*Store, *storetest.Clock) {
	clock := storetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return New(storetest.Config(clock)), clock
}

// load creates n sample contacts.
func load(b *testing.B, s *Store, n int) {
	b.Helper()
	ctx := context.Background()
	for i := range n {
		if _, err := s.UpsertContact(ctx, "acme", storetest.SamplePatch(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("c-%07d", i)
	}
	return out
}

// BenchmarkContactGet reads contacts by id from all goroutines: a copy
// each, maps included. "fields" contacts have a dozen fields and no
// attributes or consent (the store's own cost); "full" ones are
// storetest.SamplePatch (three attributes, email consent), whose two maps
// the copy must allocate (about 1.8 KB).
func BenchmarkContactGet(b *testing.B) {
	for _, shape := range []string{"fields", "full"} {
		b.Run(shape, func(b *testing.B) {
			s, _ := benchStore()
			ctx, all := context.Background(), ids(10_000)
			for i := range all {
				p := storetest.SamplePatch(i)
				if shape == "fields" {
					p.Attributes, p.Channels = nil, nil
				}
				if _, err := s.UpsertContact(ctx, "acme", p); err != nil {
					b.Fatal(err)
				}
			}
			m := storetest.StartMeter(b)
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := s.GetContact(ctx, "acme", all[i%len(all)]); err != nil {
						b.Error(err)
						return
					}
					i += 7
				}
			})
			m.Report(b.N, "gets/s")
		})
	}
}

// BenchmarkContactUpsert creates contacts (the import path: a dozen
// fields, attributes, consent, an email index entry).
func BenchmarkContactUpsert(b *testing.B) {
	s, _ := benchStore()
	ctx := context.Background()
	patches := make([]store.ContactPatch, 100_000)
	for i := range patches {
		patches[i] = storetest.SamplePatch(i)
	}
	m := storetest.StartMeter(b)
	for i := 0; b.Loop(); i++ {
		p := patches[i%len(patches)]
		if i >= len(patches) {
			p.ID, p.Email = fmt.Sprintf("c-x%d", i), store.String(fmt.Sprintf("x%d@example.com", i))
		}
		if _, err := s.UpsertContact(ctx, "acme", p); err != nil {
			b.Fatal(err)
		}
	}
	m.Report(b.N, "upserts/s")
}

// BenchmarkContactMerge merges a small patch into existing contacts from
// all goroutines (the update-contact step).
func BenchmarkContactMerge(b *testing.B) {
	s, _ := benchStore()
	load(b, s, 10_000)
	ctx, all := context.Background(), ids(10_000)
	m := storetest.StartMeter(b)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			p := store.ContactPatch{ID: all[i%len(all)], LifecycleStage: store.String("customer"), Attributes: map[string]store.Value{"score": store.NumberValue(float64(i))}}
			if _, err := s.UpsertContact(ctx, "acme", p); err != nil {
				b.Error(err)
				return
			}
			i += 7
		}
	})
	m.Report(b.N, "upserts/s")
}

// BenchmarkInteractionAppend appends interactions over 10,000 contacts.
func BenchmarkInteractionAppend(b *testing.B) {
	s, _ := benchStore()
	ctx, all := context.Background(), ids(10_000)
	m := storetest.StartMeter(b)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.AppendInteraction(ctx, "acme", storetest.SampleInteraction(all[i%len(all)], i/len(all))); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	m.Report(b.N, "appends/s")
}

// BenchmarkInteractionQuery runs the frequency-cap count and a newest
// first page for contacts with 10 interactions each.
func BenchmarkInteractionQuery(b *testing.B) {
	s, _ := benchStore()
	ctx, all := context.Background(), ids(10_000)
	for n := range 10 {
		for _, c := range all {
			if _, err := s.AppendInteraction(ctx, "acme", storetest.SampleInteraction(c, n)); err != nil {
				b.Fatal(err)
			}
		}
	}
	since := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	m := storetest.StartMeter(b)
	for i := 0; b.Loop(); i++ {
		c := all[i%len(all)]
		if _, err := s.CountInteractions(ctx, "acme", c, store.InteractionSent, "email", since); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ListInteractions(ctx, "acme", c, store.InteractionQuery{NewestFirst: true, Limit: 5}); err != nil {
			b.Fatal(err)
		}
	}
	m.Report(b.N, "count+list/s")
}

// BenchmarkEnrolmentCreate is a segment launch's conditional create.
func BenchmarkEnrolmentCreate(b *testing.B) {
	s, _ := benchStore()
	ctx := context.Background()
	m := storetest.StartMeter(b)
	for i := 0; b.Loop(); i++ {
		if _, err := s.CreateEnrolment(ctx, "acme", store.Enrolment{Journey: "welcome", Contact: fmt.Sprintf("c-%07d", i), Entry: "launch-1", Version: 1}); err != nil {
			b.Fatal(err)
		}
	}
	m.Report(b.N, "enrolments/s")
}

// BenchmarkJourney is the store's share of one contact's trip through a
// three-send journey: import, enrol, then per send an idempotency lease,
// a frequency-cap count, the send's interaction, a step log, the
// enrolment's step and a funnel count; then the end.
func BenchmarkJourney(b *testing.B) {
	s, _ := benchStore()
	ctx := context.Background()
	m := storetest.StartMeter(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := journey(ctx, s, store.NewID("")); err != nil {
				b.Error(err)
				return
			}
		}
	})
	m.Report(b.N, "contacts/s")
}

func journey(ctx context.Context, s *Store, n string) error {
	c, _, err := s.UpsertContactByEmail(ctx, "acme", store.ContactPatch{Email: store.String(n + "@example.com"), FirstName: store.String("Ada")})
	if err != nil {
		return err
	}
	exec := "exec-" + c.ID
	if _, err := s.CreateEnrolment(ctx, "acme", store.Enrolment{Journey: "welcome", Contact: c.ID, Entry: "launch-1", Version: 1, Execution: exec}); err != nil {
		return err
	}
	for step := range 3 {
		name := fmt.Sprint("send-", step)
		lease, err := s.BeginIdempotency(ctx, "acme", exec+":"+name, time.Minute)
		if err != nil {
			return err
		}
		if _, err := s.CountInteractions(ctx, "acme", c.ID, store.InteractionSent, "email", time.Time{}); err != nil {
			return err
		}
		in := storetest.SampleInteraction(c.ID, 3*step)
		if _, err := s.AppendInteraction(ctx, "acme", in); err != nil {
			return err
		}
		if _, err := s.AppendStepLog(ctx, "acme", store.StepLog{Contact: c.ID, Journey: "welcome", Version: 1, Execution: exec, Step: name, At: in.At, Outcome: store.StepSent}); err != nil {
			return err
		}
		if err := s.CompleteIdempotency(ctx, "acme", exec+":"+name, lease.Token, []byte(`{"sent":true}`), time.Hour); err != nil {
			return err
		}
		if _, err := s.UpdateEnrolment(ctx, "acme", "welcome", c.ID, "launch-1", store.EnrolmentUpdate{Step: &name}); err != nil {
			return err
		}
		if err := s.IncrementFunnel(ctx, "acme", "welcome", 1, name, "sent", 1); err != nil {
			return err
		}
	}
	done := store.EnrolmentCompleted
	_, err = s.UpdateEnrolment(ctx, "acme", "welcome", c.ID, "launch-1", store.EnrolmentUpdate{Status: &done})
	return err
}

// BenchmarkMemory100k measures the heap that 100,000 contacts, 100,000
// enrolments and 1,000,000 interactions take (the dev server's and a
// large simulation's size).
func BenchmarkMemory100k(b *testing.B) {
	const contacts, perContact = 100_000, 10
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		s, _ := benchStore()
		load(b, s, contacts)
		batch := make([]store.Interaction, 0, contacts)
		for n := range perContact {
			batch = batch[:0]
			for i := range contacts {
				batch = append(batch, storetest.SampleInteraction(fmt.Sprintf("c-%07d", i), n))
			}
			if err := s.AppendInteractions(ctx, "acme", batch); err != nil {
				b.Fatal(err)
			}
		}
		es := make([]store.Enrolment, contacts)
		for i := range es {
			es[i] = store.Enrolment{Journey: "welcome", Contact: fmt.Sprintf("c-%07d", i), Entry: "launch-1", Version: 1, Execution: fmt.Sprint("exec-", i), Step: "send-0"}
		}
		if _, err := s.CreateEnrolments(ctx, "acme", es); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		batch, es = nil, nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		b.ReportMetric(heap/contacts, "bytes/contact")
		b.ReportMetric(heap/(1<<20), "MiB")
		runtime.KeepAlive(s)
		b.StartTimer()
	}
}
