package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// An Event is one posted custom event, as ParseEvent reads it.
type Event struct {
	// BU is the business unit; with an API key it may be left out (the
	// key says it) and must match when given.
	BU string `json:"bu,omitempty"`
	// Name is the event name, e.g. webinar.registered.
	Name string `json:"name"`
	// ID is the caller's event id, the idempotency key; one is generated
	// when empty.
	ID string `json:"id,omitempty"`
	// Contact (an id) or Email names the contact within the business unit.
	Contact string `json:"contact,omitempty"`
	Email   string `json:"email,omitempty"`
	// Attributes are the event's data (trigger filters and conditions).
	Attributes map[string]any `json:"attributes,omitempty"`
	// Correlation limits which waiting journey instance the event resumes.
	Correlation string `json:"correlation,omitempty"`
	// OccurredAt is when it happened; the time of receipt when zero.
	OccurredAt time.Time `json:"occurredAt,omitzero"`
}

// Limits on an event.
const (
	MaxNameLength        = 100
	MaxIDLength          = 128
	MaxCorrelationLength = 200
	MaxAttributes        = 64
)

// ErrInvalidEvent is wrapped by every ParseEvent error.
var ErrInvalidEvent = errors.New("invalid event")

var (
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:@-]*$`)
)

// reservedPrefixes are event families other parts of the system own: the
// tracking endpoint reports email opens and clicks.
var reservedPrefixes = []string{"email."}

// ParseEvent reads an event body strictly: one JSON object; name required,
// at most 100 characters of letters, digits and . _ : -, not an email.*
// name (tracking owns those); id at most 128 such characters (@ allowed);
// exactly one of contact and email; at most 64 attributes; correlation at
// most 200 bytes. Errors wrap ErrInvalidEvent and quote no values.
func ParseEvent(body []byte) (Event, error) {
	var e Event
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&e); err != nil {
		return Event{}, fmt.Errorf("%w: not a JSON object of the documented shape", ErrInvalidEvent)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Event{}, fmt.Errorf("%w: data after the JSON object", ErrInvalidEvent)
	}
	if err := e.check(); err != nil {
		return Event{}, fmt.Errorf("%w: %s", ErrInvalidEvent, err)
	}
	e.Attributes = plain(e.Attributes).(map[string]any)
	return e, nil
}

func (e Event) check() error {
	switch {
	case e.Name == "" || len(e.Name) > MaxNameLength || !namePattern.MatchString(e.Name):
		return fmt.Errorf("name must be 1 to %d letters, digits, '.', '_', ':' or '-'", MaxNameLength)
	case e.ID != "" && (len(e.ID) > MaxIDLength || !idPattern.MatchString(e.ID)):
		return fmt.Errorf("id must be at most %d letters, digits, '.', '_', ':', '@' or '-'", MaxIDLength)
	case (e.Contact == "") == (e.Email == ""):
		return errors.New("give exactly one of contact and email")
	case e.Contact != "" && store.CheckID("contact", e.Contact) != nil:
		return errors.New("contact is not a contact id")
	case len(e.Attributes) > MaxAttributes:
		return fmt.Errorf("more than %d attributes", MaxAttributes)
	case len(e.Correlation) > MaxCorrelationLength:
		return fmt.Errorf("correlation longer than %d bytes", MaxCorrelationLength)
	case e.BU != "" && store.CheckID("bu", e.BU) != nil:
		return errors.New("bu is not a business unit id")
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(e.Name, p) {
			return fmt.Errorf("names starting with %q are reserved", p)
		}
	}
	return nil
}

// plain turns json.Number into float64 (what the enroller and CEL compare)
// and nil attributes into an empty map.
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case []any:
		for i := range x {
			x[i] = plain(x[i])
		}
		return x
	case json.Number:
		f, _ := x.Float64()
		return f
	}
	return v
}
