package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/journeys-oss/journeys/internal/store"
)

// AppendInteraction implements store.Interactions.
func (s *Store) AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error) {
	generated := i.ID == ""
	i, err := i.Prepare(bu, s.cfg)
	if err == nil {
		var it item
		it, err = encode(i, attrPK, contactPK(bu, i.Contact), attrSK, skInteraction+k(store.SortableTime(i.At), i.ID))
		if err == nil {
			err = s.putAppended(ctx, withTTL(it, i.ExpiresAt), generated)
		}
	}
	if err != nil {
		return store.Interaction{}, fmt.Errorf("append interaction of contact %s: %w", i.Contact, err)
	}
	return i, nil
}

// interactionRange is the key condition of a contact's interactions with
// From <= At < To: keys are I#<time>#<id>, so "I#<To>" sorts before every
// key at To.
func interactionRange(pk string, from, to time.Time) *dynamodb.QueryInput {
	lo, hi := skInteraction, skInteraction+"~"
	if !from.IsZero() {
		lo = skInteraction + store.SortableTime(from)
	}
	if !to.IsZero() {
		hi = skInteraction + store.SortableTime(to)
	}
	return &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :pk AND SK BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: item{":pk": str(pk), ":lo": str(lo), ":hi": str(hi)},
		ConsistentRead:            aws.Bool(true),
	}
}

// ListInteractions implements store.Interactions.
func (s *Store) ListInteractions(ctx context.Context, bu, contact string, q store.InteractionQuery) (store.Page[store.Interaction], error) {
	if err := store.CheckIDs("bu", bu, "contact", contact); err != nil {
		return store.Page[store.Interaction]{}, fmt.Errorf("list interactions: %w", err)
	}
	pk := contactPK(bu, contact)
	in := interactionRange(pk, q.From, q.To)
	in.ScanIndexForward = aws.Bool(!q.NewestFirst)
	now := s.now()
	pg, err := page(ctx, s, in, attrPK, pk, q.Cursor, q.Limit, func(i store.Interaction) bool { return !store.Expired(i.ExpiresAt, now) })
	return pg, wrap("list interactions of contact "+contact, err)
}

// CountInteractions implements store.Interactions.
func (s *Store) CountInteractions(ctx context.Context, bu, contact string, kind store.InteractionKind, channel string, since time.Time) (int, error) {
	if err := store.CheckIDs("bu", bu, "contact", contact); err != nil {
		return 0, fmt.Errorf("count interactions: %w", err)
	}
	in := interactionRange(contactPK(bu, contact), since, time.Time{})
	in.FilterExpression = aws.String("#kind = :kind")
	in.ExpressionAttributeNames = map[string]string{"#kind": "kind"}
	in.ExpressionAttributeValues[":kind"] = str(string(kind))
	if channel != "" {
		in.FilterExpression = aws.String("#kind = :kind AND #channel = :channel")
		in.ExpressionAttributeNames["#channel"] = "channel"
		in.ExpressionAttributeValues[":channel"] = str(channel)
	}
	now, n := s.now(), 0
	err := s.query(ctx, in, func(it item) (bool, error) {
		var i store.Interaction
		if err := decode(it, &i); err != nil {
			return false, err
		}
		if !store.Expired(i.ExpiresAt, now) {
			n++
		}
		return true, nil
	})
	return n, wrap("count interactions of contact "+contact, err)
}

// AppendStepLog implements store.Interactions.
func (s *Store) AppendStepLog(ctx context.Context, bu string, l store.StepLog) (store.StepLog, error) {
	generated := l.ID == ""
	l, err := l.Prepare(bu, s.cfg)
	if err == nil {
		var it item
		it, err = encode(l, attrPK, contactPK(bu, l.Contact), attrSK, skStepLog+k(store.SortableTime(l.At), l.ID))
		if err == nil {
			err = s.putAppended(ctx, withTTL(it, l.ExpiresAt), generated)
		}
	}
	if err != nil {
		return store.StepLog{}, fmt.Errorf("append step log of contact %s: %w", l.Contact, err)
	}
	return l, nil
}

// ListStepLogs implements store.Interactions.
func (s *Store) ListStepLogs(ctx context.Context, bu, contact, execution string) ([]store.StepLog, error) {
	if err := store.CheckIDs("bu", bu, "contact", contact); err != nil {
		return nil, fmt.Errorf("list step logs: %w", err)
	}
	all, err := queryAll[store.StepLog](ctx, s, partition("", contactPK(bu, contact), skStepLog))
	if err != nil {
		return nil, fmt.Errorf("list step logs of contact %s: %w", contact, err)
	}
	return store.FilterStepLogs(all, execution, s.now()), nil
}
