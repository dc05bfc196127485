package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
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

// callbackPrefix names the callback that holds a journey-publish
// execution's task token: "pub-" + the approval id.
const callbackPrefix = "pub-"

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
	if token != "" {
		_, err := p.store.CreateCallback(ctx, bu, store.Callback{ID: callbackPrefix + a.ID, Kind: store.CallbackApproval,
			Token: token, Contact: "publication", Journey: id, Step: "v" + strconv.Itoa(version), ExpiresAt: a.ExpiresAt})
		if err != nil {
			return store.Approval{}, fmt.Errorf("request approval of %s v%d: %w", id, version, err)
		}
	}
	a, err := p.approvals.RequestApproval(ctx, bu, a)
	if err != nil {
		return store.Approval{}, fmt.Errorf("request approval of %s v%d: %w", id, version, err)
	}
	details := map[string]string{"version": strconv.Itoa(version), "approval": a.ID}
	return a, p.audit(ctx, bu, by, ActionRequestApproval, id, details)
}

// OnDecision is the approval package's hook: it is called once an
// approval is decided. Publish approvals release their version: a waiting
// journey-publish execution is resumed (approved: SendTaskSuccess;
// rejected or expired: SendTaskFailure with Approval.Rejected), else the
// version is activated here. Other kinds are ignored.
func (p *Publisher) OnDecision(ctx context.Context, a store.Approval) error {
	if a.Kind != store.ApprovalPublish {
		return nil
	}
	approved := a.Status == store.ApprovalApproved
	action := ActionReject
	if approved {
		action = ActionApprove
	}
	details := map[string]string{"version": strconv.Itoa(a.Version), "approval": a.ID}
	if a.Comments != "" {
		details["comments"] = truncate(a.Comments, 500)
	}
	actor := a.Responder
	if actor == "" {
		actor = "approver"
	}
	if err := p.audit(ctx, a.BU, actor, action, a.Journey, details); err != nil {
		return err
	}
	cb, err := p.store.ClaimCallback(ctx, a.BU, callbackPrefix+a.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if !approved {
			return nil
		}
		v, err := p.store.GetVersion(ctx, a.BU, a.Journey, a.Version)
		if err != nil {
			return fmt.Errorf("approved %s v%d: %w", a.Journey, a.Version, err)
		}
		_, err = p.activate(ctx, a.BU, a.Journey, a.Version, v.PublishedBy, ActionPublish, Result{})
		return err
	case errors.Is(err, store.ErrConflict):
		return nil // answered before
	case err != nil:
		return fmt.Errorf("decision on %s v%d: %w", a.Journey, a.Version, err)
	}
	if approved {
		out, _ := json.Marshal(wire.ApprovalOutput{Outcome: "approved", Approval: a.ID})
		err = p.api.SendTaskSuccess(ctx, cb.Token, string(out))
	} else {
		err = p.api.SendTaskFailure(ctx, cb.Token, wire.ErrRejected, "publication of "+a.Journey+" v"+strconv.Itoa(a.Version)+" "+string(a.Status))
	}
	if err != nil {
		return fmt.Errorf("resume the publication of %s v%d: %w", a.Journey, a.Version, err)
	}
	return nil
}
