package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/journeys-oss/journeys/internal/store"
)

func approvalPK(bu, id string) string { return buKey(bu, "A", id) }

func callbackPK(bu, id string) string { return buKey(bu, "K", id) }

func idempotencyPK(bu, key string) string { return buKey(bu, "I", key) }

// CreateApproval implements store.Approvals.
func (s *Store) CreateApproval(ctx context.Context, bu string, a store.Approval) (store.Approval, error) {
	a, err := store.PrepareApproval(bu, a, s.now())
	if err == nil {
		err = s.putApproval(ctx, a, 0)
		if errors.Is(err, errCondition) {
			err = store.ErrExists
		}
	}
	return a, wrap("create approval "+a.ID, err)
}

// pendingPK is the GSI1 partition of a business unit's pending approvals,
// sorted by expiry: only pending approvals carry it (a sparse index), so a
// decision takes the approval out.
func pendingPK(bu string) string { return buKey(bu, "AP") }

// putApproval writes an approval; those about a contact are in GSI2 under
// the contact, for erasure; pending ones in GSI1 by expiry.
func (s *Store) putApproval(ctx context.Context, a store.Approval, rev int64) error {
	g1pk, g1sk, g2pk, g2sk := "", "", "", ""
	if a.Status == store.ApprovalPending {
		g1pk, g1sk = pendingPK(a.BU), k(store.SortableTime(a.ExpiresAt), a.ID)
	}
	if a.Contact != "" {
		g2pk, g2sk = contactPK(a.BU, a.Contact), "A#"+a.ID
	}
	it, err := encode(a, attrPK, approvalPK(a.BU, a.ID), attrSK, "#A", attrG1PK, g1pk, attrG1SK, g1sk, attrG2PK, g2pk, attrG2SK, g2sk)
	if err != nil {
		return err
	}
	return s.putRev(ctx, it, rev)
}

// GetApproval implements store.Approvals.
func (s *Store) GetApproval(ctx context.Context, bu, id string) (store.Approval, error) {
	var a store.Approval
	err := store.CheckIDs("bu", bu, "approval", id)
	if err == nil {
		_, err = s.get(ctx, approvalPK(bu, id), "#A", &a)
	}
	return a.Reported(s.now()), wrap("get approval "+id, err)
}

// DecideApproval implements store.Approvals: the write is conditional on
// the revision read, so of two racing decisions the second finds the
// approval decided (ErrConflict).
func (s *Store) DecideApproval(ctx context.Context, bu, id string, d store.Decision) (store.Approval, error) {
	var a store.Approval
	err := store.CheckIDs("bu", bu, "approval", id)
	if err == nil {
		err = retry(ctx, func() error {
			rev, err := s.get(ctx, approvalPK(bu, id), "#A", &a)
			if err != nil {
				return err
			}
			if a, err = a.Decide(d, s.now()); err != nil {
				return err
			}
			return s.putApproval(ctx, a, rev)
		})
	}
	return a, wrap("decide approval "+id, err)
}

// ListPendingApprovals implements store.Approvals: Query GSI1
// B#<bu>#AP with GSI1SK after now, so expired approvals are not read.
func (s *Store) ListPendingApprovals(ctx context.Context, bu, cursor string, limit int) (store.Page[store.Approval], error) {
	if err := store.CheckID("bu", bu); err != nil {
		return store.Page[store.Approval]{}, fmt.Errorf("list pending approvals: %w", err)
	}
	pk, now := pendingPK(bu), s.now()
	// '$' follows the '#' after the time: every key at now sorts before lo.
	lo := store.SortableTime(now) + "$"
	in := &dynamodb.QueryInput{
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk > :lo"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrG1PK, "#sk": attrG1SK},
		ExpressionAttributeValues: item{":pk": str(pk), ":lo": str(lo)},
	}
	start, err := decodeCursor(cursor, attrG1PK, pk)
	if sk, _ := start[attrG1SK].(*types.AttributeValueMemberS); sk != nil && sk.Value <= lo {
		start = nil // the page ended on what has expired since: go on from now
	}
	var items []store.Approval
	var lek item
	if err == nil {
		items, lek, err = queryPage(ctx, s, in, start, store.PageLimit(limit), func(a store.Approval) bool { return a.Pending(now) })
	}
	if err != nil {
		return store.Page[store.Approval]{}, fmt.Errorf("list pending approvals: %w", err)
	}
	return store.Page[store.Approval]{Items: items, Next: encodeCursor(0, lek)}, nil
}

func (s *Store) putCallback(ctx context.Context, c store.Callback, rev int64) error {
	it, err := encode(c, attrPK, callbackPK(c.BU, c.ID), attrSK, "#K", attrG2PK, contactPK(c.BU, c.Contact), attrG2SK, "K#"+c.ID)
	if err != nil {
		return err
	}
	return s.putRev(ctx, withTTL(it, c.ExpiresAt.Add(store.CallbackGrace)), rev)
}

// CreateCallback implements store.Callbacks.
func (s *Store) CreateCallback(ctx context.Context, bu string, c store.Callback) (store.Callback, error) {
	generated := c.ID == ""
	c, err := store.PrepareCallback(bu, c, s.now())
	if err == nil {
		err = s.putCallback(ctx, c, 0)
		switch {
		case errors.Is(err, errCondition) && generated:
			err = nil // a retried PutItem meeting itself, as putAppended says
		case errors.Is(err, errCondition):
			err = store.ErrExists
		}
	}
	c.Token = ""
	return c, wrap("create callback "+c.ID, err)
}

