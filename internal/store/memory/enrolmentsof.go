package memory

import (
	"context"
	"fmt"

	"github.com/journeys-oss/journeys/internal/store"
)

// EnrolmentsOf implements store.Enrolments: each contact's enrolments in
// the journey, read under its shard's lock (never stale).
func (s *Store) EnrolmentsOf(ctx context.Context, bu, journey string, contacts []string) (map[string][]store.Enrolment, error) {
	err := store.CheckEnrolmentsOf(bu, journey, contacts)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("enrolments of %d contacts in journey %s: %w", len(contacts), journey, err)
	}
	out := map[string][]store.Enrolment{}
	for _, c := range contacts {
		es := s.enrolmentsOf(bu, c, func(e store.Enrolment) bool { return e.Journey == journey })
		if len(es) > 0 {
			store.SortEnrolments(es)
			out[c] = es
		}
	}
	return out, nil
}
