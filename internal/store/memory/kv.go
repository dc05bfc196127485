package memory

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/journeys-oss/journeys/internal/store"
)

// kvStore keeps the local engine's snapshots, with their keys in order
// for listing by prefix.
type kvStore struct {
	mu   sync.Mutex
	vals map[string][]byte
	keys sortedSet[string]
}

// PutKV implements store.KV.
func (s *Store) PutKV(ctx context.Context, k string, value []byte) error {
	err := checkCtx(ctx)
	if err == nil && k == "" {
		err = fmt.Errorf("empty key: %w", store.ErrInvalid)
	}
	if err != nil {
		return fmt.Errorf("put kv %s: %w", k, err)
	}
	value = bytes.Clone(value)
	if value == nil {
		value = []byte{}
	}
	s.kv.mu.Lock()
	defer s.kv.mu.Unlock()
	if s.kv.vals == nil {
		s.kv.vals = map[string][]byte{}
	}
	if _, ok := s.kv.vals[k]; !ok {
		s.kv.keys.add(k, strings.Compare)
	}
	s.kv.vals[k] = value
	return nil
}

// GetKV implements store.KV.
func (s *Store) GetKV(ctx context.Context, k string) ([]byte, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, fmt.Errorf("get kv %s: %w", k, err)
	}
	s.kv.mu.Lock()
	v, ok := s.kv.vals[k]
	s.kv.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("get kv %s: %w", k, store.ErrNotFound)
	}
	return bytes.Clone(v), nil
}

// DeleteKV implements store.KV.
func (s *Store) DeleteKV(ctx context.Context, k string) error {
	if err := checkCtx(ctx); err != nil {
		return fmt.Errorf("delete kv %s: %w", k, err)
	}
	s.kv.mu.Lock()
	defer s.kv.mu.Unlock()
	if _, ok := s.kv.vals[k]; ok {
		delete(s.kv.vals, k)
		s.kv.keys.stale()
	}
	return nil
}

// ListKV implements store.KV.
func (s *Store) ListKV(ctx context.Context, prefix, cursor string, limit int) (store.Page[store.KVPair], error) {
	var page store.Page[store.KVPair]
	err := checkCtx(ctx)
	var last string
	var ok bool
	if err == nil {
		last, ok, err = decodeCursor(cursor, "kv\x00"+prefix)
	}
	if err != nil {
		return page, fmt.Errorf("list kv %q: %w", prefix, err)
	}
	limit = store.PageLimit(limit)
	s.kv.mu.Lock()
	defer s.kv.mu.Unlock()
	keys := s.kv.keys.sorted(strings.Compare, func(k string) bool { _, ok := s.kv.vals[k]; return ok })
	i := sort.SearchStrings(keys, prefix)
	if ok {
		i = after(keys, last, false, strings.Compare)
	}
	for ; i < len(keys) && strings.HasPrefix(keys[i], prefix) && len(page.Items) < limit; i++ {
		page.Items = append(page.Items, store.KVPair{Key: keys[i], Value: bytes.Clone(s.kv.vals[keys[i]])})
	}
	if i < len(keys) && strings.HasPrefix(keys[i], prefix) {
		page.Next = encodeCursor("kv\x00"+prefix, keys[i-1])
	}
	return page, nil
}
