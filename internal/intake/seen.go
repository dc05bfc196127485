package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// Idempotencies is the store part SeenIDs and the event guard use.
type Idempotencies interface {
	BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error)
	CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error
	ReleaseIdempotency(ctx context.Context, bu, key, token string) error
}

// SeenIDs is a webhook.SeenIDs over the store's idempotency records of one
// business unit: a conditional write per webhook id, so replays are
// dropped across Lambda containers and restarts alike.
type SeenIDs struct {
	Store Idempotencies
	BU    string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

var _ webhook.SeenIDs = SeenIDs{}

// Remember implements webhook.SeenIDs.
func (s SeenIDs) Remember(ctx context.Context, id string, until time.Time) (bool, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	keep := max(until.Sub(now), time.Second)
	key := seenKey(id)
	rec, err := s.Store.BeginIdempotency(ctx, s.BU, key, keep)
	if err != nil {
		return false, fmt.Errorf("remember webhook id: %w", err)
	}
	if rec.State != store.IdempotencyNew {
		return false, nil
	}
	if err := s.Store.CompleteIdempotency(ctx, s.BU, key, rec.Token, nil, keep); err != nil {
		return false, fmt.Errorf("remember webhook id: %w", err)
	}
	return true, nil
}

// seenKey keeps any webhook id (up to 256 bytes of anything) within the
// store's key rules by hashing it.
func seenKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "wh|" + hex.EncodeToString(sum[:])
}

// HashAPIKey is how an API key is stored and looked up (store.APIKey.Hash):
// hex SHA-256 of the key. Keys are long random tokens, so an unkeyed hash
// is enough; the store never holds a key itself.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
