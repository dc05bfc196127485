package approval_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/wire"
)

// TestSampleEvents keeps events/approval-*.json readable by the code that
// serves them.
func TestSampleEvents(t *testing.T) {
	var req wire.StepRequest
	readEvent(t, "approval-request.json", &req)
	if req.Op != wire.OpApproval || req.Token == "" || req.Step != "ask-sales" {
		t.Errorf("approval-request.json: %+v", req)
	}
	var cb events.APIGatewayV2HTTPRequest
	readEvent(t, "approval-callback.json", &cb)
	if o, err := approval.ParseOutcome([]byte(cb.Body)); err != nil || !o.Approved() {
		t.Errorf("approval-callback.json: %+v %v", o, err)
	}
	if cb.QueryStringParameters["sig"] == "" || cb.QueryStringParameters["id"] == "" {
		t.Error("approval-callback.json has no signed query")
	}
}

func readEvent(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
