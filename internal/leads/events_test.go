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
	// A deletion that overtook its creation: both sync offline (a
	// tombstone, then an ignored creation), as sam local invoke runs it.
	var actions []string
	for _, r := range sqs.Records {
		m, err := leads.ParseMessage([]byte(r.Body))
		if err != nil {
			t.Errorf("linkedin-sync.json: %v", err)
		}
		actions = append(actions, m.Action)
	}
	if len(actions) != 2 || actions[0] != linkedin.ActionDeleted || actions[1] != linkedin.ActionCreated {
		t.Errorf("linkedin-sync.json actions %v, want DELETED then CREATED", actions)
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
