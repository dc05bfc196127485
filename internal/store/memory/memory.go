// Package memory implements store.Store, store.Queue and store.KV in the
// process's memory, for simulations (`journeys run` pushes a hundred
// thousand contacts through a journey in virtual time) and for tests that
// need a fast store. Nothing is written to disk: the data lives as long as
// the *Store.
//
// It keeps the contract exactly as the embedded and DynamoDB adapters do
// (the same conformance suite proves it) and decides with the same rules
// from package store: Contact.Apply and store.PlanUpsert, Approval.Decide,
// Callback.Claim, store.BeginIdempotency, the normalisation and the keyed
// address hashes.
//
// A *Store is safe for concurrent use. Contacts and everything kept per
// contact (interactions, step logs, enrolments) are split over store.Shards
// shards by contact id, each with its own lock, so goroutines working on
// different contacts rarely wait for each other; email addresses,
// idempotency keys and the other records have locks of their own. A write
// that must be atomic across them takes its locks in one fixed order
// (contact shard, email shards, suppressions), so it cannot deadlock.
//
// Records are snapshots: what a caller passes in is copied where it holds
// maps or slices, and what it gets back is a copy, so no caller can change
// a stored record except through the Store's methods.
package memory

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// Compile-time proof that the adapter keeps the contracts.
var (
	_ store.Store = (*Store)(nil)
	_ store.Queue = (*Store)(nil)
	_ store.KV    = (*Store)(nil)
)

// Store is the in-memory adapter. Create it with New.
type Store struct {
	cfg    store.Config
	now    func() time.Time
	hasher *store.AddressHasher

	contacts [store.Shards]contactShard
	emails   [store.Shards]emailShard
	sup      suppressions
	owners   owners
	journeys journeys
	funnel   funnel
	content  contents
	apprs    approvals
	cbs      callbacks
	idem     [store.Shards]idemShard
	tasks    salesTasks
	audit    auditLog
	keys     apiKeys
	queues   queues
	kv       kvStore
}

// New returns an empty store. Without cfg.SuppressionKey a random key is
// made: suppressions then hash differently from any other store's.
func New(cfg store.Config) *Store {
	key := cfg.SuppressionKey
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	}
	return &Store{cfg: cfg, now: cfg.Clock(), hasher: store.NewAddressHasher(key)}
}

// An idKey names a record of a business unit by id (or another part: a
// contact, an owner).
type idKey struct{ bu, id string }

// checkCtx returns the context's error, as every method does first.
func checkCtx(ctx context.Context) error { return ctx.Err() }

// lookup reads the record of kind stored under (bu, id) in m, guarded by
// mu: the Get methods of records kept whole in one map.
func lookup[T any](ctx context.Context, mu *sync.RWMutex, m map[idKey]T, bu, kind, id string) (T, error) {
	err := store.CheckIDs("bu", bu, kind, id)
	if err == nil {
		err = checkCtx(ctx)
	}
	var v T
	if err == nil {
		mu.RLock()
		var ok bool
		v, ok = m[idKey{bu, id}]
		mu.RUnlock()
		if !ok {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("get %s %s: %w", kind, id, err)
	}
	return v, nil
}

// pad keeps the locks of neighbouring shards off one cache line, so two
// cores taking different shards do not slow each other down.
type pad [64]byte
