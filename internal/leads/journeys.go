package leads

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/store"
)

// enrol enrols the contact into every journey of the business unit whose
// current version is triggered by the lead's form (test leads: only the
// configured test journeys), with the lead id as the entry, and returns
// the journeys it entered (now or on an earlier attempt).
func (p *Processor) enrol(ctx context.Context, m Message, cfg Config, form linkedin.FormVersion, contact string, test bool) ([]string, error) {
	journeys, err := p.o.Store.ListJourneys(ctx, m.BU)
	if err != nil {
		return nil, fmt.Errorf("list journeys of %s: %w", m.BU, err)
	}
	var entered []string
	for _, j := range journeys {
		if j.Current == 0 || test && !slices.Contains(cfg.TestJourneys, j.ID) {
			continue
		}
		v, err := p.o.Catalog.Version(ctx, m.BU, j.ID, j.Current)
		if err != nil {
			return entered, fmt.Errorf("lead %s: %w", m.Lead, err)
		}
		t := v.Journey().Trigger.LinkedInForm
		if t == nil || !FormMatches(t.Form, form) {
			continue
		}
		out, err := p.o.Enroller.Enrol(ctx, enrol.Request{BU: m.BU, Journey: j.ID, Contact: contact, Entry: m.Lead})
		if errors.Is(err, enrol.ErrNotPublished) {
			continue
		}
		if err != nil {
			return entered, fmt.Errorf("lead %s: %w", m.Lead, err)
		}
		if out.Status == enrol.Skipped {
			p.o.Logger.Info("lead not enrolled", "bu", m.BU, "lead", m.Lead, "journey", j.ID, "reason", out.Reason)
			continue
		}
		entered = append(entered, j.ID)
	}
	return entered, nil
}

// FormMatches reports whether a linkedinForm trigger's form names the
// lead's form version: empty (any form), the form URN
// urn:li:leadGenForm:<id>, its bare id, or the versioned URN of exactly
// this version.
func FormMatches(trigger string, v linkedin.FormVersion) bool {
	trigger = strings.TrimSpace(trigger)
	switch {
	case trigger == "":
		return true
	case strings.HasPrefix(trigger, "urn:li:versionedLeadGenForm:"):
		tv, err := linkedin.ParseFormVersion(trigger)
		return err == nil && tv == v
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(trigger, "urn:li:leadGenForm:"), 10, 64)
	return err == nil && id == v.FormID
}

// stopEntered stops the running executions the lead started.
func (p *Processor) stopEntered(ctx context.Context, bu, contact, lead string) (int, error) {
	ens, err := p.o.Store.ContactEnrolments(ctx, bu, contact)
	if err != nil {
		return 0, fmt.Errorf("enrolments of %s: %w", contact, err)
	}
	var arns []string
	for _, e := range ens {
		if e.Entry == lead && e.Status == store.EnrolmentActive && e.Execution != "" {
			arns = append(arns, e.Execution)
		}
	}
	return p.stop(ctx, arns)
}

// stop stops executions; one that already ended counts as stopped.
func (p *Processor) stop(ctx context.Context, arns []string) (int, error) {
	if p.o.Stopper == nil {
		return 0, nil
	}
	for _, arn := range arns {
		if err := p.o.Stopper.Stop(ctx, arn, "Journey.Exited", "the LinkedIn lead was deleted"); err != nil && !isGone(err) {
			return 0, fmt.Errorf("stop %s: %w", arn, err)
		}
	}
	return len(arns), nil
}
