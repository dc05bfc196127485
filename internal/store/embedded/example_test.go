package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

// Open a store in a project folder, import a lead by email twice (the
// second import merges), and see the enrolment guard refuse a second entry.
func Example() {
	dir, _ := os.MkdirTemp("", "journeys")
	defer os.RemoveAll(dir)
	s, err := embedded.Open(filepath.Join(dir, ".journeys", "store.db"), store.Config{}, embedded.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()

	c, created, _ := s.UpsertContactByEmail(ctx, "acme", store.ContactPatch{Email: store.String("Lead@Example.com"), FirstName: store.String("Lee")})
	fmt.Println(created, c.Email)
	c, created, _ = s.UpsertContactByEmail(ctx, "acme", store.ContactPatch{Email: store.String("lead@example.com"), Company: store.String("Initech")})
	fmt.Println(created, c.FirstName, c.Company, c.Revision)

	e := store.Enrolment{Journey: "welcome", Contact: c.ID, Entry: "launch-1", Version: 1}
	_, err = s.CreateEnrolment(ctx, "acme", e)
	fmt.Println(err)
	_, err = s.CreateEnrolment(ctx, "acme", e)
	fmt.Println(errors.Is(err, store.ErrExists))
	// Output:
	// true lead@example.com
	// false Lee Initech 2
	// <nil>
	// true
}
