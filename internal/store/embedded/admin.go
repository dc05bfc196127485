package embedded

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

func taskOwnerKey(t store.SalesTask) []byte {
	return key(t.BU, t.Owner, store.SortableTime(t.Due), t.ID)
}

// CreateSalesTask implements store.SalesTasks.
func (s *Store) CreateSalesTask(ctx context.Context, bu string, t store.SalesTask) (store.SalesTask, bool, error) {
	t, err := store.PrepareSalesTask(bu, t, s.now())
	created := false
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bTasks)
			if err := getJSON(b, key(bu, t.ID), &t); !isNotFound(err) {
				return err // nil: the stored task is the answer
			}
			created = true
			if err := tx.Bucket(bTasksByOwner).Put(taskOwnerKey(t), nil); err != nil {
				return err
			}
			if err := tx.Bucket(bTasksByContact).Put(key(bu, t.Contact, t.ID), nil); err != nil {
				return err
			}
			return putJSON(b, key(bu, t.ID), t)
		})
	}
	if err != nil {
		return store.SalesTask{}, false, fmt.Errorf("create sales task %s: %w", t.ID, err)
	}
	return t, created, nil
}

// GetSalesTask implements store.SalesTasks.
func (s *Store) GetSalesTask(ctx context.Context, bu, id string) (store.SalesTask, error) {
	var t store.SalesTask
	err := store.CheckIDs("bu", bu, "sales task", id)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bTasks), key(bu, id), &t) })
	}
	return t, wrap("get sales task "+id, err)
}

// SetSalesTaskStatus implements store.SalesTasks.
func (s *Store) SetSalesTaskStatus(ctx context.Context, bu, id string, status store.SalesTaskStatus) (store.SalesTask, error) {
	var t store.SalesTask
	err := store.CheckIDs("bu", bu, "sales task", id)
	if err == nil {
		err = status.Check()
	}
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			if err := getJSON(tx.Bucket(bTasks), key(bu, id), &t); err != nil {
				return err
			}
			t = t.WithStatus(status, s.now())
			return putJSON(tx.Bucket(bTasks), key(bu, id), t)
		})
	}
	return t, wrap("set status of sales task "+id, err)
}

// ListSalesTasksByOwner implements store.SalesTasks.
func (s *Store) ListSalesTasksByOwner(ctx context.Context, bu, owner, cursor string, limit int) (store.Page[store.SalesTask], error) {
	var page store.Page[store.SalesTask]
	err := store.CheckIDs("bu", bu, "owner", owner)
	pfx := prefix(bu, owner)
	var after []byte
	if err == nil {
		after, err = decodeCursor(cursor, pfx)
	}
	if err == nil {
		limit = store.PageLimit(limit)
		err = s.view(ctx, func(tx *bolt.Tx) error {
			next, err := scan(tx.Bucket(bTasksByOwner), pfx, after, false, func(k, _ []byte) (bool, error) {
				var t store.SalesTask
				p := splitKey(k)
				if err := getJSON(tx.Bucket(bTasks), key(bu, p[3]), &t); err != nil {
					return false, err
				}
				page.Items = append(page.Items, t)
				return len(page.Items) < limit, nil
			})
			page.Next = encodeCursor(next)
			return err
		})
	}
	if err != nil {
		return store.Page[store.SalesTask]{}, fmt.Errorf("list sales tasks of owner %s: %w", owner, err)
	}
	return page, nil
}

// ListSalesTasksByContact implements store.SalesTasks.
func (s *Store) ListSalesTasksByContact(ctx context.Context, bu, contact string) ([]store.SalesTask, error) {
	var out []store.SalesTask
	err := store.CheckIDs("bu", bu, "contact", contact)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error {
			_, err := scan(tx.Bucket(bTasksByContact), prefix(bu, contact), nil, false, func(k, _ []byte) (bool, error) {
				var t store.SalesTask
				p := splitKey(k)
				if err := getJSON(tx.Bucket(bTasks), key(bu, p[2]), &t); err != nil {
					return false, err
				}
				out = append(out, t)
				return true, nil
			})
			return err
		})
	}
	store.SortSalesTasks(out)
	return out, wrap("list sales tasks of contact "+contact, err)
}

