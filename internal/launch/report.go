package launch

import (
	"context"
	"fmt"
	"strconv"

	"github.com/journeys-oss/journeys/internal/store"
)

// ActionLaunch is the audit action of a finished launch.
const ActionLaunch = "launch"

// Report adds the iterations' counts to the launch's totals and decides:
// when every shard is done (or given up after MaxShardFailures failed
// tasks), the launch is over and written to the audit log; otherwise Next
// is the input of the continuation, a new execution (NextName) that goes
// on from the remaining cursors.
func (l *Launcher) Report(ctx context.Context, s State) (State, error) {
	shards := s.Shards
	if len(s.Iterations) > 0 {
		shards = shards[:0:0]
		for _, it := range s.Iterations {
			sh := it.Shard
			if it.Failure != nil {
				sh.Failures++
				sh.Error = truncate(it.Failure.Error+": "+it.Failure.Cause, 300)
			}
			shards = append(shards, sh)
		}
	}
	var remaining, abandoned []Shard
	for _, sh := range shards {
		s.Totals.Add(sh.Totals)
		sh.Totals = Totals{}
		switch {
		case sh.Done:
		case sh.Failures >= l.cfg.MaxShardFailures:
			abandoned = append(abandoned, sh)
		default:
			remaining = append(remaining, sh)
		}
	}
	s.Iterations = nil
	budget, err := l.budget(ctx, s.BU)
	if err != nil {
		l.log.WarnContext(ctx, "open-execution budget unknown", "bu", s.BU, "error", err)
	}
	s.Budget = budget
	if len(remaining) > 0 {
		next := s
		next.Generation++
		next.Shards, next.Budget, next.Next, next.NextName = remaining, nil, nil, ""
		s.Shards, s.Next, s.NextName, s.Done = remaining, &next, ExecutionName(s.BU, s.Journey, s.Launch, next.Generation), false
		l.log.InfoContext(ctx, "segment launch continues", "bu", s.BU, "journey", s.Journey, "launch", s.Launch,
			"generation", next.Generation, "shards", len(remaining), "enrolled", s.Totals.Enrolled)
		return s, nil
	}
	s.Shards, s.Done = abandoned, true
	if len(abandoned) > 0 {
		s.Note = fmt.Sprintf("%d scan segments gave up after %d failed tasks (first: %s); launch again to finish them", len(abandoned), l.cfg.MaxShardFailures, abandoned[0].Error)
	}
	return s, l.record(ctx, s)
}

// record writes the finished launch to the log and the audit log.
func (l *Launcher) record(ctx context.Context, s State) error {
	t := s.Totals
	details := map[string]string{
		"launch": s.Launch, "version": strconv.Itoa(s.Version), "generations": strconv.Itoa(s.Generation + 1),
		"listed": itoa(t.Listed), "members": itoa(t.Members), "enrolled": itoa(t.Enrolled), "already": itoa(t.Already),
		"skipped": itoa(t.SkippedTotal()), "failed": itoa(t.Failed), "throttled": itoa(t.Throttled),
	}
	if s.Budget != nil {
		details["openExecutionBudget"] = itoa(s.Budget.Left)
	}
	if s.Note != "" {
		details["note"] = truncate(s.Note, 300)
	}
	by := s.By
	if by == "" {
		by = "segment-launch"
	}
	l.log.InfoContext(ctx, "segment launch finished", "bu", s.BU, "journey", s.Journey, "launch", s.Launch,
		"enrolled", t.Enrolled, "already", t.Already, "skipped", t.SkippedTotal(), "failed", t.Failed, "members", t.Members)
	if _, err := l.store.AppendAudit(ctx, s.BU, store.AuditEntry{Actor: by, Action: ActionLaunch, Target: s.Journey, Details: details, At: l.now()}); err != nil {
		return fmt.Errorf("record launch %s of %s: %w", s.Launch, s.Journey, err)
	}
	return nil
}

// budget estimates the open executions left: the quota less the active
// enrolments of the business unit's journeys (one execution each). Other
// business units in the same account count against the quota too; the
// estimate is theirs to add (docs/deploy.md).
func (l *Launcher) budget(ctx context.Context, bu string) (*Budget, error) {
	js, err := l.store.ListJourneys(ctx, bu)
	if err != nil {
		return nil, err
	}
	b := &Budget{Quota: l.cfg.OpenExecutionQuota}
	for _, j := range js {
		cursor := ""
		for {
			page, err := l.store.ListEnrolments(ctx, bu, j.ID, store.EnrolmentActive, cursor, store.MaxLimit)
			if err != nil {
				return nil, err
			}
			b.Open += int64(len(page.Items))
			if b.Open >= b.Quota {
				b.Capped = true
				break
			}
			if cursor = page.Next; cursor == "" {
				break
			}
		}
		if b.Capped {
			break
		}
	}
	b.Left = max(0, b.Quota-b.Open)
	return b, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
