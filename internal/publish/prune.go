package publish

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Prune deletes the journey's state machine versions that nothing needs:
// not the alias target, not the current version, not one of the newest
// Config.Keep, not a version with running executions, and not a version
// that an active enrolment names (an enrolment whose execution has not
// started yet starts it later). It returns the deleted version numbers,
// oldest first. When the active enrolments are too many to read
// (Config.MaxEnrolmentScan), nothing is deleted.
func (p *Publisher) Prune(ctx context.Context, bu, id string) ([]int, error) {
	j, err := p.store.GetJourney(ctx, bu, id)
	if err != nil {
		return nil, fmt.Errorf("prune %s: %w", id, err)
	}
	records, err := p.store.ListVersions(ctx, bu, id)
	if err != nil || len(records) == 0 {
		return nil, err
	}
	machine := machineArnOf(records[len(records)-1].StateMachineVersion)
	keep := map[string]bool{}
	byArn := map[string][]int{} // journey versions recorded on each state machine version
	for _, r := range records {
		byArn[r.StateMachineVersion] = append(byArn[r.StateMachineVersion], r.Version)
		if r.Version == j.Current {
			keep[r.StateMachineVersion] = true
		}
	}
	target, err := p.api.AliasTarget(ctx, machine+":"+p.cfg.Alias)
	if err != nil && !errors.Is(err, workflow.ErrNotFound) {
		return nil, fmt.Errorf("prune %s: %w", id, err)
	}
	keep[target] = true
	versions, err := p.api.Versions(ctx, machine)
	if err != nil {
		return nil, fmt.Errorf("prune %s: %w", id, err)
	}
	var candidates []workflow.Version
	for i, v := range versions { // newest first
		if i >= p.cfg.Keep && !keep[v.Arn] {
			candidates = append(candidates, v)
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	inUse, complete, err := p.versionsInUse(ctx, bu, id)
	if err != nil || !complete {
		return nil, err
	}
	var pruned []int
	for _, v := range candidates {
		if used(byArn[v.Arn], inUse) {
			continue
		}
		running, err := p.api.Running(ctx, v.Arn, 1)
		if err != nil {
			return pruned, fmt.Errorf("prune %s: %w", id, err)
		}
		if len(running) > 0 {
			continue
		}
		if err := p.api.DeleteVersion(ctx, v.Arn); err != nil && !errors.Is(err, workflow.ErrNotFound) {
			return pruned, fmt.Errorf("prune %s: %w", id, err)
		}
		pruned = append(pruned, v.Version)
	}
	sort.Ints(pruned)
	if len(pruned) > 0 {
		p.log.InfoContext(ctx, "pruned state machine versions", "bu", bu, "journey", id, "versions", pruned)
	}
	return pruned, nil
}

// versionsInUse reads the journey's active enrolments and returns the
// journey versions they name; complete is false past MaxEnrolmentScan.
func (p *Publisher) versionsInUse(ctx context.Context, bu, id string) (map[int]bool, bool, error) {
	in := map[int]bool{}
	cursor, read := "", 0
	for {
		page, err := p.store.ListEnrolments(ctx, bu, id, store.EnrolmentActive, cursor, store.MaxLimit)
		if err != nil {
			return nil, false, fmt.Errorf("prune %s: %w", id, err)
		}
		for _, e := range page.Items {
			in[e.Version] = true
		}
		read += len(page.Items)
		if page.Next == "" {
			return in, true, nil
		}
		if read >= p.cfg.MaxEnrolmentScan {
			p.log.WarnContext(ctx, "too many active enrolments to prune safely", "bu", bu, "journey", id, "read", read)
			return in, false, nil
		}
		cursor = page.Next
	}
}

func used(versions []int, inUse map[int]bool) bool {
	for _, v := range versions {
		if inUse[v] {
			return true
		}
	}
	return false
}