// deleteTaskOwnerIndex removes a task's by-owner index entry (erasure).
func deleteTaskOwnerIndex(tx *bolt.Tx, bu, id string) error {
	var t store.SalesTask
	if err := getJSON(tx.Bucket(bTasks), key(bu, id), &t); err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	return tx.Bucket(bTasksByOwner).Delete(taskOwnerKey(t))
}

// AppendAudit implements store.Audit.
func (s *Store) AppendAudit(ctx context.Context, bu string, e store.AuditEntry) (store.AuditEntry, error) {
	e, err := store.PrepareAudit(bu, e, s.now())
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b, k := tx.Bucket(bAudit), key(bu, store.SortableTime(e.At), e.ID)
			if b.Get(k) != nil {
				return store.ErrExists
			}
			return putJSON(b, k, e)
		})
	}
	return e, wrap("append audit entry", err)
}

// ListAudit implements store.Audit.
func (s *Store) ListAudit(ctx context.Context, bu, cursor string, limit int) (store.Page[store.AuditEntry], error) {
	var page store.Page[store.AuditEntry]
	err := store.CheckID("bu", bu)
	pfx := prefix(bu)
	var after []byte
	if err == nil {
		after, err = decodeCursor(cursor, pfx)
	}
	if err == nil {
		limit = store.PageLimit(limit)
		err = s.view(ctx, func(tx *bolt.Tx) error {
			next, err := scan(tx.Bucket(bAudit), pfx, after, true, func(_, v []byte) (bool, error) {
				var e store.AuditEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return false, err
				}
				page.Items = append(page.Items, e)
				return len(page.Items) < limit, nil
			})
			page.Next = encodeCursor(next)
			return err
		})
	}
	if err != nil {
		return store.Page[store.AuditEntry]{}, fmt.Errorf("list audit log: %w", err)
	}
	return page, nil
}

// PutAPIKey implements store.APIKeys.
func (s *Store) PutAPIKey(ctx context.Context, k store.APIKey) error {
	k, err := store.PrepareAPIKey(k, s.now())
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bAPIKeys)
			if b.Get([]byte(k.Hash)) != nil {
				return store.ErrExists
			}
			if err := tx.Bucket(bAPIKeysByBU).Put(key(k.BU, k.Name, k.Hash), nil); err != nil {
				return err
			}
			return putJSON(b, []byte(k.Hash), k)
		})
	}
	return wrap("put api key "+k.Name, err)
}

// GetAPIKey implements store.APIKeys.
func (s *Store) GetAPIKey(ctx context.Context, hash string) (store.APIKey, error) {
	var k store.APIKey
	err := store.CheckID("api key hash", hash)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bAPIKeys), []byte(hash), &k) })
	}
	return k, wrap("get api key", err)
}

// ListAPIKeys implements store.APIKeys.
func (s *Store) ListAPIKeys(ctx context.Context, bu string) ([]store.APIKey, error) {
	var out []store.APIKey
	err := store.CheckID("bu", bu)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error {
			_, err := scan(tx.Bucket(bAPIKeysByBU), prefix(bu), nil, false, func(k, _ []byte) (bool, error) {
				var ak store.APIKey
				p := splitKey(k)
				if err := getJSON(tx.Bucket(bAPIKeys), []byte(p[2]), &ak); err != nil {
					return false, err
				}
				out = append(out, ak)
				return true, nil
			})
			return err
		})
	}
	return out, wrap("list api keys", err)
}

// DeleteAPIKey implements store.APIKeys.
func (s *Store) DeleteAPIKey(ctx context.Context, bu, hash string) error {
	err := store.CheckIDs("bu", bu, "api key hash", hash)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			var k store.APIKey
			if err := getJSON(tx.Bucket(bAPIKeys), []byte(hash), &k); err != nil {
				return err
			}
			if k.BU != bu {
				return store.ErrNotFound // another business unit's key
			}
			if err := tx.Bucket(bAPIKeysByBU).Delete(key(bu, k.Name, hash)); err != nil {
				return err
			}
			return tx.Bucket(bAPIKeys).Delete([]byte(hash))
		})
	}
	return wrap("delete api key", err)
}
