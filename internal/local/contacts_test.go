package local_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/store"
)

// sampleSeeds reads the bundled sample contacts.
func sampleSeeds(t *testing.T) []local.Seed {
	t.Helper()
	lib, probs := journey.LoadDir("../../journeys")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	src, err := os.ReadFile("../../journeys/contacts/northwind.contacts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, probs := journey.ParseContacts("northwind.contacts.yaml", src)
	if probs = append(probs, lib.CheckContacts(f)...); len(probs) > 0 {
		t.Fatal(probs)
	}
	seeds, err := local.Seeds(f, lib.Schemas["northwind"], t0)
	if err != nil {
		t.Fatal(err)
	}
	return seeds
}

// TestSeeds: a sample contact reads back from the store as conditions see
// it (profile.Attributes), with its consents and interactions.
func TestSeeds(t *testing.T) {
	ctx := context.Background()
	seeds := sampleSeeds(t)
	st := openKV(t, t.TempDir())
	defer st.Close()
	if err := local.LoadSeeds(ctx, st, "northwind", seeds[:1]); err != nil {
		t.Fatal(err)
	}
	c, err := st.GetContact(ctx, "northwind", "c-0001")
	if err != nil {
		t.Fatal(err)
	}
	got := profile.Attributes(c)
	want := map[string]any{
		"email": "amelia.hughes@brightline-logistics.example.com", "firstName": "Amelia", "lastName": "Hughes",
		"company": "Brightline Logistics", "jobTitle": "Operations Analyst", "country": "GB", "locale": "en-GB",
		"timezone": "Europe/London", "lifecycleStage": "sql", "industry": "logistics", "plan": "trial",
		"leadScore": 24.0, "owner": "u-sales-044", "newsletterFrequency": "monthly", "unsubscribed": false,
		"signedUpAt": time.Date(2026, 2, 2, 5, 15, 0, 0, time.UTC), "interests": []string{"forecasting", "dashboards"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("attributes (-want +got):\n%s", d)
	}
	if c.Channels["email"].Status != store.ConsentGranted || c.Channels["sms"].Status != store.ConsentDenied {
		t.Errorf("consents %+v", c.Channels)
	}
	page, err := st.ListInteractions(ctx, "northwind", "c-0001", store.InteractionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, in := range profile.Interactions(page.Items) {
		types = append(types, in.Type+" "+in.Template+" "+in.URL)
	}
	wantTypes := []string{
		"email.delivered newsletter-monthly ", "email.opened newsletter-monthly ",
		"email.clicked newsletter-monthly https://northwind.example.com/forecasting",
	}
	if d := cmp.Diff(wantTypes, types); d != "" {
		t.Errorf("interactions (-want +got):\n%s", d)
	}
}

// TestGenerate: clones get fresh ids and unique addresses, and load.
func TestGenerate(t *testing.T) {
	ctx := context.Background()
	seeds := sampleSeeds(t)
	clones := local.Generate(seeds, len(seeds)+3)
	if got := clones[len(seeds)].ID; got != fmt.Sprintf("%s-g%06d", seeds[0].ID, len(seeds)+1) {
		t.Fatalf("clone id %q", got)
	}
	st := openKV(t, t.TempDir())
	defer st.Close()
	if err := local.LoadSeeds(ctx, st, "northwind", append(seeds, clones...)); err != nil {
		t.Fatal(err)
	}
	c, err := st.GetContact(ctx, "northwind", clones[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "amelia.hughes+g000001@brightline-logistics.example.com" || c.FirstName != "Amelia" {
		t.Fatalf("clone %+v", c)
	}
	page, _ := st.ListInteractions(ctx, "northwind", clones[0].ID, store.InteractionQuery{})
	if len(page.Items) != 3 {
		t.Fatalf("clone has %d interactions, want 3", len(page.Items))
	}
}
