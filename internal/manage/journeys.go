package manage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// ErrStatus: the journey's status does not allow the operation (pausing a
// stopped journey). The HTTP API answers 409.
var ErrStatus = errors.New("not allowed in the journey's status")

// ErrUnavailable: the deployment does not offer the operation (launching
// without a launcher). The HTTP API answers 501.
var ErrUnavailable = errors.New("not available in this deployment")

// A JourneyStatus is what `journeys status` shows.
type JourneyStatus struct {
	Journey store.Journey `json:"journey"`
	// Version is the current version's record, without its bundle and
	// machine.
	Version *VersionInfo `json:"version,omitempty"`
	// Alias is the alias ARN and the version it points at (empty when it
	// could not be read).
	Alias       string `json:"alias,omitempty"`
	AliasTarget string `json:"aliasTarget,omitempty"`
	// Funnel counts contacts by version, step and outcome.
	Funnel []store.FunnelCount `json:"funnel"`
	// Active counts active enrolments, up to Config.CountLimit (Capped).
	Active int  `json:"activeEnrolments"`
	Capped bool `json:"activeCapped,omitempty"`
	// AtSteps says where the counted active contacts are, by step id.
	AtSteps []StepCount `json:"atSteps"`
}

// A VersionInfo describes one published version.
type VersionInfo struct {
	Version             int            `json:"version"`
	PublishedBy         string         `json:"publishedBy"`
	PublishedAt         time.Time      `json:"publishedAt"`
	StateMachineVersion string         `json:"stateMachineVersion"`
	Content             map[string]int `json:"content,omitempty"`
	Current             bool           `json:"current,omitempty"`
	// Pruned is set when the state machine version no longer exists;
	// nil when that could not be told.
	Pruned *bool `json:"pruned,omitempty"`
}

func versionInfo(v store.JourneyVersion, current int) VersionInfo {
	return VersionInfo{Version: v.Version, PublishedBy: v.PublishedBy, PublishedAt: v.PublishedAt,
		StateMachineVersion: v.StateMachineVersion, Content: v.Content, Current: v.Version == current}
}

// Journeys lists the business unit's journeys.
func (s *Service) Journeys(ctx context.Context, bu string) ([]store.Journey, error) {
	js, err := s.store.ListJourneys(ctx, bu)
	if js == nil {
		js = []store.Journey{}
	}
	return js, err
}

// Status reports a journey: its record, current version, alias, funnel
// and active enrolments.
func (s *Service) Status(ctx context.Context, bu, id string) (JourneyStatus, error) {
	j, err := s.store.GetJourney(ctx, bu, id)
	if err != nil {
		return JourneyStatus{}, err
	}
	st := JourneyStatus{Journey: j}
	if j.Current > 0 {
		v, err := s.store.GetVersion(ctx, bu, id, j.Current)
		if err != nil {
			return st, err
		}
		info := versionInfo(v, j.Current)
		st.Version = &info
		if arn := v.StateMachineVersion; strings.Contains(arn, ":stateMachine:") {
			st.Alias = arn[:strings.LastIndexByte(arn, ':')] + ":" + s.publisher.Config().Alias
			if st.AliasTarget, err = s.api.AliasTarget(ctx, st.Alias); err != nil {
				s.log.WarnContext(ctx, "alias unreadable", "bu", bu, "journey", id, "error", err)
			}
		}
	}
	if st.Funnel, err = s.store.Funnel(ctx, bu, id); err != nil {
		return st, err
	}
	if st.Funnel == nil {
		st.Funnel = []store.FunnelCount{}
	}
	st.Active, st.Capped, st.AtSteps, err = s.countActive(ctx, bu, id)
	return st, err
}

// A StepCount is how many active contacts are at one step: the step their
// last task recorded (a contact in a plain wait shows the step before
// it; its trace works out the wait), and since when the longest waiting
// of them has been there.
type StepCount struct {
	Step     string    `json:"step"` // "" for contacts whose first task has not run
	Contacts int       `json:"contacts"`
	Oldest   time.Time `json:"oldestSince,omitzero"`
}

