package sample_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/lambdamain/sample"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// TestMiddayZone: at every hour of the day the sample contact's zone puts
// the seeding moment at 13:xx, outside any quiet hours of the examples.
func TestMiddayZone(t *testing.T) {
	day := time.Date(2026, 11, 29, 0, 30, 0, 0, time.UTC)
	for h := range 24 {
		now := day.Add(time.Duration(h) * time.Hour)
		zone := sample.MiddayZone(now)
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatalf("%s: zone %s: %v", now.Format("15:04"), zone, err)
		}
		if got := now.In(loc).Hour(); got != 13 {
			t.Errorf("%s UTC: %s gives %02d:30, want 13:30", now.Format("15:04"), zone, got)
		}
	}
}

// TestApprovalSample: the approval Seed stores and the signed callback
// names is the one approval-request makes of its sample event.
func TestApprovalSample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testsvc.Root(t), "events", "approval-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct{ BU, Contact, Execution, Step, Token string }
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	want := struct{ BU, Contact, Execution, Step, Token string }{sample.BU, sample.Contact, sample.Execution, sample.ApprovalStep, sample.ApprovalToken}
	if diff := cmp.Diff(want, ev); diff != "" {
		t.Errorf("events/approval-request.json does not request the sample approval (-want +got):\n%s", diff)
	}
}
