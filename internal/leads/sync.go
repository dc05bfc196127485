package leads

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/store"
)

// created handles a CREATED notification: ignored after a tombstone, done
// once under the lead's sync key.
func (p *Processor) created(ctx context.Context, m Message) (Outcome, error) {
	if _, deleted, err := p.peek(ctx, m.BU, delKey(m.Lead)); err != nil {
		return Outcome{}, err
	} else if deleted {
		return Outcome{Lead: m.Lead, Status: StatusIgnored, Reason: "the lead was deleted before it was synced"}, nil
	}
	return p.guarded(ctx, m.BU, syncKey(m.Lead), func() (Outcome, error) { return p.sync(ctx, m) })
}

// sync fetches, maps and stores one lead. Errors are transient; what no
// retry can change (the lead is gone, malformed, a policy says no) is an
// outcome.
func (p *Processor) sync(ctx context.Context, m Message) (Outcome, error) {
	out := Outcome{Lead: m.Lead}
	cfg, err := p.o.Settings(ctx, m.BU)
	if err != nil {
		return out, fmt.Errorf("settings of %s: %w", m.BU, err)
	}
	lead, err := p.o.API.Lead(ctx, m.Lead)
	switch {
	case errors.Is(err, linkedin.ErrNotFound):
		out.Status, out.Reason = StatusGone, "LinkedIn no longer has the lead"
		return out, nil
	case errors.Is(err, linkedin.ErrInvalidLead):
		return p.skip(ctx, m, out, "LinkedIn returned a malformed lead: "+err.Error())
	case err != nil:
		return out, err
	}
	// The Inbox routed the message by its owner; a backfill's lead ids come
	// from a caller, so the lead LinkedIn returns must be that owner's, or
	// one business unit could pull in another's lead by its id.
	if m.Owner != "" && lead.Owner.URN != m.Owner {
		return p.skip(ctx, m, out, "the lead's owner is not the owner it was queued for")
	}
	form, err := p.forms.FormFor(ctx, lead)
	if errors.Is(err, linkedin.ErrFormVersion) || errors.Is(err, linkedin.ErrNotFound) {
		return p.skip(ctx, m, out, "the lead's form version cannot be read: "+err.Error())
	}
	if err != nil {
		return out, err
	}
	mapped, err := cfg.Mapping.LinkedInMapping().Map(lead, form)
	if err != nil {
		return p.skip(ctx, m, out, err.Error())
	}
	if mapped.Test {
		out.Test = true
		if len(cfg.TestJourneys) == 0 {
			out.Status = StatusTest
			out.Reason = "test lead: recorded, no test journeys configured"
			return out, p.audit(ctx, m, "linkedin.lead.test", out.Reason)
		}
	}
	return p.save(ctx, m, cfg, mapped, out)
}

// save upserts the contact, records the submission and enrols.
func (p *Processor) save(ctx context.Context, m Message, cfg Config, ml linkedin.MappedLead, out Outcome) (Outcome, error) {
	if ml.MissingEmail && cfg.missingEmail() == MissingEmailSkip {
		return p.skip(ctx, m, out, "the lead has no email address (missingEmail: skip)")
	}
	c, created, err := p.upsert(ctx, m, cfg, ml)
	switch {
	case errors.Is(err, store.ErrSuppressed):
		return p.skip(ctx, m, out, "the lead's address is suppressed")
	case errors.Is(err, store.ErrEmailTaken):
		return p.skip(ctx, m, out, "the lead's address belongs to another contact (match: create)")
	case errors.Is(err, store.ErrInvalid):
		return p.skip(ctx, m, out, "the lead's data cannot be stored: "+err.Error())
	case err != nil:
		return out, err
	}
	out.Contact, out.Created = c.ID, created
	if _, err := p.o.Store.AppendInteraction(ctx, m.BU, store.Interaction{
		ID: "i-li-" + m.Lead, Contact: c.ID, Kind: store.InteractionFormSubmitted, Channel: "linkedin",
		At: ml.SubmittedAt, Detail: map[string]string{"lead": m.Lead, "form": FormURN(ml.Form), "formVersion": ml.Form.URN(),
			"leadType": ml.LeadType},
	}); err != nil && !errors.Is(err, store.ErrExists) { // ErrExists: recorded by an earlier attempt
		return out, fmt.Errorf("record submission of lead %s: %w", m.Lead, err)
	}
	if err := p.resumeWaits(ctx, m, c.ID, ml.Form); err != nil {
		return out, err
	}
	out.Status = StatusSynced
	if out.Test {
		out.Status = StatusTest
		if err := p.audit(ctx, m, "linkedin.lead.test", "test lead: test journeys only"); err != nil {
			return out, err
		}
	}
	enrolled, err := p.enrol(ctx, m, cfg, ml.Form, c.ID, out.Test)
	out.Enrolled = enrolled
	return out, err
}