// countActive counts the journey's active enrolments and where they are,
// by step id.
func (s *Service) countActive(ctx context.Context, bu, id string) (int, bool, []StepCount, error) {
	n, cursor := 0, ""
	at := map[string]*StepCount{}
	var steps []StepCount
	collect := func() []StepCount {
		steps = steps[:0]
		for _, c := range at {
			steps = append(steps, *c)
		}
		sort.Slice(steps, func(i, j int) bool { return steps[i].Step < steps[j].Step })
		return steps
	}
	for {
		page, err := s.store.ListEnrolments(ctx, bu, id, store.EnrolmentActive, cursor, store.MaxLimit)
		if err != nil {
			return n, false, collect(), err
		}
		n += len(page.Items)
		for _, en := range page.Items {
			c := at[en.Step]
			if c == nil {
				c = &StepCount{Step: en.Step}
				at[en.Step] = c
			}
			c.Contacts++
			if since := en.StepSince; !since.IsZero() && (c.Oldest.IsZero() || since.Before(c.Oldest)) {
				c.Oldest = since
			}
		}
		if page.Next == "" {
			return n, false, collect(), nil
		}
		if n >= s.cfg.CountLimit {
			return n, true, collect(), nil
		}
		cursor = page.Next
	}
}

// Versions lists a journey's versions, oldest first, saying which is
// current and which were pruned.
func (s *Service) Versions(ctx context.Context, bu, id string) ([]VersionInfo, error) {
	j, err := s.store.GetJourney(ctx, bu, id)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.ListVersions(ctx, bu, id)
	if err != nil {
		return nil, err
	}
	out := make([]VersionInfo, 0, len(vs))
	var live map[string]bool
	if len(vs) > 0 {
		arn := vs[len(vs)-1].StateMachineVersion
		if sm, err := s.api.Versions(ctx, arn[:max(0, strings.LastIndexByte(arn, ':'))]); err == nil {
			live = map[string]bool{}
			for _, v := range sm {
				live[v.Arn] = true
			}
		}
	}
	for _, v := range vs {
		info := versionInfo(v, j.Current)
		if live != nil {
			pruned := !live[v.StateMachineVersion]
			info.Pruned = &pruned
		}
		out = append(out, info)
	}
	return out, nil
}

// Funnel returns a journey's funnel counters.
func (s *Service) Funnel(ctx context.Context, bu, id string) ([]store.FunnelCount, error) {
	if _, err := s.store.GetJourney(ctx, bu, id); err != nil {
		return nil, err
	}
	f, err := s.store.Funnel(ctx, bu, id)
	if f == nil {
		f = []store.FunnelCount{}
	}
	return f, err
}

// Publish publishes a bundle for the caller's business unit.
func (s *Service) Publish(ctx context.Context, bu, actor string, r PublishRequest) (publish.Result, error) {
	by := actor
	if r.By != "" && r.By != actor {
		by = r.By + " via " + actor
	}
	return s.publisher.Publish(ctx, publish.Request{BU: bu, Bundle: r.Bundle, By: by, RequireApproval: r.RequireApproval})
}

// Rollback moves a journey back to an earlier version.
func (s *Service) Rollback(ctx context.Context, bu, actor, id string, to int) (publish.Result, error) {
	if to < 1 {
		return publish.Result{}, fmt.Errorf("rollback %s: version %d: %w", id, to, store.ErrInvalid)
	}
	return s.publisher.Rollback(ctx, bu, id, to, actor)
}

// Pause stops new enrolments; contacts in the journey wait at their next
// step (the task handlers defer while the journey is paused) until Resume.
// The store records the pause interval (store.Journey.Pauses), which
// waiting contacts' timeouts leave out.
func (s *Service) Pause(ctx context.Context, bu, actor, id, reason string) (store.Journey, error) {
	j, err := s.setStatus(ctx, bu, id, store.JourneyPaused, reason, store.JourneyActive, store.JourneyPaused)
	if err != nil {
		return j, err
	}
	return j, s.audit(ctx, bu, actor, ActionPause, id, reasonDetails(reason))
}

// Resume makes a paused or stopped journey active again.
func (s *Service) Resume(ctx context.Context, bu, actor, id string) (store.Journey, error) {
	j, err := s.setStatus(ctx, bu, id, store.JourneyActive, "", store.JourneyActive, store.JourneyPaused, store.JourneyStopped)
	if err != nil {
		return j, err
	}
	return j, s.audit(ctx, bu, actor, ActionResume, id, nil)
}

// A StopResult says what Stop did.
type StopResult struct {
	Journey store.Journey `json:"journey"`
	// Stopped counts the enrolments ended (and their executions stopped)
	// in this call; Remaining says the scheduler tick will stop the rest.
	Stopped   int  `json:"stopped"`
	Remaining bool `json:"remaining,omitempty"`
}

