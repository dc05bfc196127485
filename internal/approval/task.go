package approval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
	"github.com/journeys-oss/journeys/internal/wire"
)

// Task is the approval-request task function (op "approval", invoked with
// .waitForTaskToken): it requests the step's approval, to expire after the
// step's timeout, and returns Status "requested"; the decision arrives at
// the callback endpoint. A retried invocation (same payload, same token)
// neither creates a second approval nor posts twice. A new token for the
// same step is a new entry of the task state (a loop, or Step Functions
// running the state again), whose earlier token can no longer be
// answered: it gets its own approval. Errors: Journey.InvalidPayload for a
// payload it cannot serve, Journey.Transient when the flow or the store
// is unavailable.
func (s *Service) Task(ctx context.Context, req wire.StepRequest) (wire.StepResult, error) {
	if req.Op != wire.OpApproval || req.Token == "" || req.Execution == "" {
		return wire.StepResult{}, wire.Errorf(wire.ErrInvalidPayload, "approval task needs op %q, a token and an execution", wire.OpApproval)
	}
	if s.o.Catalog == nil {
		return wire.StepResult{}, errors.New("approval task: no catalog configured")
	}
	v, err := s.o.Catalog.Version(ctx, req.BU, req.Journey, req.Version)
	if err != nil {
		return wire.StepResult{}, transient(err)
	}
	step, err := v.Step(req.Step)
	if err != nil || step.Approval == nil {
		return wire.StepResult{}, wire.Errorf(wire.ErrInvalidPayload, "journey %s v%d: step %q is not an approval", req.Journey, req.Version, req.Step)
	}
	title := step.Name
	if title == "" {
		title = v.Journey().Name + ": " + req.Step
	}
	sum := sha256.Sum256([]byte(req.Token))
	a, err := s.Request(ctx, Subject{
		BU: req.BU, Kind: store.ApprovalStep, Key: req.Execution + "|" + req.Step + "|" + hex.EncodeToString(sum[:8]),
		Title: title, Details: step.Approval.Message, Approvers: step.Approval.Approvers,
		Journey: req.Journey, Version: req.Version, Step: req.Step, Execution: req.Execution, Contact: req.Contact,
		Token: req.Token, Expires: s.o.Now().Add(step.Approval.Timeout.D),
	})
	if err != nil {
		s.o.Logger.Warn("approval not requested", "bu", req.BU, "journey", req.Journey, "execution", req.Execution,
			"step", req.Step, "error", err.Error())
		if errors.Is(err, webhook.ErrPermanent) {
			return wire.StepResult{}, fmt.Errorf("approval of step %s: %w", req.Step, err)
		}
		return wire.StepResult{}, transient(err)
	}
	s.o.Logger.InfoContext(ctx, "approval requested", "bu", req.BU, "journey", req.Journey, "execution", req.Execution,
		"step", req.Step, "approval", a.ID)
	s.notePosition(ctx, req)
	return wire.StepResult{Status: "requested"}, nil
}

// positioner is what a store adds to record where a contact is
// (store.Store has it).
type positioner interface {
	UpdateEnrolment(ctx context.Context, bu, journey, contact, entry string, u store.EnrolmentUpdate) (store.Enrolment, error)
}

// notePosition records that the contact waits at the approval step (the
// store sets StepSince when the step changes): one enrolment update per
// request, as the task handlers' guard does. It is informational: a
// failure is logged, and a contact without an enrolment is left alone.
func (s *Service) notePosition(ctx context.Context, req wire.StepRequest) {
	p, ok := s.o.Store.(positioner)
	if !ok {
		return
	}
	step := req.Step
	_, err := p.UpdateEnrolment(ctx, req.BU, req.Journey, req.Contact, req.Entry, store.EnrolmentUpdate{Step: &step})
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid) {
		s.o.Logger.WarnContext(ctx, "position not recorded", "bu", req.BU, "journey", req.Journey,
			"execution", req.Execution, "step", req.Step, "error", err.Error())
	}
}

func transient(err error) error {
	return wire.Errorf(wire.ErrTransient, "%v", err)
}
