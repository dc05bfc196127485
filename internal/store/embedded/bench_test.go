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

func perSecond(b *testing.B, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

// benchPatch is a realistic contact: a dozen fields, attributes, consent.
func benchPatch(i int) store.ContactPatch {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return store.ContactPatch{
		ID: fmt.Sprintf("c-%07d", i), Email: store.String(fmt.Sprintf("person%d@example.com", i)),
		FirstName: store.String("Ada"), LastName: store.String("Lovelace"), Company: store.String("Engines"),
		Country: store.String("GB"), Timezone: store.String("Europe/London"), Locale: store.String("en-GB"),
		Owner: store.String("rep-1"), LifecycleStage: store.String("lead"),
		Attributes: map[string]store.Value{"score": store.NumberValue(float64(i % 100)), "plan": store.StringValue("pro"), "tags": store.ListValue("a", "b")},
		Channels:   map[string]store.Consent{"email": {Status: store.ConsentGranted, Source: "form", At: at}},
	}
}

// BenchmarkContactUpsert creates contacts, each a new record with an email
// index entry and a suppression check, with and without fsync per commit.
func BenchmarkContactUpsert(b *testing.B) {
	for _, noSync := range []bool{true, false} {
		b.Run(fmt.Sprintf("nosync=%v", noSync), func(b *testing.B) {
			s := benchStore(b, noSync)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.UpsertContact(ctx, "acme", benchPatch(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			perSecond(b, "upserts/s")
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
	b.ReportAllocs()
	b.ResetTimer()
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
	perSecond(b, "upserts/s")
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
	b.ReportAllocs()
	b.ResetTimer()
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
	perSecond(b, "gets/s")
}

// BenchmarkEnrolmentCreate is the conditional create of a segment launch.
func BenchmarkEnrolmentCreate(b *testing.B) {
	s := benchStore(b, true)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, err := s.CreateEnrolment(ctx, "acme", store.Enrolment{Journey: "welcome", Contact: fmt.Sprintf("c-%07d", i), Entry: "launch-1", Version: 3, Execution: fmt.Sprintf("exec-%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	perSecond(b, "enrolments/s")
}

// BenchmarkInteraction appends an interaction to one of 1,000 contacts and
// runs the frequency-cap count and a newest-first page for it.
func BenchmarkInteraction(b *testing.B) {
	s := benchStore(b, true)
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
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
	perSecond(b, "append+query/s")
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
