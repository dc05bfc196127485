package journey_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/journey"
)

// TestBundleRoundTrip: a bundle of an example journey survives marshalling
// and loads into the same journey, with its segments available.
func TestBundleRoundTrip(t *testing.T) {
	dir := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(dir)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	checked, probs := journey.ReadJourney(filepath.Join(dir, "welcome.journey.yaml"), lib)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	b, err := journey.NewBundle(checked, lib)
	if err != nil {
		t.Fatal(err)
	}
	data, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := journey.ParseBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, back); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
	got, blib, probs := back.Load(nil)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if got.Journey.ID != "welcome" || len(got.Journey.Steps) != len(checked.Journey.Steps) {
		t.Fatalf("loaded journey %q with %d steps", got.Journey.ID, len(got.Journey.Steps))
	}
	if _, err := blib.Segment("northwind", "customers"); err != nil {
		t.Fatalf("segment from the bundle: %v", err)
	}
	if _, err := journey.ParseBundle([]byte(`{"journey":{"name":"x"}}`)); err == nil {
		t.Fatal("a bundle without its journey source parsed")
	}
}