// getCallback reads a callback, hiding it once past its grace period (TTL
// deletes it only eventually).
func (s *Store) getCallback(ctx context.Context, bu, id string, c *store.Callback) (int64, error) {
	rev, err := s.get(ctx, callbackPK(bu, id), "#K", c)
	if err == nil && c.Gone(s.now()) {
		return 0, store.ErrNotFound
	}
	return rev, err
}

// ClaimCallback implements store.Callbacks: conditional on the revision
// read, so exactly one of racing claims gets the token.
func (s *Store) ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error) {
	var c store.Callback
	err := store.CheckIDs("bu", bu, "callback", id)
	if err == nil {
		err = retry(ctx, func() error {
			rev, err := s.getCallback(ctx, bu, id, &c)
			if err != nil {
				return err
			}
			claimed, err := c.Claim(s.now())
			if err != nil {
				return err
			}
			return s.putCallback(ctx, claimed, rev)
		})
	}
	if err != nil {
		return store.Callback{}, fmt.Errorf("claim callback %s: %w", id, err)
	}
	return c, nil
}

// WaitingCallbacks implements store.Callbacks.
func (s *Store) WaitingCallbacks(ctx context.Context, bu, contact, event string) ([]store.Callback, error) {
	if err := store.CheckIDs("bu", bu, "contact", contact); err != nil {
		return nil, fmt.Errorf("waiting callbacks: %w", err)
	}
	all, err := queryAll[store.Callback](ctx, s, partition(indexGSI2, contactPK(bu, contact), "K#"))
	if err != nil {
		return nil, fmt.Errorf("waiting callbacks of contact %s: %w", contact, err)
	}
	var out []store.Callback
	now := s.now()
	for _, c := range all {
		if c.Waits(event, now) {
			c.Token = ""
			out = append(out, c)
		}
	}
	store.SortCallbacks(out)
	return out, nil
}

// ReleaseCallback implements store.Callbacks as ClaimCallback does: a put
// conditional on the revision read, so a release cannot undo a claim made
// in between. putCallback writes the GSI2 keys WaitingCallbacks queries,
// and the record without ClaimedAt reads as waiting again.
func (s *Store) ReleaseCallback(ctx context.Context, bu string, claim store.Callback) error {
	err := store.CheckIDs("bu", bu, "callback", claim.ID)
	if err == nil {
		err = retry(ctx, func() error {
			var c store.Callback
			rev, err := s.getCallback(ctx, bu, claim.ID, &c)
			if err != nil {
				return err
			}
			changed, err := c.Release(claim, s.now())
			if !changed {
				return err
			}
			return s.putCallback(ctx, c, rev)
		})
	}
	return wrap("release callback "+claim.ID, err)
}

// DeleteCallback implements store.Callbacks.
func (s *Store) DeleteCallback(ctx context.Context, bu, id string) error {
	err := store.CheckIDs("bu", bu, "callback", id)
	if err == nil {
		err = s.deleteExisting(ctx, callbackPK(bu, id), "#K")
	}
	return wrap("delete callback "+id, err)
}

func (s *Store) putIdempotency(ctx context.Context, bu string, r store.Idempotency, rev int64) error {
	it, err := encode(r, attrPK, idempotencyPK(bu, r.Key), attrSK, "#I")
	if err != nil {
		return err
	}
	return s.putRev(ctx, withTTL(it, r.ExpiresAt), rev)
}

// BeginIdempotency implements store.Idempotencies: read, decide
// (store.BeginIdempotency), write conditional on the revision read.
func (s *Store) BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error) {
	var out store.Idempotency
	err := store.CheckIDs("bu", bu, "idempotency key", key)
	if err == nil {
		err = retry(ctx, func() error {
			var rec store.Idempotency
			rev, err := s.get(ctx, idempotencyPK(bu, key), "#I", &rec)
			var have *store.Idempotency
			switch {
			case err == nil:
				have = &rec
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			var write *store.Idempotency
			out, write = store.BeginIdempotency(have, key, lease, s.now())
			if write == nil {
				return nil
			}
			return s.putIdempotency(ctx, bu, *write, rev)
		})
	}
	return out, wrap("begin idempotency key "+key, err)
}

// holding reads an idempotency record and checks token holds its lease.
func (s *Store) holding(ctx context.Context, bu, key, token string) (store.Idempotency, int64, error) {
	var rec store.Idempotency
	rev, err := s.get(ctx, idempotencyPK(bu, key), "#I", &rec)
	switch {
	case err == nil:
		err = store.CheckLease(&rec, token, s.now())
	case errors.Is(err, store.ErrNotFound):
		err = store.CheckLease(nil, token, s.now())
	}
	return rec, rev, err
}

// CompleteIdempotency implements store.Idempotencies.
func (s *Store) CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error {
	err := store.CheckIDs("bu", bu, "idempotency key", key)
	if err == nil {
		rec, rev, err2 := s.holding(ctx, bu, key, token)
		if err = err2; err == nil {
			err = s.putIdempotency(ctx, bu, rec.Complete(result, keep, s.now()), rev)
		}
	}
	if errors.Is(err, errCondition) {
		err = fmt.Errorf("idempotency lease lost: %w", store.ErrConflict)
	}
	return wrap("complete idempotency key "+key, err)
}

// ReleaseIdempotency implements store.Idempotencies.
func (s *Store) ReleaseIdempotency(ctx context.Context, bu, key, token string) error {
	err := store.CheckIDs("bu", bu, "idempotency key", key)
	if err == nil {
		_, rev, err2 := s.holding(ctx, bu, key, token)
		if err = err2; err == nil {
			err = s.deleteRev(ctx, idempotencyPK(bu, key), "#I", rev)
		}
	}
	if errors.Is(err, errCondition) {
		err = fmt.Errorf("idempotency lease lost: %w", store.ErrConflict)
	}
	return wrap("release idempotency key "+key, err)
}
