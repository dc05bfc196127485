package embedded

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/storetest"
)

func benchStore(b *testing.B, noSync bool) *Store {
	b.Helper()
	clock := storetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s, err := Open(filepath.Join(b.TempDir(), "store.db"), storetest.Config(clock), Options{NoSync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchPatch(i int) store.ContactPatch { return storetest.SamplePatch(i) }

// BenchmarkContactUpsert creates contacts, each a new record with an email
// index entry and a suppression check, with and without fsync per commit.
func BenchmarkContactUpsert(b *testing.B) {
	for _, noSync := range []bool{true, false} {
		b.Run(fmt.Sprintf("nosync=%v", noSync), func(b *testing.B) {
			s := benchStore(b, noSync)
			ctx := context.Background()
			m := storetest.StartMeter(b)
			i := 0
			for b.Loop() {
				if _, err := s.UpsertContact(ctx, "acme", benchPatch(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			m.Report(b.N, "upserts/s")
		})
	}
}

// BenchmarkContactUpsertParallel merges into existing contacts from all
// cores at once: writes are serialised by bbolt, so this shows the ceiling.
func BenchmarkContactUpsertParallel(b *testing.B) {
	s := benchStore(b, true)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := s.UpsertContact(ctx, "acme", benchPatch(i)); err != nil {
			b.Fatal(err)
		}
	}
	m := storetest.StartMeter(b)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.UpsertContact(ctx, "acme", store.ContactPatch{ID: fmt.Sprintf("c-%07d", i%1000), JobTitle: store.String("x")}); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	m.Report(b.N, "upserts/s")
}

// BenchmarkContactGet reads contacts by id from many goroutines.
func BenchmarkContactGet(b *testing.B) {
	s := benchStore(b, true)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := s.UpsertContact(ctx, "acme", benchPatch(i)); err != nil {
			b.Fatal(err)
		}
	}
	m := storetest.StartMeter(b)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.GetContact(ctx, "acme", fmt.Sprintf("c-%07d", i%1000)); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	m.Report(b.N, "gets/s")
}

// BenchmarkEnrolmentCreate is the conditional create of a segment launch.
func BenchmarkEnrolmentCreate(b *testing.B) {
	s := benchStore(b, true)
	ctx := context.Background()
	m := storetest.StartMeter(b)
	i := 0
	for b.Loop() {
		_, err := s.CreateEnrolment(ctx, "acme", store.Enrolment{Journey: "welcome", Contact: fmt.Sprintf("c-%07d", i), Entry: "launch-1", Version: 3, Execution: fmt.Sprintf("exec-%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	m.Report(b.N, "enrolments/s")
}

// BenchmarkInteraction appends an interaction to one of 1,000 contacts and
// runs the frequency-cap count and a newest-first page for it.
func BenchmarkInteraction(b *testing.B) {
	s := benchStore(b, true)
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := storetest.StartMeter(b)
	i := 0
	for b.Loop() {
		c := fmt.Sprintf("c-%04d", i%1000)
		_, err := s.AppendInteraction(ctx, "acme", store.Interaction{Contact: c, Kind: store.InteractionSent, Channel: "email", At: at.Add(time.Duration(i) * time.Second), Journey: "welcome", Step: "s1"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.CountInteractions(ctx, "acme", c, store.InteractionSent, "email", at); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ListInteractions(ctx, "acme", c, store.InteractionQuery{NewestFirst: true, Limit: 10}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	m.Report(b.N, "append+query/s")
}

// BenchmarkLoad100k loads 100,000 contacts and enrols each in a journey,
// the local runtime's target size, then lists them in 8 segments.
func BenchmarkLoad100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s := benchStore(b, true)
		b.StartTimer()
		for i := range n {
			if _, err := s.UpsertContact(ctx, "acme", benchPatch(i)); err != nil {
				b.Fatal(err)
			}
			if _, err := s.CreateEnrolment(ctx, "acme", store.Enrolment{Journey: "welcome", Contact: fmt.Sprintf("c-%07d", i), Entry: "launch-1", Version: 1}); err != nil {
				b.Fatal(err)
			}
		}
		listed := 0
		for seg := range 8 {
			cur := ""
			for {
				p, err := s.ListContacts(ctx, "acme", store.ContactScan{Segment: seg, Segments: 8, Cursor: cur, Limit: 1000})
				if err != nil {
					b.Fatal(err)
				}
				listed += len(p.Items)
				if cur = p.Next; cur == "" {
					break
				}
			}
		}
		if listed != n {
			b.Fatalf("listed %d of %d", listed, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "contacts/s")
}

// BenchmarkBatchUpsert imports contacts by email in batches of 1,000 (one
// transaction each): the import and lead path, new contacts each time.
func BenchmarkBatchUpsert(b *testing.B) {
	benchBatches(b, "contacts/s", func(s *Store, from, n int) error {
		ps := make([]store.ContactPatch, n)
		for i := range ps {
			ps[i] = benchPatch(from + i)
		}
		rs, err := s.UpsertContactsByEmail(context.Background(), "acme", ps)
		if err == nil && rs[n-1].Outcome != store.BatchCreated {
			err = rs[n-1].Err
		}
		return err
	})
}

// BenchmarkBatchEnrol enrols contacts in batches of 1,000: a segment
// launch.
func BenchmarkBatchEnrol(b *testing.B) {
	benchBatches(b, "enrolments/s", func(s *Store, from, n int) error {
		es := make([]store.Enrolment, n)
		for i := range es {
			es[i] = store.Enrolment{Journey: "welcome", Contact: fmt.Sprintf("c-%07d", from+i), Entry: "launch-1", Version: 1, Execution: fmt.Sprint("exec-", from+i)}
		}
		rs, err := s.CreateEnrolments(context.Background(), "acme", es)
		if err == nil && rs[n-1].Outcome != store.BatchCreated {
			err = rs[n-1].Err
		}
		return err
	})
}

// BenchmarkBatchInteractions appends interactions in batches of 1,000
// over 10,000 contacts.
func BenchmarkBatchInteractions(b *testing.B) {
	benchBatches(b, "interactions/s", func(s *Store, from, n int) error {
		is := make([]store.Interaction, n)
		for i := range is {
			is[i] = storetest.SampleInteraction(fmt.Sprintf("c-%07d", (from+i)%10_000), (from+i)/10_000)
		}
		return s.AppendInteractions(context.Background(), "acme", is)
	})
}

// benchBatches runs write in batches of 1,000 items, b.N items in all, on
// a NoSync store, and reports items per second.
func benchBatches(b *testing.B, unit string, write func(s *Store, from, n int) error) {
	const batch = 1000
	s := benchStore(b, true)
	m := storetest.StartMeter(b)
	for from := 0; from < b.N; from += batch {
		if err := write(s, from, min(batch, b.N-from)); err != nil {
			b.Fatal(err)
		}
	}
	m.Report(b.N, unit)
}
