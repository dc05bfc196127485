package sim

import (
	"encoding/json"
	"testing"

	"github.com/journeys-oss/journeys/internal/approval"
)

// TestFlowRequestNames: the simulated flow reads the step, the contact
// and the callback URL under the names approval.FlowRequest writes.
func TestFlowRequestNames(t *testing.T) {
	b, err := json.Marshal(approval.FlowRequest{Journey: &approval.FlowJourney{ID: "welcome", Step: "ask-sales"},
		Contact: &approval.FlowContact{ID: "c-1"}, CallbackURL: "http://journeys.sim/approvals/callback?x=1"})
	if err != nil {
		t.Fatal(err)
	}
	var got flowRequest
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Journey == nil || got.Journey.Step != "ask-sales" || got.Contact == nil || got.Contact.ID != "c-1" || got.CallbackURL != "http://journeys.sim/approvals/callback?x=1" {
		t.Errorf("read %+v from %s", got, b)
	}
}