// resumeWaits ends the contact's waits for form.submitted (of this form,
// or of any), as a journey's waitFor step awaits a submission. A wait that
// could not be resumed waits again (intake.ResumeWaits gives the claim
// back) and the error fails the lead, so the queue delivers it again and
// that attempt resumes the wait; what was done before is idempotent.
func (p *Processor) resumeWaits(ctx context.Context, m Message, contact string, form linkedin.FormVersion) error {
	if p.o.Tasks == nil {
		return nil
	}
	resumed, err := intake.ResumeWaits(ctx, p.o.Store, p.o.Tasks, intake.Occurrence{BU: m.BU, Contact: contact,
		Event: journey.EventFormSubmitted, Form: FormURN(form)})
	for _, r := range resumed {
		p.o.Logger.Info("form wait resumed", "bu", m.BU, "lead", m.Lead, "execution", r.Execution, "step", r.Step)
	}
	if err != nil {
		return fmt.Errorf("resume form waits of lead %s: %w", m.Lead, err)
	}
	return nil
}

// FormURN is the unversioned form URN, urn:li:leadGenForm:<id>, the way
// journeys name forms (triggers, waitFor branches) and the "form" detail of
// the formSubmitted interaction.
func FormURN(v linkedin.FormVersion) string {
	return "urn:li:leadGenForm:" + strconv.FormatInt(v.FormID, 10)
}

// skip records why a lead made no contact.
func (p *Processor) skip(ctx context.Context, m Message, out Outcome, reason string) (Outcome, error) {
	out.Status, out.Reason = StatusSkipped, reason
	return out, p.audit(ctx, m, "linkedin.lead.skipped", reason)
}

// audit appends an entry with a deterministic id and time, so a repeat
// after a crash rewrites the same entry.
func (p *Processor) audit(ctx context.Context, m Message, action, reason string) error {
	_, err := p.o.Store.AppendAudit(ctx, m.BU, store.AuditEntry{
		ID: "au-li-" + m.Lead, At: m.ReceivedAt, Actor: "linkedin", Action: action, Target: linkedin.LeadURN(m.Lead),
		Details: map[string]string{"form": m.Form, "reason": reason},
	})
	if err != nil && !errors.Is(err, store.ErrExists) { // ErrExists: written by an earlier attempt
		return fmt.Errorf("audit lead %s: %w", m.Lead, err)
	}
	return nil
}

// upsert merges the mapped lead into the contact the policy picks. A
// contact the lead creates gets the form URN as its Source and the lead id
// in the attribute AttrLead, which is how a repeat after a crash, and the
// deletion policy, know the lead made it.
func (p *Processor) upsert(ctx context.Context, m Message, cfg Config, ml linkedin.MappedLead) (store.Contact, bool, error) {
	patch := contactPatch(ml)
	var err error
	byID := ml.MissingEmail || cfg.match() == MatchCreate
	if byID {
		// One contact per lead, under an id derived from it.
		patch.ID = "c-li-" + m.Lead
		_, err = p.o.Store.GetContact(ctx, m.BU, patch.ID)
	} else {
		_, err = p.o.Store.FindContactByEmail(ctx, m.BU, *patch.Email)
	}
	isNew := errors.Is(err, store.ErrNotFound)
	if err != nil && !isNew {
		return store.Contact{}, false, err
	}
	if isNew {
		source := ml.Form.URN()
		patch.Source = &source
		if patch.Attributes == nil {
			patch.Attributes = map[string]store.Value{}
		}
		patch.Attributes[AttrLead] = store.StringValue(m.Lead)
	}
	var c store.Contact
	if byID {
		c, err = p.o.Store.UpsertContact(ctx, m.BU, patch)
	} else {
		c, _, err = p.o.Store.UpsertContactByEmail(ctx, m.BU, patch)
	}
	return c, err == nil && madeBy(c, m.Lead), err
}

// AttrLead is the custom attribute holding the id of the lead that created
// a contact.
const AttrLead = "linkedinLead"

// madeBy reports whether lead created the contact.
func madeBy(c store.Contact, lead string) bool {
	v, ok := c.Attributes[AttrLead]
	return ok && v.Str == lead
}

// contactPatch turns mapped attributes and consents into an upsert that
// sets only what the lead gave (nothing else is touched). An attribute
// named like one of the contact's own fields (email, owner, timezone,
// locale, lifecycleStage, ...: store.IsContactField) sets that field;
// only the others become custom attributes.
func contactPatch(ml linkedin.MappedLead) store.ContactPatch {
	var p store.ContactPatch
	attrs := map[string]store.Value{}
	for name, v := range ml.Attributes {
		if v == "" || p.SetField(name, v) {
			continue
		}
		attrs[name] = store.StringValue(v)
	}
	if len(attrs) > 0 {
		p.Attributes = attrs
	}
	source := linkedin.LeadURN(ml.LeadID)
	for _, c := range ml.Consents {
		consent := store.Consent{Status: store.ConsentGranted, Source: source, At: ml.SubmittedAt}
		if c.Channel != "" {
			if p.Channels == nil {
				p.Channels = map[string]store.Consent{}
			}
			p.Channels[c.Channel] = consent
		}
		if c.Topic != "" {
			if p.Topics == nil {
				p.Topics = map[string]store.Consent{}
			}
			p.Topics[c.Topic] = consent
		}
	}
	return p
}
