package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
)

// A simulation's start: import leads in one batch (two rows of one address
// merge, a malformed one is reported), launch a journey to them, and record
// what the first send did.
func Example() {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := memory.New(store.Config{Now: func() time.Time { return at }})

	rs, _ := s.UpsertContactsByEmail(ctx, "acme", []store.ContactPatch{
		{Email: store.String("Lee@Example.com"), FirstName: store.String("Lee")},
		{Email: store.String("kim@example.com")},
		{Email: store.String("not an address")},
		{Email: store.String("lee@example.com"), Company: store.String("Initech")},
	})
	for _, r := range rs {
		fmt.Println(r.Outcome)
	}

	var es []store.Enrolment
	for _, r := range rs[:2] {
		es = append(es, store.Enrolment{Journey: "welcome", Contact: r.ID, Entry: "launch-1", Version: 1})
	}
	es = append(es, es[0]) // enrolled once only
	launched, _ := s.CreateEnrolments(ctx, "acme", es)
	fmt.Println(launched[0].Outcome, launched[1].Outcome, launched[2].Outcome)

	_ = s.AppendInteractions(ctx, "acme", []store.Interaction{
		{Contact: rs[0].ID, Kind: store.InteractionSent, Channel: "email", At: at},
		{Contact: rs[0].ID, Kind: store.InteractionOpened, Channel: "email", At: at.Add(time.Hour)},
	})
	n, _ := s.CountInteractions(ctx, "acme", rs[0].ID, store.InteractionSent, "email", at.Add(-24*time.Hour))
	lee, _ := s.FindContactByEmail(ctx, "acme", "LEE@example.com")
	fmt.Println(n, lee.FirstName, lee.Company)
	// Output:
	// created
	// created
	// invalid
	// updated
	// created created exists
	// 1 Lee Initech
}
