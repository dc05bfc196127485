package intake_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/journey"
)

// TestSampleEvent keeps events/events.json readable by ParseEvent.
func TestSampleEvent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "events", "events.json"))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	ev, err := intake.ParseEvent([]byte(req.Body))
	if err != nil || ev.Name != "webinar.registered" || req.Headers["authorization"] == "" {
		t.Fatalf("events.json: %+v %v", ev, err)
	}
	// It carries what the webinar journey's templates read.
	dir := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(dir)
	checked, more := journey.ReadJourney(filepath.Join(dir, "webinar.journey.yaml"), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	trigger := checked.Journey.Trigger.Event
	if trigger == nil || trigger.Name != ev.Name || len(trigger.Carries) == 0 {
		t.Fatalf("the webinar journey is not triggered by %s with declared attributes", ev.Name)
	}
	for _, n := range checked.Journey.EventScope().Attributes {
		if v, _ := ev.Attributes[n].(string); v == "" {
			t.Errorf("events.json: attribute %s is missing", n)
		}
	}
}
