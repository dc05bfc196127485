package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// MachineInput is the input of the journey-publish state machine.
type MachineInput struct {
	V               int    `json:"v"`
	BU              string `json:"bu"`
	Journey         string `json:"journey"`
	Version         int    `json:"version"`
	By              string `json:"by"`
	RequireApproval bool   `json:"requireApproval"`
	// ApprovalSeconds is how long the approval wait lasts (the task's
	// TimeoutSecondsPath).
	ApprovalSeconds int64 `json:"approvalSeconds"`
}

// requestApproval holds a recorded version for approval: through the
// journey-publish machine when one is configured (its first task calls
// RequestApproval with a token), else by asking for the approval directly.
func (p *Publisher) requestApproval(ctx context.Context, res Result, by string) (Result, error) {
	res.Status = StatusPending
	if p.cfg.PublishMachineArn != "" {
		in, _ := json.Marshal(MachineInput{V: 1, BU: res.BU, Journey: res.Journey, Version: res.Version, By: by,
			RequireApproval: true, ApprovalSeconds: int64(p.cfg.ApprovalTTL.Seconds())})
		arn, err := p.api.Start(ctx, p.cfg.PublishMachineArn, PublishExecutionName(res.BU, res.Journey, res.Version), string(in))
		if err != nil {
			return res, fmt.Errorf("publish %s v%d: start the approval wait: %w", res.Journey, res.Version, err)
		}
		res.Execution = arn
		return res, nil
	}
	a, err := p.askApproval(ctx, res.BU, res.Journey, res.Version, by, "")
	if err != nil {
		return res, err
	}
	res.Approval = a.ID
	return res, nil
}

// PublishExecutionName is the journey-publish execution's name for a
// version: the same version is never held twice.
func PublishExecutionName(bu, id string, version int) string {
	sum := sha256.Sum256([]byte(bu + "\x00" + id + "\x00" + strconv.Itoa(version)))
	prefix := id
	if len(prefix) > 40 {
		prefix = prefix[:40]
	}
	return prefix + "-v" + strconv.Itoa(version) + "-" + hex.EncodeToString(sum[:8])
}

// RequestApproval asks for the approval of a recorded version on behalf of
// a journey-publish execution: the token waits in a callback that
// OnDecision answers. The callback is stored before the approval exists, so
// a decision can never miss it.
func (p *Publisher) RequestApproval(ctx context.Context, bu, id string, version int, by, token string) (store.Approval, error) {
	if token == "" {
		return store.Approval{}, fmt.Errorf("request approval of %s v%d: no task token: %w", id, version, ErrInvalid)
	}
	return p.askApproval(ctx, bu, id, version, by, token)
}

func (p *Publisher) askApproval(ctx context.Context, bu, id string, version int, by, token string) (store.Approval, error) {
	if p.approvals == nil {
		return store.Approval{}, fmt.Errorf("publish %s v%d needs an approval, and no approval requester is configured: %w", id, version, ErrConfig)
	}
	if _, err := p.store.GetVersion(ctx, bu, id, version); err != nil {
		return store.Approval{}, fmt.Errorf("request approval of %s v%d: %w", id, version, err)
	}
	now := p.now()
	a := store.Approval{ID: store.NewID("ap-"), Kind: store.ApprovalPublish, Journey: id, Version: version,
		RequestedAt: now, ExpiresAt: now.Add(p.cfg.ApprovalTTL)}
	a, err := p.approvals.RequestApproval(ctx, bu, a, token)
	if err != nil {
		return store.Approval{}, fmt.Errorf("request approval of %s v%d: %w", id, version, err)
	}
	details := map[string]string{"version": strconv.Itoa(version), "approval": a.ID}
	return a, p.audit(ctx, bu, by, ActionRequestApproval, id, details)
}

