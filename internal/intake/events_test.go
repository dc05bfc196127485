package intake_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/journeys-oss/journeys/internal/intake"
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
	if ev, err := intake.ParseEvent([]byte(req.Body)); err != nil || ev.Name != "webinar.registered" || req.Headers["authorization"] == "" {
		t.Errorf("events.json: %+v %v", ev, err)
	}
}
