package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/journeys-oss/journeys/internal/store"
)

func taskPK(bu, id string) string { return buKey(bu, "T", id) }

func ownerTasksPK(bu, owner string) string { return buKey(bu, "O", owner) }

func (s *Store) putTask(ctx context.Context, t store.SalesTask, rev int64) error {
	it, err := encode(t, attrPK, taskPK(t.BU, t.ID), attrSK, "#T",
		attrG1PK, ownerTasksPK(t.BU, t.Owner), attrG1SK, k(store.SortableTime(t.Due), t.ID),
		attrG2PK, contactPK(t.BU, t.Contact), attrG2SK, "T#"+t.ID)
	if err != nil {
		return err
	}
	return s.putRev(ctx, it, rev)
}

// CreateSalesTask implements store.SalesTasks.
func (s *Store) CreateSalesTask(ctx context.Context, bu string, t store.SalesTask) (store.SalesTask, bool, error) {
	t, err := store.PrepareSalesTask(bu, t, s.now())
	created := err == nil
	if err == nil {
		err = s.putTask(ctx, t, 0)
		if errors.Is(err, errCondition) {
			created = false
			_, err = s.get(ctx, taskPK(bu, t.ID), "#T", &t)
		}
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
		_, err = s.get(ctx, taskPK(bu, id), "#T", &t)
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
		err = retry(ctx, func() error {
			rev, err := s.get(ctx, taskPK(bu, id), "#T", &t)
			if err != nil {
				return err
			}
			t = t.WithStatus(status, s.now())
			return s.putTask(ctx, t, rev)
		})
	}
	return t, wrap("set status of sales task "+id, err)
}

// ListSalesTasksByOwner implements store.SalesTasks.
func (s *Store) ListSalesTasksByOwner(ctx context.Context, bu, owner, cursor string, limit int) (store.Page[store.SalesTask], error) {
	if err := store.CheckIDs("bu", bu, "owner", owner); err != nil {
		return store.Page[store.SalesTask]{}, fmt.Errorf("list sales tasks: %w", err)
	}
	pk := ownerTasksPK(bu, owner)
	pg, err := page[store.SalesTask](ctx, s, partition(indexGSI1, pk, ""), attrG1PK, pk, cursor, limit, nil)
	return pg, wrap("list sales tasks of owner "+owner, err)
}

// ListSalesTasksByContact implements store.SalesTasks.
func (s *Store) ListSalesTasksByContact(ctx context.Context, bu, contact string) ([]store.SalesTask, error) {
	if err := store.CheckIDs("bu", bu, "contact", contact); err != nil {
		return nil, fmt.Errorf("list sales tasks: %w", err)
	}
	out, err := queryAll[store.SalesTask](ctx, s, partition(indexGSI2, contactPK(bu, contact), "T#"))
	store.SortSalesTasks(out)
	return out, wrap("list sales tasks of contact "+contact, err)
}

func auditPK(bu string) string { return buKey(bu, "AUDIT") }

// AppendAudit implements store.Audit.
func (s *Store) AppendAudit(ctx context.Context, bu string, e store.AuditEntry) (store.AuditEntry, error) {
	generated := e.ID == ""
	e, err := store.PrepareAudit(bu, e, s.now())
	if err == nil {
		var it item
		if it, err = encode(e, attrPK, auditPK(bu), attrSK, k(store.SortableTime(e.At), e.ID)); err == nil {
			err = s.putAppended(ctx, it, generated)
		}
	}
	return e, wrap("append audit entry", err)
}

// ListAudit implements store.Audit.
func (s *Store) ListAudit(ctx context.Context, bu, cursor string, limit int) (store.Page[store.AuditEntry], error) {
	if err := store.CheckID("bu", bu); err != nil {
		return store.Page[store.AuditEntry]{}, fmt.Errorf("list audit log: %w", err)
	}
	in := partition("", auditPK(bu), "")
	in.ScanIndexForward = aws.Bool(false)
	pg, err := page[store.AuditEntry](ctx, s, in, attrPK, auditPK(bu), cursor, limit, nil)
	return pg, wrap("list audit log", err)
}

func apiKeyPK(hash string) string { return k("KEY", hash) }

func apiKeysPK(bu string) string { return buKey(bu, "APIKEYS") }

// PutAPIKey implements store.APIKeys.
func (s *Store) PutAPIKey(ctx context.Context, key store.APIKey) error {
	key, err := store.PrepareAPIKey(key, s.now())
	if err == nil {
		var it item
		if it, err = encode(key, attrPK, apiKeyPK(key.Hash), attrSK, "#KEY", attrG1PK, apiKeysPK(key.BU), attrG1SK, k(key.Name, key.Hash)); err == nil {
			err = s.putNew(ctx, it)
		}
	}
	return wrap("put api key "+key.Name, err)
}

// GetAPIKey implements store.APIKeys.
func (s *Store) GetAPIKey(ctx context.Context, hash string) (store.APIKey, error) {
	var key store.APIKey
	err := store.CheckID("api key hash", hash)
	if err == nil {
		_, err = s.get(ctx, apiKeyPK(hash), "#KEY", &key)
	}
	return key, wrap("get api key", err)
}

// ListAPIKeys implements store.APIKeys.
func (s *Store) ListAPIKeys(ctx context.Context, bu string) ([]store.APIKey, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	out, err := queryAll[store.APIKey](ctx, s, partition(indexGSI1, apiKeysPK(bu), ""))
	return out, wrap("list api keys", err)
}

// DeleteAPIKey implements store.APIKeys: only a key of bu is deleted.
func (s *Store) DeleteAPIKey(ctx context.Context, bu, hash string) error {
	err := store.CheckIDs("bu", bu, "api key hash", hash)
	if err == nil {
		_, err = s.db.DeleteItem(ctx, deleteOwnKey(s.table, apiKeyPK(hash), bu))
		err = conditionToNotFound(err)
	}
	return wrap("delete api key", err)
}
