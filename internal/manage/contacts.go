package manage

import (
	"context"
	"fmt"

	"github.com/journeys-oss/journeys/internal/store"
)

// A Trace is what happened to one contact: every enrolment and every step
// log entry (why a message was or was not sent). It holds ids, steps,
// outcomes and reasons, never the contact's personal data.
type Trace struct {
	Contact    string            `json:"contact"`
	Enrolments []store.Enrolment `json:"enrolments"`
	Steps      []store.StepLog   `json:"steps"`
	// Positions says where the contact is in each active enrolment, and
	// since when (see Position).
	Positions []Position `json:"positions"`
}

// Trace returns a contact's trace; ErrNotFound when there is no contact.
func (s *Service) Trace(ctx context.Context, bu, contact string) (Trace, error) {
	if _, err := s.store.GetContact(ctx, bu, contact); err != nil {
		return Trace{}, err
	}
	es, err := s.store.ContactEnrolments(ctx, bu, contact)
	if err != nil {
		return Trace{}, err
	}
	logs, err := s.store.ListStepLogs(ctx, bu, contact, "")
	if err != nil {
		return Trace{}, err
	}
	if es == nil {
		es = []store.Enrolment{}
	}
	if logs == nil {
		logs = []store.StepLog{}
	}
	return Trace{Contact: contact, Enrolments: es, Steps: logs, Positions: s.positions(ctx, bu, es, logs)}, nil
}

// An Erasure says what Erase did.
type Erasure struct {
	Contact string `json:"contact"`
	Removed int    `json:"removed"`
	// Stopped counts the contact's running executions stopped.
	Stopped int `json:"stopped"`
}

// Erase forgets a contact (store.Erase: profile, interactions, logs,
// enrolments; addresses stay suppressed) and stops the executions it was
// still in.
func (s *Service) Erase(ctx context.Context, bu, actor, contact string) (Erasure, error) {
	er, err := s.store.Erase(ctx, bu, contact)
	if err != nil {
		return Erasure{}, err
	}
	out := Erasure{Contact: contact, Removed: er.Removed}
	for _, arn := range er.Executions {
		if err := s.stopExecution(ctx, arn, "contact erased"); err != nil {
			return out, fmt.Errorf("erase %s: stop %s: %w", contact, arn, err)
		}
		out.Stopped++
	}
	details := map[string]string{"removed": itoa(out.Removed), "stopped": itoa(out.Stopped)}
	if err := s.audit(ctx, bu, actor, ActionErase, contact, details); err != nil {
		return out, err
	}
	return out, nil
}
