package manage_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
)

func TestCreateKey(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		req  manage.KeyRequest
		want error // nil: created
	}{
		{"all scopes", manage.KeyRequest{BU: bu, Name: "ci", Scopes: []string{manage.ScopeAll}}, nil},
		{"some scopes, expiring", manage.KeyRequest{BU: bu, Name: "reader", Scopes: []string{manage.ScopeJourneysRead, manage.ScopeLeadsWrite},
			ExpiresAt: now.Add(time.Hour)}, nil},
		{"name taken", manage.KeyRequest{BU: bu, Name: "taken", Scopes: []string{manage.ScopeAll}}, store.ErrExists},
		{"unknown scope", manage.KeyRequest{BU: bu, Name: "x", Scopes: []string{"journeys:write"}}, store.ErrInvalid},
		{"no scopes", manage.KeyRequest{BU: bu, Name: "x"}, store.ErrInvalid},
		{"expired already", manage.KeyRequest{BU: bu, Name: "x", Scopes: []string{manage.ScopeAll}, ExpiresAt: now}, store.ErrInvalid},
		{"bad name", manage.KeyRequest{BU: bu, Name: "a\x00b", Scopes: []string{manage.ScopeAll}}, store.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := memory.New(store.Config{Now: func() time.Time { return now }})
			if _, _, err := manage.CreateKey(ctx, st, manage.KeyRequest{BU: bu, Name: "taken", Scopes: []string{manage.ScopeAll}}, now); err != nil {
				t.Fatal(err)
			}
			secret, key, err := manage.CreateKey(ctx, st, tc.req, now)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.GetAPIKey(ctx, manage.HashKey(secret))
			if err != nil {
				t.Fatalf("the secret does not find the key: %v", err)
			}
			want := store.APIKey{Hash: manage.HashKey(secret), BU: bu, Name: tc.req.Name, Scopes: tc.req.Scopes, CreatedAt: now, ExpiresAt: tc.req.ExpiresAt}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("stored key (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, key); diff != "" {
				t.Errorf("returned key (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRevokeKey(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	st := memory.New(store.Config{Now: func() time.Time { return now }})
	var secrets []string
	for _, k := range []struct{ bu, name string }{{bu, "ci"}, {bu, "ops"}, {"contoso", "ci"}} {
		s, _, err := manage.CreateKey(ctx, st, manage.KeyRequest{BU: k.bu, Name: k.name, Scopes: []string{manage.ScopeAll}}, now)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, s)
	}
	if n, err := manage.RevokeKey(ctx, st, bu, "ci"); n != 1 || err != nil {
		t.Fatalf("revoke: %d, %v", n, err)
	}
	if _, err := st.GetAPIKey(ctx, manage.HashKey(secrets[0])); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked key still found: %v", err)
	}
	for _, s := range secrets[1:] { // the other name, and the other unit's key of the same name
		if _, err := st.GetAPIKey(ctx, manage.HashKey(s)); err != nil {
			t.Errorf("a key that was not revoked: %v", err)
		}
	}
	if _, err := manage.RevokeKey(ctx, st, bu, "ci"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking again: %v, want ErrNotFound", err)
	}
}

// TestExpiredKey: a key works until its expiry and is refused (401) from
// then on.
func TestExpiredKey(t *testing.T) {
	f := newFixture(t, manage.Config{})
	secret, _, err := manage.CreateKey(context.Background(), f.st, manage.KeyRequest{BU: bu, Name: "short", Scopes: []string{manage.ScopeAll},
		ExpiresAt: f.clock.now().Add(time.Hour)}, f.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	auth := map[string]string{"Authorization": "Bearer " + secret}
	if code, body := f.call(t, http.MethodGet, "/api/journeys", auth, nil); code != http.StatusOK {
		t.Fatalf("before the expiry: %d %s", code, body)
	}
	f.clock.sleep(context.Background(), time.Hour)
	if code, body := f.call(t, http.MethodGet, "/api/journeys", auth, nil); code != http.StatusUnauthorized {
		t.Fatalf("after the expiry: %d %s, want 401", code, body)
	}
}
