package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// KeyStore is where API keys are kept (store.APIKeys without the lookup
// by hash). Creating, listing and revoking keys is the operator's work,
// done with direct access to the store (`journeys apikey`), never through
// the API: the first key of a business unit cannot need a key.
type KeyStore interface {
	PutAPIKey(ctx context.Context, k store.APIKey) error
	ListAPIKeys(ctx context.Context, bu string) ([]store.APIKey, error)
	DeleteAPIKey(ctx context.Context, bu, hash string) error
}

// KnownScopes returns every scope a key may hold, ScopeAll first.
func KnownScopes() []string {
	return []string{ScopeAll, ScopeJourneysRead, ScopeJourneysPublish, ScopeJourneysOperate, ScopeContactsRead,
		ScopeContactsWrite, ScopeContactsErase, ScopeAuditRead, ScopeContentPreview, ScopeLeadsWrite}
}

// LocalScopes are the scopes of the dev server's local keys: everything,
// the explicit-only scopes included.
func LocalScopes() []string { return []string{ScopeAll, ScopeLeadsWrite} }

// A KeyRequest describes an API key to create.
type KeyRequest struct {
	BU   string
	Name string // unique among the business unit's keys; the audit actor is key:<name>
	// Scopes the key holds (at least one; ScopeAll for everything but the
	// explicit-only scopes).
	Scopes []string
	// ExpiresAt is when the key stops working (zero: never).
	ExpiresAt time.Time
}

// CheckScopes returns an error wrapping store.ErrInvalid naming the
// scopes that are not known, or an empty list.
func CheckScopes(scopes []string) error {
	if len(scopes) == 0 {
		return fmt.Errorf("no scopes (give one or more of %s): %w", strings.Join(KnownScopes(), ", "), store.ErrInvalid)
	}
	known := KnownScopes()
	var bad []string
	for _, s := range scopes {
		if !slices.Contains(known, s) {
			bad = append(bad, fmt.Sprintf("%q", s))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("unknown scope %s (known: %s): %w", strings.Join(bad, ", "), strings.Join(known, ", "), store.ErrInvalid)
	}
	return nil
}

// CreateKey makes a key as req says and stores its hash: the secret comes
// back to be shown once, and is kept nowhere. A name the business unit's
// keys already use is store.ErrExists; unknown scopes or an expiry not
// after now are store.ErrInvalid.
func CreateKey(ctx context.Context, ks KeyStore, req KeyRequest, now time.Time) (string, store.APIKey, error) {
	if err := CheckScopes(req.Scopes); err != nil {
		return "", store.APIKey{}, fmt.Errorf("create api key %s: %w", req.Name, err)
	}
	if !req.ExpiresAt.IsZero() && !req.ExpiresAt.After(now) {
		return "", store.APIKey{}, fmt.Errorf("create api key %s: expiry %s is not in the future: %w",
			req.Name, req.ExpiresAt.UTC().Format(time.RFC3339), store.ErrInvalid)
	}
	keys, err := ks.ListAPIKeys(ctx, req.BU)
	if err != nil {
		return "", store.APIKey{}, fmt.Errorf("create api key %s: %w", req.Name, err)
	}
	if slices.ContainsFunc(keys, func(k store.APIKey) bool { return k.Name == req.Name }) {
		return "", store.APIKey{}, fmt.Errorf("create api key %s: business unit %s has a key of that name (revoke it or pick another): %w",
			req.Name, req.BU, store.ErrExists)
	}
	secret, key := NewAPIKey(req.BU, req.Name, slices.Clone(req.Scopes), now)
	key.ExpiresAt = store.UTC(req.ExpiresAt)
	if err := ks.PutAPIKey(ctx, key); err != nil {
		return "", store.APIKey{}, fmt.Errorf("create api key %s: %w", req.Name, err)
	}
	return secret, key, nil
}

// RevokeKey deletes every key of the business unit named name and
// returns how many there were; none is store.ErrNotFound.
func RevokeKey(ctx context.Context, ks KeyStore, bu, name string) (int, error) {
	keys, err := ks.ListAPIKeys(ctx, bu)
	if err != nil {
		return 0, fmt.Errorf("revoke api key %s: %w", name, err)
	}
	n := 0
	for _, k := range keys {
		if k.Name != name {
			continue
		}
		if err := ks.DeleteAPIKey(ctx, bu, k.Hash); err != nil && !errors.Is(err, store.ErrNotFound) {
			return n, fmt.Errorf("revoke api key %s: %w", name, err)
		}
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("revoke api key %s: business unit %s has no key of that name: %w", name, bu, store.ErrNotFound)
	}
	return n, nil
}
