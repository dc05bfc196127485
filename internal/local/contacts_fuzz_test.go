package local_test

import (
	"os"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
)

// FuzzSeeds: any contacts file parses and checks against the example
// library to problems placed in the file, or converts to one seed per
// contact without an error (a checked file always converts).
func FuzzSeeds(f *testing.F) {
	lib, probs := journey.LoadDir("../../journeys")
	if len(probs) > 0 {
		f.Fatal(probs)
	}
	src, err := os.ReadFile("../../journeys/contacts/northwind.contacts.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(src)
	f.Add([]byte("businessUnit: northwind\ncontacts:\n  - {id: c-1, attributes: {leadScore: 7, email: x}, consent: {email: true}, interactions: [{type: email.opened, when: 2026-11-01}]}\n"))
	f.Add([]byte("businessUnit: northwind\ncontacts:\n  - {id: c-1, attributes: {plan: [a]}}\n  - ~\n"))
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		c, probs := journey.ParseContacts("f.contacts.yaml", src)
		probs = append(probs, lib.CheckContacts(c)...)
		for _, p := range probs {
			if p.Pos.File != "f.contacts.yaml" || p.Pos.Line < 1 || p.Message == "" {
				t.Fatalf("problem without a position or message: %#v", p)
			}
		}
		if len(probs) > 0 {
			return
		}
		seeds, err := local.Seeds(c, lib.Schemas[c.BusinessUnit], at)
		if err != nil {
			t.Fatalf("a checked contacts file does not convert: %v", err)
		}
		n := 0
		for _, x := range c.Contacts {
			if x != nil {
				n++
			}
		}
		if len(seeds) != n {
			t.Fatalf("%d seeds for %d contacts", len(seeds), n)
		}
	})
}
