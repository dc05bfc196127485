package store

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxEnrolmentEvent bounds Enrolment.Event: the bytes of its JSON
// encoding. The enroller keeps what fits (the attributes the journey
// declares first) and reports what it left out.
const MaxEnrolmentEvent = 8 << 10

// prepareEvent returns an enrolment's event attributes as a map of the
// store's own holding JSON values only (numbers as float64), the same in
// every adapter, or ErrInvalid when they do not encode or exceed
// MaxEnrolmentEvent. An empty map is nil.
func prepareEvent(ev map[string]any) (map[string]any, error) {
	if len(ev) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("enrolment event: not JSON values: %w", ErrInvalid)
	}
	if len(raw) > MaxEnrolmentEvent {
		return nil, fmt.Errorf("enrolment event: %d bytes encoded, more than %d: %w", len(raw), MaxEnrolmentEvent, ErrInvalid)
	}
	var out map[string]any
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&out); err != nil {
		return nil, fmt.Errorf("enrolment event: %w", err)
	}
	return out, nil
}
