package manage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// Scopes an API key may hold. A key without scopes may do everything its
// business unit may, except what the explicit-only scopes allow; ScopeAll
// is the explicit form of the same.
const (
	ScopeAll             = "*"
	ScopeJourneysRead    = "journeys:read"
	ScopeJourneysPublish = "journeys:publish"
	ScopeJourneysOperate = "journeys:operate" // pause, resume, stop, rollback, launch
	ScopeContactsRead    = "contacts:read"
	ScopeContactsWrite   = "contacts:write" // import
	ScopeContactsErase   = "contacts:erase"
	ScopeAuditRead       = "audit:read"
	ScopeContentPreview  = "content:preview" // render for stored contacts, test sends (marked, never counted)
	// ScopeLeadsWrite feeds backfilled LinkedIn leads into the lead
	// pipeline (POST /leads/backfill). It is explicit-only.
	ScopeLeadsWrite = "leads:write"
	// ScopeContentWrite uploads the business unit's own templates and
	// blocks (POST /content).
	ScopeContentWrite = "content:write"
	// ScopeContentShare uploads shared content, which every business unit
	// sees (POST /content with shared files). It is explicit-only.
	ScopeContentShare = "content:share"
)

// explicitOnly reports the scopes a key holds only when its record names
// them: neither a key without scopes nor ScopeAll grants them, so keys made
// before such a scope existed do not gain it. IAM callers are granted what
// their IAM policy allows on the route.
func explicitOnly(scope string) bool { return scope == ScopeLeadsWrite || scope == ScopeContentShare }

// KeyPrefix starts every API key secret, so leaked keys are recognisable.
const KeyPrefix = "jk_"

// HashKey is the hash an API key is stored and looked up under: hex
// SHA-256 of the secret the client presents.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewAPIKey makes a key for a business unit: the secret to hand to the
// client once, and the record to store (by its hash; the secret is never
// stored).
func NewAPIKey(bu, name string, scopes []string, now time.Time) (secret string, key store.APIKey) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	secret = KeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, store.APIKey{Hash: HashKey(secret), BU: bu, Name: name, Scopes: scopes, CreatedAt: now}
}

// A caller is who makes a request and for which business unit.
type caller struct {
	bu     string
	actor  string   // audit actor: the IAM principal, or key:<name>
	scopes []string // nil: everything but, for a key, the explicit-only scopes
	key    bool     // authenticated by an API key
}

func (c caller) may(scope string) bool {
	if c.key && explicitOnly(scope) {
		return slices.Contains(c.scopes, scope)
	}
	return c.scopes == nil || slices.Contains(c.scopes, ScopeAll) || slices.Contains(c.scopes, scope)
}

type callerKey struct{}

func callerOf(ctx context.Context) caller {
	c, _ := ctx.Value(callerKey{}).(caller)
	return c
}

// errUnauthenticated and errForbidden are the auth failures.
var (
	errUnauthenticated = errors.New("unauthenticated")
	errForbidden       = errors.New("forbidden")
)

// keyCaller authenticates an /api request by its bearer key.
func (h *Handler) keyCaller(r *http.Request) (caller, error) {
	auth := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		return caller{}, errUnauthenticated
	}
	k, err := h.svc.store.GetAPIKey(r.Context(), HashKey(strings.TrimSpace(secret)))
	if errors.Is(err, store.ErrNotFound) {
		return caller{}, errUnauthenticated
	}
	if err != nil {
		return caller{}, err
	}
	if k.Expired(h.svc.now()) {
		return caller{}, errUnauthenticated
	}
	var scopes []string
	if len(k.Scopes) > 0 {
		scopes = k.Scopes
	}
	return caller{bu: k.BU, actor: "key:" + k.Name, scopes: scopes, key: true}, nil
}

// iamCaller identifies a /manage request by the IAM principal API Gateway
// authorized; the business unit is the path's.
func (h *Handler) iamCaller(r *http.Request, bu string) (caller, error) {
	if h.opts.Identity == nil {
		return caller{}, errUnauthenticated
	}
	principal, ok := h.opts.Identity(r)
	if !ok || principal == "" {
		return caller{}, errUnauthenticated
	}
	if err := store.CheckID("bu", bu); err != nil {
		return caller{}, err
	}
	return caller{bu: bu, actor: principal}, nil
}
