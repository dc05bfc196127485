package publish

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Audit actions this package writes.
const (
	ActionPublish         = "publish"
	ActionRequestApproval = "request-approval"
	ActionApprove         = "approve"
	ActionReject          = "reject"
	ActionRollback        = "rollback"
)

// OnceLaunch is the launch id of a segment journey without a schedule: its
// segment is launched when it is activated, under this one entry, so a
// later publication enrols only members who were not enrolled yet.
const OnceLaunch = "once"

// Activate moves the journey's alias to a recorded version, makes it the
// store's current version, writes the audit entry, prunes old versions and
// starts the one-off segment launch when one is due. It is what an approved
// publication runs, and it is safe to repeat.
func (p *Publisher) Activate(ctx context.Context, bu, id string, version int, by string) (Result, error) {
	return p.activate(ctx, bu, id, version, by, ActionPublish, Result{})
}

// Rollback moves the alias and the current version back to an earlier
// version. ErrPruned if its state machine version was deleted (the alias
// cannot point at it).
func (p *Publisher) Rollback(ctx context.Context, bu, id string, to int, by string) (Result, error) {
	j, err := p.store.GetJourney(ctx, bu, id)
	if err != nil {
		return Result{}, fmt.Errorf("rollback %s: %w", id, err)
	}
	if j.Current == to {
		return Result{}, fmt.Errorf("rollback %s: version %d is already current: %w", id, to, ErrInvalid)
	}
	if _, err := p.store.GetVersion(ctx, bu, id, to); err != nil {
		return Result{}, fmt.Errorf("rollback %s to v%d: %w", id, to, err)
	}
	res, err := p.activate(ctx, bu, id, to, by, ActionRollback, Result{})
	res.Status = StatusRolledBack
	return res, err
}

func (p *Publisher) activate(ctx context.Context, bu, id string, version int, by, action string, res Result) (Result, error) {
	rec, err := p.store.GetVersion(ctx, bu, id, version)
	if err != nil {
		return res, fmt.Errorf("activate %s v%d: %w", id, version, err)
	}
	v, err := catalog.Load(rec, nil)
	if err != nil {
		return res, fmt.Errorf("activate %s v%d: %w", id, version, err)
	}
	res.BU, res.Journey, res.Version, res.Status = bu, id, version, StatusPublished
	res.VersionArn, res.MachineArn = rec.StateMachineVersion, machineArnOf(rec.StateMachineVersion)
	if res.Content == nil {
		res.Content = rec.Content
	}
	if res.AliasArn, err = p.api.SetAlias(ctx, res.MachineArn, p.cfg.Alias, rec.StateMachineVersion); err != nil {
		if errors.Is(err, workflow.ErrNotFound) {
			err = fmt.Errorf("%w (%s; publish that version again): %w", ErrPruned, rec.StateMachineVersion, err)
		}
		return res, fmt.Errorf("activate %s v%d: %w", id, version, err)
	}
	previous := 0
	j, err := UpdateJourney(ctx, p.store, bu, id, func(j *store.Journey) error {
		previous = j.Current
		j.Current, j.Name = version, v.Journey().Name
		if j.Status == "" {
			j.Status = store.JourneyActive
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("activate %s v%d: %w", id, version, err)
	}
	details := map[string]string{"version": strconv.Itoa(version), "previous": strconv.Itoa(previous), "stateMachineVersion": rec.StateMachineVersion}
	if err := p.audit(ctx, bu, by, action, id, details); err != nil {
		return res, err
	}
	p.log.InfoContext(ctx, "journey version activated", "bu", bu, "journey", id, "version", version, "previous", previous, "action", action)
	if res.Pruned, err = p.Prune(ctx, bu, id); err != nil {
		// A failed prune leaves versions behind; the next publication
		// tries again. It never fails the activation.
		p.log.WarnContext(ctx, "pruning versions failed", "bu", bu, "journey", id, "error", err)
	}
	t := v.Journey().Trigger.Segment
	if action == ActionPublish && t != nil && t.Schedule == "" && j.Status == store.JourneyActive && p.launcher != nil {
		if res.Launch, err = p.launcher.StartLaunch(ctx, bu, id, OnceLaunch, by); err != nil {
			return res, fmt.Errorf("activate %s v%d: start the segment launch: %w", id, version, err)
		}
	}
	return res, nil
}

// JourneyStore is what UpdateJourney reads and writes.
type JourneyStore interface {
	GetJourney(ctx context.Context, bu, id string) (store.Journey, error)
	PutJourney(ctx context.Context, bu string, j store.Journey) (store.Journey, error)
}

// UpdateJourney reads a journey record (a new one with status active when
// there is none), lets change modify it and writes it back conditionally,
// trying again when another writer won. change may return an error to
// abort.
func UpdateJourney(ctx context.Context, st JourneyStore, bu, id string, change func(*store.Journey) error) (store.Journey, error) {
	for attempt := 0; ; attempt++ {
		j, err := st.GetJourney(ctx, bu, id)
		if errors.Is(err, store.ErrNotFound) {
			j, err = store.Journey{ID: id, Status: store.JourneyActive}, nil
		}
		if err != nil {
			return j, err
		}
		if err := change(&j); err != nil {
			return j, err
		}
		out, err := st.PutJourney(ctx, bu, j)
		if (errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrExists)) && attempt < 5 {
			continue
		}
		return out, err
	}
}

func (p *Publisher) audit(ctx context.Context, bu, actor, action, target string, details map[string]string) error {
	if _, err := p.store.AppendAudit(ctx, bu, store.AuditEntry{Actor: actor, Action: action, Target: target, Details: details, At: p.now()}); err != nil {
		return fmt.Errorf("audit %s of %s: %w", action, target, err)
	}
	return nil
}
