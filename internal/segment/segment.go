package segment

import (
	"fmt"
	"time"
)

// A Segment is a named set of contacts of a business unit: those for whom
// its condition holds, or the contacts of its static list. It is safe for
// concurrent use.
type Segment struct {
	Name      string
	Condition *Condition      // nil for a static list
	Members   map[string]bool // contact ids of a static list
}

// ReadsInteractions reports whether membership depends on the contact's
// interactions (never for a static list).
func (s *Segment) ReadsInteractions() bool {
	return s.Condition != nil && s.Condition.ReadsInteractions()
}

// Contains reports whether the contact is in the segment.
func (s *Segment) Contains(contactID string, contact map[string]any, interactions []Interaction, now time.Time) (bool, error) {
	if s.Condition == nil {
		return s.Members[contactID], nil
	}
	ok, err := s.Condition.Eval(contact, interactions, nil, now)
	if err != nil {
		return false, fmt.Errorf("segment %s, contact %s: %w", s.Name, contactID, err)
	}
	return ok, nil
}
