package wire_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/journeys-oss/journeys/internal/wire"
)

func TestLambdaError(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantType string // "" means: left as it was
	}{
		{"nil", nil, ""},
		{"named", wire.Errorf(wire.ErrTransient, "provider answered 503"), wire.ErrTransient},
		{"wrapped named", fmt.Errorf("send step s1: %w", wire.Deferred(time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC))), wire.ErrDeferred},
		{"plain", errors.New("boom"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wire.LambdaError(tt.err)
			if tt.wantType == "" {
				if got != tt.err {
					t.Fatalf("LambdaError(%v) = %v, want it unchanged", tt.err, got)
				}
				return
			}
			ire, ok := got.(messages.InvokeResponse_Error)
			if !ok || ire.Type != tt.wantType {
				t.Fatalf("LambdaError(%v) = %#v, want an InvokeResponse_Error of type %s", tt.err, got, tt.wantType)
			}
		})
	}
}

func TestDeferredMessageIsTimestamp(t *testing.T) {
	at := time.Date(2026, 11, 30, 7, 0, 0, 0, time.FixedZone("CET", 3600))
	e := wire.Deferred(at)
	if e.Message != "2026-11-30T06:00:00Z" {
		t.Fatalf("Deferred message = %q, want the UTC RFC 3339 time", e.Message)
	}
	doc, err := wire.ParseCause(`{"errorMessage":"2026-11-30T06:00:00Z","errorType":"Journey.Deferred"}`)
	if err != nil || doc.ErrorType != wire.ErrDeferred || doc.ErrorMessage != e.Message {
		t.Fatalf("ParseCause = %+v, %v", doc, err)
	}
}
