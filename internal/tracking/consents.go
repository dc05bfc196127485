package tracking

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/journeys-oss/journeys/internal/content/preference"
	"github.com/journeys-oss/journeys/internal/store"
)

// ConsentStore is what Consents needs of the store.
type ConsentStore interface {
	GetContact(ctx context.Context, bu, id string) (store.Contact, error)
	UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error)
	AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error)
}

// Consents is the preference centre's consent store over the contact
// records: channel and topic consent merge per key, newest wins, and every
// opt-out is also recorded as an unsubscribed interaction.
type Consents struct {
	Store ConsentStore
	Now   func() time.Time
}

var _ preference.Store = Consents{}

// Consents implements preference.Store.
func (c Consents) Consents(ctx context.Context, bu, contact string) ([]preference.Consent, error) {
	ct, err := c.Store.GetContact(ctx, bu, contact)
	if err != nil {
		return nil, fmt.Errorf("consents of %s: %w", contact, err)
	}
	var out []preference.Consent
	add := func(scope preference.Scope, m map[string]store.Consent) {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			v := m[n]
			if v.Status == store.ConsentUnknown || v.Status == "" {
				continue
			}
			out = append(out, preference.Consent{Scope: scope, Name: n, Granted: v.Status == store.ConsentGranted, Source: v.Source, At: v.At})
		}
	}
	add(preference.ScopeChannel, ct.Channels)
	add(preference.ScopeTopic, ct.Topics)
	return out, nil
}

// SetConsents implements preference.Store.
func (c Consents) SetConsents(ctx context.Context, bu, contact string, changes []preference.Consent) error {
	ct, err := c.Store.GetContact(ctx, bu, contact)
	if err != nil {
		return fmt.Errorf("set consents of %s: %w", contact, err)
	}
	p := store.ContactPatch{ID: ct.ID, Channels: map[string]store.Consent{}, Topics: map[string]store.Consent{}}
	for _, ch := range changes {
		v := store.Consent{Status: store.ConsentDenied, Source: ch.Source, At: ch.At}
		if ch.Granted {
			v.Status = store.ConsentGranted
		}
		if ch.Scope == preference.ScopeTopic {
			p.Topics[ch.Name] = v
		} else {
			p.Channels[ch.Name] = v
		}
	}
	if _, err := c.Store.UpsertContact(ctx, bu, p); err != nil {
		return fmt.Errorf("set consents of %s: %w", contact, err)
	}
	for _, ch := range changes {
		if ch.Granted {
			continue
		}
		detail := map[string]string{string(ch.Scope): ch.Name, "source": ch.Source}
		i := store.Interaction{Contact: ct.ID, Kind: store.InteractionUnsubscribed, At: ch.At, Detail: detail}
		if ch.Scope == preference.ScopeChannel {
			i.Channel = ch.Name
		}
		if _, err := c.Store.AppendInteraction(ctx, bu, i); err != nil {
			return fmt.Errorf("record unsubscribe of %s: %w", contact, err)
		}
	}
	return nil
}