// OnDecision is the approval package's hook for publish approvals
// (approval.Options.Hooks): the decision is audited, a waiting
// journey-publish execution is resumed (DecisionRelay), and when no
// execution waits (no journey-publish machine, as in the local runtime)
// an approved version is activated here. Other kinds are ignored. It is
// idempotent.
func (p *Publisher) OnDecision(ctx context.Context, a store.Approval) error {
	if a.Kind != store.ApprovalPublish {
		return nil
	}
	relay := DecisionRelay{Store: p.store, Tasks: p.api, Now: p.now}
	waited, err := relay.decide(ctx, a)
	if err != nil || waited || a.Status != store.ApprovalApproved {
		return err
	}
	v, err := p.store.GetVersion(ctx, a.BU, a.Journey, a.Version)
	if err != nil {
		return fmt.Errorf("approved %s v%d: %w", a.Journey, a.Version, err)
	}
	_, err = p.activate(ctx, a.BU, a.Journey, a.Version, v.PublishedBy, ActionPublish, Result{})
	return err
}

// RelayStore is what a DecisionRelay reads and writes.
type RelayStore interface {
	ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error)
	ReleaseCallback(ctx context.Context, bu string, claim store.Callback) error
	AppendAudit(ctx context.Context, bu string, e store.AuditEntry) (store.AuditEntry, error)
}

// RelayTasks answers task tokens (workflow.Executions has it).
type RelayTasks interface {
	SendTaskSuccess(ctx context.Context, token, output string) error
	SendTaskFailure(ctx context.Context, token, errName, cause string) error
}

// A DecisionRelay is the publish approval hook of a deployment whose
// publications wait in the journey-publish machine: it audits the decision
// and answers the waiting execution's token (stored as a callback under
// the approval's id): approved is SendTaskSuccess, anything else
// SendTaskFailure with Approval.Rejected. The approval callback function
// uses it without a full Publisher. It is idempotent.
type DecisionRelay struct {
	Store RelayStore
	Tasks RelayTasks
	Now   func() time.Time
}

// OnDecision implements approval.DecisionHook.
func (r DecisionRelay) OnDecision(ctx context.Context, a store.Approval) error {
	if a.Kind != store.ApprovalPublish {
		return nil
	}
	_, err := r.decide(ctx, a)
	return err
}

// decide audits the decision and resumes the waiting execution; waited
// says whether one waited (or was resumed before).
func (r DecisionRelay) decide(ctx context.Context, a store.Approval) (waited bool, err error) {
	approved := a.Status == store.ApprovalApproved
	cb, err := r.Store.ClaimCallback(ctx, a.BU, a.ID)
	switch {
	case errors.Is(err, store.ErrConflict):
		return true, nil // answered, and audited, before
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrExpired):
		return false, r.audit(ctx, a, approved)
	case err != nil:
		return false, fmt.Errorf("decision on %s v%d: %w", a.Journey, a.Version, err)
	}
	if err := r.answer(ctx, a, cb.Token, approved); err != nil {
		// Give the token back, so the retried decision answers it (and
		// finds the decision audited already).
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if rerr := r.Store.ReleaseCallback(rctx, a.BU, cb); rerr != nil {
			err = errors.Join(err, fmt.Errorf("give back callback %s: %w", cb.ID, rerr))
		}
		return true, err
	}
	return true, nil
}

// releaseTimeout bounds giving a claim back after a failed answer.
const releaseTimeout = 5 * time.Second

// answer audits the decision and answers the publication's task token.
func (r DecisionRelay) answer(ctx context.Context, a store.Approval, token string, approved bool) error {
	if err := r.audit(ctx, a, approved); err != nil {
		return err
	}
	var err error
	if approved {
		out, _ := json.Marshal(wire.ApprovalOutput{Outcome: "approved", Approval: a.ID})
		err = r.Tasks.SendTaskSuccess(ctx, token, string(out))
	} else {
		err = r.Tasks.SendTaskFailure(ctx, token, wire.ErrRejected, "publication of "+a.Journey+" v"+strconv.Itoa(a.Version)+" "+string(a.Status))
	}
	if err != nil && !errors.Is(err, workflow.ErrTaskGone) {
		return fmt.Errorf("resume the publication of %s v%d: %w", a.Journey, a.Version, err)
	}
	return nil
}

func (r DecisionRelay) audit(ctx context.Context, a store.Approval, approved bool) error {
	action := ActionReject
	if approved {
		action = ActionApprove
	}
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	e := approval.DecisionAudit(a, action, a.Journey, map[string]string{"version": strconv.Itoa(a.Version)}, now)
	if _, err := r.Store.AppendAudit(ctx, a.BU, e); err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("audit %s of %s: %w", action, a.Journey, err)
	}
	return nil
}