// Stop ends a journey for everyone: the status becomes stopped with the
// reason (the handlers exit contacts at their next step), and running
// executions are stopped and their enrolments marked stopped, within
// Config.StopBudget; SweepStopped finishes the rest.
func (s *Service) Stop(ctx context.Context, bu, actor, id, reason string) (StopResult, error) {
	if strings.TrimSpace(reason) == "" {
		return StopResult{}, fmt.Errorf("stop %s: a reason is required: %w", id, store.ErrInvalid)
	}
	j, err := s.setStatus(ctx, bu, id, store.JourneyStopped, reason, store.JourneyActive, store.JourneyPaused, store.JourneyStopped)
	if err != nil {
		return StopResult{}, err
	}
	if err := s.audit(ctx, bu, actor, ActionStop, id, reasonDetails(reason)); err != nil {
		return StopResult{}, err
	}
	n, remaining, err := s.SweepStopped(ctx, bu, id, s.now().Add(s.cfg.StopBudget))
	return StopResult{Journey: j, Stopped: n, Remaining: remaining}, err
}

// SweepStopped stops the executions of a stopped journey's active
// enrolments and marks them stopped with the journey's reason, until the
// deadline on the service's clock. It returns how many it ended and
// whether some remain.
func (s *Service) SweepStopped(ctx context.Context, bu, id string, deadline time.Time) (int, bool, error) {
	j, err := s.store.GetJourney(ctx, bu, id)
	if err != nil {
		return 0, false, err
	}
	if j.Status != store.JourneyStopped {
		return 0, false, nil
	}
	stopped, cursor := 0, ""
	status := store.EnrolmentStopped
	for {
		page, err := s.store.ListEnrolments(ctx, bu, id, store.EnrolmentActive, cursor, 200)
		if err != nil {
			return stopped, true, err
		}
		for _, e := range page.Items {
			if !s.now().Before(deadline) || ctx.Err() != nil {
				return stopped, true, nil
			}
			if e.Execution != "" {
				if err := s.stopExecution(ctx, e.Execution, j.Reason); err != nil {
					return stopped, true, err
				}
			}
			_, err := s.store.UpdateEnrolment(ctx, bu, id, e.Contact, e.Entry, store.EnrolmentUpdate{Status: &status, Reason: &j.Reason})
			if err != nil && !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound) {
				return stopped, true, err
			}
			stopped++
		}
		if cursor = page.Next; cursor == "" {
			if stopped > 0 {
				s.log.InfoContext(ctx, "stopped journey executions", "bu", bu, "journey", id, "stopped", stopped)
			}
			return stopped, false, nil
		}
	}
}

// stopExecution stops one execution; one that has already ended or is
// gone is done, and throttling is waited out.
func (s *Service) stopExecution(ctx context.Context, arn, reason string) error {
	for attempt := 0; ; attempt++ {
		err := s.api.Stop(ctx, arn, StopError, reason)
		switch {
		case err == nil, errors.Is(err, workflow.ErrNotFound):
			return nil
		case errors.Is(err, workflow.ErrThrottled) && attempt < 8:
			if err := s.sleep(ctx, time.Duration(200<<attempt)*time.Millisecond); err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// setStatus moves a journey to status when its status is one of from.
func (s *Service) setStatus(ctx context.Context, bu, id string, status store.JourneyStatus, reason string, from ...store.JourneyStatus) (store.Journey, error) {
	if _, err := s.store.GetJourney(ctx, bu, id); err != nil {
		return store.Journey{}, err // no journey: not created by an update
	}
	return publish.UpdateJourney(ctx, s.store, bu, id, func(j *store.Journey) error {
		allowed := false
		for _, f := range from {
			allowed = allowed || j.Status == f
		}
		if !allowed {
			return fmt.Errorf("journey %s is %s, cannot become %s: %w", id, j.Status, status, ErrStatus)
		}
		j.Status, j.Reason = status, reason
		return nil
	})
}

// Launch starts a segment launch of a journey now, under launchID (a new
// id when empty).
func (s *Service) Launch(ctx context.Context, bu, actor, id, launchID string) (string, string, error) {
	if s.launcher == nil {
		return "", "", fmt.Errorf("launch %s: %w", id, ErrUnavailable)
	}
	if _, err := s.store.GetJourney(ctx, bu, id); err != nil {
		return "", "", err
	}
	if launchID == "" {
		launchID = "manual-" + s.now().UTC().Format("20060102T150405Z")
	}
	exec, err := s.launcher.StartLaunch(ctx, bu, id, launchID, actor)
	if err != nil {
		return "", "", err
	}
	return launchID, exec, s.audit(ctx, bu, actor, ActionLaunch, id, map[string]string{"launch": launchID})
}

func reasonDetails(reason string) map[string]string {
	if reason == "" {
		return nil
	}
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return map[string]string{"reason": reason}
}

func itoa(n int) string { return strconv.Itoa(n) }
