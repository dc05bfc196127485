package memory

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// An idemShard holds the idempotency records whose key falls in one
// shard.
type idemShard struct {
	mu   sync.Mutex
	recs map[idKey]*store.Idempotency // never changed once stored
	_    pad
}

func (s *Store) idemShardOf(key string) *idemShard { return &s.idem[store.Shard(key)] }

// BeginIdempotency implements store.Idempotencies.
func (s *Store) BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error) {
	err := store.CheckIDs("bu", bu, "idempotency key", key)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return store.Idempotency{}, fmt.Errorf("begin idempotency key %s: %w", key, err)
	}
	sh := s.idemShardOf(key)
	sh.mu.Lock()
	answer, write := store.BeginIdempotency(sh.recs[idKey{bu, key}], key, lease, s.now())
	if write != nil {
		if sh.recs == nil {
			sh.recs = map[idKey]*store.Idempotency{}
		}
		sh.recs[idKey{bu, key}] = write
	}
	sh.mu.Unlock()
	answer.Result = bytes.Clone(answer.Result)
	return answer, nil
}

// CompleteIdempotency implements store.Idempotencies.
func (s *Store) CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error {
	err := store.CheckIDs("bu", bu, "idempotency key", key)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		sh := s.idemShardOf(key)
		sh.mu.Lock()
		now := s.now()
		rec := sh.recs[idKey{bu, key}]
		if err = store.CheckLease(rec, token, now); err == nil {
			done := rec.Complete(bytes.Clone(result), keep, now)
			sh.recs[idKey{bu, key}] = &done
		}
		sh.mu.Unlock()
	}
	return wrap("complete idempotency key "+key, err)
}

// ReleaseIdempotency implements store.Idempotencies.
func (s *Store) ReleaseIdempotency(ctx context.Context, bu, key, token string) error {
	err := store.CheckIDs("bu", bu, "idempotency key", key)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		sh := s.idemShardOf(key)
		sh.mu.Lock()
		if err = store.CheckLease(sh.recs[idKey{bu, key}], token, s.now()); err == nil {
			delete(sh.recs, idKey{bu, key})
		}
		sh.mu.Unlock()
	}
	return wrap("release idempotency key "+key, err)
}
