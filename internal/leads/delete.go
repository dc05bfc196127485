package leads

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// deleted handles a DELETED notification once: a tombstone when the lead
// was never synced, else removal per the business unit's policy.
func (p *Processor) deleted(ctx context.Context, m Message) (Outcome, error) {
	return p.guarded(ctx, m.BU, delKey(m.Lead), func() (Outcome, error) {
		synced, ok, err := p.peek(ctx, m.BU, syncKey(m.Lead))
		if err != nil {
			return Outcome{}, err
		}
		out := Outcome{Lead: m.Lead, Status: StatusTombstone, Reason: "deleted before it was synced"}
		if !ok {
			return out, nil
		}
		out.Status, out.Contact, out.Test = StatusDeleted, synced.Contact, synced.Test
		if synced.Contact == "" {
			out.Reason = "synced without a contact: nothing to remove"
			return out, nil
		}
		cfg, err := p.o.Settings(ctx, m.BU)
		if err != nil {
			return out, fmt.Errorf("settings of %s: %w", m.BU, err)
		}
		if cfg.onDelete() == DeleteKeep {
			out.Reason = "onDelete: keep"
			return out, nil
		}
		return p.remove(ctx, m, out)
	})
}

// remove erases a contact the lead made, or withdraws what the lead gave
// a contact that existed before it.
func (p *Processor) remove(ctx context.Context, m Message, out Outcome) (Outcome, error) {
	c, err := p.o.Store.GetContact(ctx, m.BU, out.Contact)
	if errors.Is(err, store.ErrNotFound) {
		out.Reason = "the contact is already gone"
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("load contact %s: %w", out.Contact, err)
	}
	if madeBy(c, m.Lead) {
		er, err := p.o.Store.Erase(ctx, m.BU, c.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return out, fmt.Errorf("erase contact %s: %w", c.ID, err)
		}
		out.Reason = "the lead made the contact: erased"
		out.Stopped, err = p.stop(ctx, er.Executions)
		return out, err
	}
	if err := p.withdraw(ctx, m, c); err != nil {
		return out, err
	}
	out.Reason = "the contact existed before the lead: consents it granted withdrawn, its journeys stopped"
	out.Stopped, err = p.stopEntered(ctx, m.BU, c.ID, m.Lead)
	return out, err
}

// withdraw sets the consents this lead granted (and nothing newer
// replaced) back to unknown.
func (p *Processor) withdraw(ctx context.Context, m Message, c store.Contact) error {
	source := linkedin.LeadURN(m.Lead)
	now := p.o.Now()
	reset := func(have map[string]store.Consent) map[string]store.Consent {
		var out map[string]store.Consent
		for k, v := range have {
			if v.Source == source && v.Status == store.ConsentGranted {
				if out == nil {
					out = map[string]store.Consent{}
				}
				out[k] = store.Consent{Status: store.ConsentUnknown, Source: source + " (deleted)", At: latest(now, v.At)}
			}
		}
		return out
	}
	patch := store.ContactPatch{ID: c.ID, Channels: reset(c.Channels), Topics: reset(c.Topics)}
	if patch.Channels == nil && patch.Topics == nil {
		return nil
	}
	if _, err := p.o.Store.UpsertContact(ctx, m.BU, patch); err != nil {
		return fmt.Errorf("withdraw consents of %s: %w", c.ID, err)
	}
	return nil
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func isGone(err error) bool {
	return errors.Is(err, workflow.ErrNotFound)
}
