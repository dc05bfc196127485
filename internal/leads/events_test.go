package leads_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
)

// TestSampleEvents keeps events/linkedin-*.json readable by the code that
// serves them.
func TestSampleEvents(t *testing.T) {
	var sqs events.SQSEvent
	readEvent(t, "linkedin-sync.json", &sqs)
	if len(sqs.Records) != 1 {
		t.Fatalf("%d records", len(sqs.Records))
	}
	if _, err := leads.ParseMessage([]byte(sqs.Records[0].Body)); err != nil {
		t.Errorf("linkedin-sync.json: %v", err)
	}
	var http events.APIGatewayV2HTTPRequest
	readEvent(t, "linkedin-webhook.json", &http)
	n, err := linkedin.ParseNotification([]byte(http.Body))
	if err != nil || n.Action != linkedin.ActionCreated || http.RequestContext.HTTP.Method != "POST" {
		t.Errorf("linkedin-webhook.json: %+v %v", n, err)
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
