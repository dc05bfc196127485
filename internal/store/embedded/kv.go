package embedded

import (
	"bytes"
	"context"
	"fmt"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

// PutKV implements store.KV.
func (s *Store) PutKV(ctx context.Context, k string, value []byte) error {
	if k == "" {
		return fmt.Errorf("put kv: empty key: %w", store.ErrInvalid)
	}
	return wrap("put kv "+k, s.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bKV).Put([]byte(k), value)
	}))
}

// GetKV implements store.KV.
func (s *Store) GetKV(ctx context.Context, k string) ([]byte, error) {
	var out []byte
	err := s.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bKV).Get([]byte(k))
		if v == nil {
			return store.ErrNotFound
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, wrap("get kv "+k, err)
}

// DeleteKV implements store.KV.
func (s *Store) DeleteKV(ctx context.Context, k string) error {
	return wrap("delete kv "+k, s.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bKV).Delete([]byte(k))
	}))
}

// ListKV implements store.KV.
func (s *Store) ListKV(ctx context.Context, pfx, cursor string, limit int) (store.Page[store.KVPair], error) {
	var page store.Page[store.KVPair]
	after, err := decodeCursor(cursor, []byte(pfx))
	if err == nil {
		limit = store.PageLimit(limit)
		err = s.view(ctx, func(tx *bolt.Tx) error {
			next, err := scan(tx.Bucket(bKV), []byte(pfx), after, false, func(k, v []byte) (bool, error) {
				page.Items = append(page.Items, store.KVPair{Key: string(k), Value: bytes.Clone(v)})
				return len(page.Items) < limit, nil
			})
			page.Next = encodeCursor(next)
			return err
		})
	}
	if err != nil {
		return store.Page[store.KVPair]{}, fmt.Errorf("list kv %q: %w", pfx, err)
	}
	return page, nil
}
