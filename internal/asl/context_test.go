package asl_test

import (
	"context"
	"testing"

	"github.com/journeys-oss/journeys/internal/asl"
)

// TestContextOverridesBuildARNs checks that context names given alone give
// the ARNs Step Functions would build from them.
func TestContextOverridesBuildARNs(t *testing.T) {
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Parameters":{
		"exec.$":"$$.Execution.Id","name.$":"$$.Execution.Name","sm.$":"$$.StateMachine.Id","smName.$":"$$.StateMachine.Name"}}}}`
	const p = "arn:aws:states:us-east-1:123456789012:"
	tests := []struct {
		name string
		ctx  *asl.ContextOverrides
		want string
	}{
		{"state machine name", &asl.ContextOverrides{StateMachineName: "Orders"},
			`{"exec":"` + p + `execution:Orders:run-1","name":"run-1","sm":"` + p + `stateMachine:Orders","smName":"Orders"}`},
		{"execution name", &asl.ContextOverrides{ExecutionName: "first"},
			`{"exec":"` + p + `execution:StateMachine:first","name":"first","sm":"` + p + `stateMachine:StateMachine","smName":"StateMachine"}`},
		{"both names", &asl.ContextOverrides{StateMachineName: "Orders", ExecutionName: "first"},
			`{"exec":"` + p + `execution:Orders:first","name":"first","sm":"` + p + `stateMachine:Orders","smName":"Orders"}`},
		{"state machine ARN", &asl.ContextOverrides{StateMachineArn: "arn:aws:states:eu-west-1:111111111111:stateMachine:Billing"},
			`{"exec":"arn:aws:states:eu-west-1:111111111111:execution:Billing:run-1","name":"run-1","sm":"arn:aws:states:eu-west-1:111111111111:stateMachine:Billing","smName":"StateMachine"}`},
		{"execution ARN wins", &asl.ContextOverrides{StateMachineName: "Orders", ExecutionArn: "arn:x"},
			`{"exec":"arn:x","name":"run-1","sm":"` + p + `stateMachine:Orders","smName":"Orders"}`},
		{"no overrides", nil,
			`{"exec":"` + p + `execution:StateMachine:run-1","name":"run-1","sm":"` + p + `stateMachine:StateMachine","smName":"StateMachine"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := asl.Run(context.Background(), asl.StartRequest{Machine: mustLoad(t, def), Name: "run-1", Context: tc.ctx})
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if got, want := canon(t, out.Output), canon(t, []byte(tc.want)); got != want {
				t.Errorf("context\n got: %s\nwant: %s", got, want)
			}
		})
	}
}
