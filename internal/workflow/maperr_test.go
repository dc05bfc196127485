package workflow

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"
)

// TestMapErr: the service's error codes become the sentinels callers
// decide on, and the original error stays in the chain.
func TestMapErr(t *testing.T) {
	for _, tt := range []struct {
		code string
		want []error
		not  []error
	}{
		{"StateMachineDoesNotExist", []error{ErrNotFound}, []error{ErrThrottled}},
		{"ExecutionDoesNotExist", []error{ErrNotFound}, nil},
		{"ResourceNotFound", []error{ErrNotFound}, nil},
		{"ExecutionAlreadyExists", []error{ErrExecutionExists}, []error{ErrNotFound}},
		{"TaskTimedOut", []error{ErrTaskGone}, nil},
		{"ThrottlingException", []error{ErrThrottled}, []error{ErrExecutionLimit}},
		{"TooManyRequestsException", []error{ErrThrottled}, []error{ErrExecutionLimit}},
		{"ExecutionLimitExceeded", []error{ErrThrottled, ErrExecutionLimit}, nil},
		{"ValidationException", nil, []error{ErrNotFound, ErrThrottled, ErrExecutionExists, ErrTaskGone}},
	} {
		t.Run(tt.code, func(t *testing.T) {
			orig := &smithy.GenericAPIError{Code: tt.code, Message: "m"}
			err := mapErr(orig)
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tt.code {
				t.Errorf("the original error is lost: %v", err)
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("%v is not %v", err, w)
				}
			}
			for _, n := range tt.not {
				if errors.Is(err, n) {
					t.Errorf("%v is %v", err, n)
				}
			}
		})
	}
}
