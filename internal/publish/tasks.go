package publish

import (
	"context"
	"fmt"
	"strconv"

	"github.com/journeys-oss/journeys/internal/wire"
)

// Operations of the journey-publish state machine's tasks.
const (
	OpRequestApproval = "requestApproval" // store the token, ask for the approval (waitForTaskToken)
	OpActivate        = "activate"        // move the alias, record current, launch, prune
	OpRejected        = "rejected"        // record that the approval was rejected or expired
)

// A TaskRequest is the payload journey-publish tasks send to the publish
// function.
type TaskRequest struct {
	V       int    `json:"v"`
	Op      string `json:"op"`
	BU      string `json:"bu"`
	Journey string `json:"journey"`
	Version int    `json:"version"`
	By      string `json:"by"`
	Token   string `json:"token,omitempty"`
	Error   string `json:"error,omitempty"` // for rejected: the caught error name
}

// A TaskResult is what the publish function returns to the machine.
type TaskResult struct {
	Approval string `json:"approval,omitempty"`
	Status   string `json:"status,omitempty"`
	Launch   string `json:"launch,omitempty"`
	Pruned   []int  `json:"pruned,omitempty"`
}

// HandleTask serves one journey-publish task. Errors that a retry cannot
// fix are named (wire.ErrInvalidPayload) so the machine stops at once.
func (p *Publisher) HandleTask(ctx context.Context, r TaskRequest) (TaskResult, error) {
	if r.V != 1 || r.BU == "" || r.Journey == "" || r.Version < 1 {
		return TaskResult{}, wire.Errorf(wire.ErrInvalidPayload, "journey-publish task v%d op %q: bu, journey and version are required", r.V, r.Op)
	}
	switch r.Op {
	case OpRequestApproval:
		a, err := p.RequestApproval(ctx, r.BU, r.Journey, r.Version, r.By, r.Token)
		return TaskResult{Approval: a.ID, Status: StatusPending}, err
	case OpActivate:
		res, err := p.Activate(ctx, r.BU, r.Journey, r.Version, r.By)
		return TaskResult{Status: res.Status, Launch: res.Launch, Pruned: res.Pruned}, err
	case OpRejected:
		details := map[string]string{"version": strconv.Itoa(r.Version), "error": r.Error}
		return TaskResult{Status: "rejected"}, p.audit(ctx, r.BU, "journey-publish", ActionReject, r.Journey, details)
	}
	return TaskResult{}, wire.Errorf(wire.ErrInvalidPayload, "journey-publish task: unknown op %q", r.Op)
}

// String describes a request for logs.
func (r TaskRequest) String() string {
	return fmt.Sprintf("%s %s/%s v%d", r.Op, r.BU, r.Journey, r.Version)
}
