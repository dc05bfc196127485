package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/journeys-oss/journeys/internal/store"
)

// Sort keys of the records that live in a contact's partition.
const (
	skProfile     = "#P"
	skInteraction = "I#"
	skStepLog     = "L#"
	skEnrolment   = "N#"
)

func contactPK(bu, id string) string { return buKey(bu, "C", id) }

func emailPK(bu, email string) string { return buKey(bu, "E", email) }

func suppressionPK(bu, hash string) string { return buKey(bu, "S", hash) }

func shardPK(bu string, shard int) string { return buKey(bu, "CS", fmt.Sprintf("%02d", shard)) }

// emailRef is the item that makes an email address unique within a
// business unit and finds its contact.
type emailRef struct {
	Contact string `json:"contact"`
}

// GetContact implements store.Contacts.
func (s *Store) GetContact(ctx context.Context, bu, id string) (store.Contact, error) {
	var c store.Contact
	err := store.CheckIDs("bu", bu, "contact", id)
	if err == nil {
		_, err = s.get(ctx, contactPK(bu, id), skProfile, &c)
	}
	return c, wrap("get contact "+id, err)
}

// FindContactByEmail implements store.Contacts.
func (s *Store) FindContactByEmail(ctx context.Context, bu, email string) (store.Contact, error) {
	e, err := store.NormalizeEmail(email)
	if err == nil {
		err = store.CheckID("bu", bu)
	}
	var ref emailRef
	if err == nil {
		_, err = s.get(ctx, emailPK(bu, e), "#E", &ref)
	}
	var c store.Contact
	if err == nil {
		_, err = s.get(ctx, contactPK(bu, ref.Contact), skProfile, &c)
	}
	return c, wrap("find contact by email", err)
}

// UpsertContact implements store.Contacts.
func (s *Store) UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error) {
	p, err := store.PreparePatch(bu, p)
	if err != nil {
		return store.Contact{}, fmt.Errorf("upsert contact: %w", err)
	}
	if p.ID == "" {
		p.ID = store.NewID("c-")
	}
	var c store.Contact
	err = retry(ctx, func() error {
		var err error
		c, _, err = s.upsert(ctx, bu, p)
		return err
	})
	return c, wrap("upsert contact "+p.ID, err)
}

// UpsertContactByEmail implements store.Contacts.
func (s *Store) UpsertContactByEmail(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, bool, error) {
	p, err := store.PrepareByEmail(bu, p)
	if err != nil {
		return store.Contact{}, false, fmt.Errorf("upsert contact by email: %w", err)
	}
	c, created, err := s.upsertByEmail(ctx, bu, p)
	return c, created, wrap("upsert contact by email", err)
}

// upsertByEmail merges the prepared patch p into the contact with its
// address, or creates one: the email reference finds the contact; when a
// concurrent import creates the address first, the patch merges into it.
func (s *Store) upsertByEmail(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, bool, error) {
	var c store.Contact
	var created bool
	err := retry(ctx, func() error {
		var ref emailRef
		_, err := s.get(ctx, emailPK(bu, *p.Email), "#E", &ref)
		switch {
		case err == nil:
			p.ID = ref.Contact
		case errors.Is(err, store.ErrNotFound):
			p.ID = store.NewID("c-")
		default:
			return err
		}
		c, created, err = s.upsert(ctx, bu, p)
		if errors.Is(err, store.ErrEmailTaken) {
			return errCondition // another import created it meanwhile: merge into it
		}
		return err
	})
	return c, created, err
}

// upsert is one read-merge-write attempt: a transaction writes the profile
// (conditional on its revision), moves the email reference and checks the
// suppression list, as store.PlanUpsert decided. It returns errCondition
// when a concurrent write won.
func (s *Store) upsert(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, bool, error) {
	var old store.Contact
	_, err := s.get(ctx, contactPK(bu, p.ID), skProfile, &old)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Contact{}, false, err
	}
	ch, err := store.PlanUpsert(bu, old, err == nil, p, s.now())
	if err != nil {
		return store.Contact{}, false, err
	}
	profile, err := encode(ch.New, attrPK, contactPK(bu, p.ID), attrSK, skProfile,
		attrG1PK, shardPK(bu, store.Shard(p.ID)), attrG1SK, p.ID)
	if err != nil {
		return store.Contact{}, false, err
	}
	put := &types.Put{TableName: s.table, Item: profile, ConditionExpression: aws.String("attribute_not_exists(PK)")}
	if !ch.Created {
		put.ConditionExpression = aws.String("#revision = :rev")
		put.ExpressionAttributeNames = map[string]string{"#revision": "revision"}
		put.ExpressionAttributeValues = item{":rev": number(ch.Old.Revision)}
	}
	tx := []types.TransactWriteItem{{Put: put}}
	reasons := []error{errCondition}
	if ch.ClaimEmail != "" {
		ref, _ := encode(emailRef{Contact: p.ID}, attrPK, emailPK(bu, ch.ClaimEmail), attrSK, "#E")
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: ref,
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR #contact = :id"),
			ExpressionAttributeNames:  map[string]string{"#contact": "contact"},
			ExpressionAttributeValues: item{":id": str(p.ID)}}},
			s.notSuppressed(bu, store.AddressEmail, ch.ClaimEmail))
		reasons = append(reasons, store.ErrEmailTaken, store.ErrSuppressed)
	}
	if ch.ReleaseEmail != "" {
		tx = append(tx, types.TransactWriteItem{Delete: &types.Delete{TableName: s.table, Key: keyOf(emailPK(bu, ch.ReleaseEmail), "#E")}})
		reasons = append(reasons, errCondition)
	}
	if ch.CheckPhone != "" {
		tx = append(tx, s.notSuppressed(bu, store.AddressPhone, ch.CheckPhone))
		reasons = append(reasons, store.ErrSuppressed)
	}
	if err := s.transact(ctx, tx, reasons); err != nil {
		if errors.Is(err, errCondition) && p.ExpectRevision != 0 {
			return store.Contact{}, false, fmt.Errorf("revision changed: %w", store.ErrConflict)
		}
		return store.Contact{}, false, err
	}
	return ch.New, ch.Created, nil
}

func (s *Store) notSuppressed(bu string, kind store.AddressKind, normalised string) types.TransactWriteItem {
	h := s.hasher.Hash(bu, kind, normalised)
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: s.table,
		Key: keyOf(suppressionPK(bu, h), "#S"), ConditionExpression: aws.String("attribute_not_exists(PK)")}}
}

// transact runs a write transaction; when it is cancelled by a failed
// condition, the error of the first failing item (reasons[i]) comes back.
func (s *Store) transact(ctx context.Context, tx []types.TransactWriteItem, reasons []error) error {
	if len(tx) == 1 && tx[0].Put != nil {
		p := tx[0].Put
		_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item,
			ConditionExpression: p.ConditionExpression, ExpressionAttributeNames: p.ExpressionAttributeNames,
			ExpressionAttributeValues: p.ExpressionAttributeValues})
		var ccf *types.ConditionalCheckFailedException
		if errors.As(err, &ccf) {
			return reasons[0]
		}
		return err
	}
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for i, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" && i < len(reasons) {
				return reasons[i]
			}
		}
		return errCondition // a conflicting concurrent transaction: try again
	}
	return err
}

// ListContacts implements store.Contacts: the sparse GSI1 partitions
// B#<bu>#CS#<shard> hold every contact; a segment reads its shards in turn.
func (s *Store) ListContacts(ctx context.Context, bu string, sc store.ContactScan) (store.Page[store.Contact], error) {
	var page store.Page[store.Contact]
	err := sc.Check()
	if err == nil {
		err = store.CheckID("bu", bu)
	}
	if err != nil {
		return page, fmt.Errorf("list contacts: %w", err)
	}
	pg, err := shardedPage[store.Contact](ctx, s, store.ShardsOf(sc.Segment, sc.Segments),
		func(sh int) string { return shardPK(bu, sh) }, sc.Cursor, sc.Limit, nil)
	return pg, wrap(fmt.Sprintf("list contacts segment %d/%d", sc.Segment, sc.Segments), err)
}

// Suppress implements store.Suppressions.
func (s *Store) Suppress(ctx context.Context, bu string, kind store.AddressKind, address string, reason store.SuppressionReason) error {
	sup, err := s.suppression(bu, kind, address)
	if err == nil {
		sup.Reason, sup.At = reason, store.UTC(s.now())
		err = s.putSuppression(ctx, sup)
	}
	return wrap("suppress "+string(kind), err)
}

func (s *Store) putSuppression(ctx context.Context, sup store.Suppression) error {
	it, err := encode(sup, attrPK, suppressionPK(sup.BU, sup.Hash), attrSK, "#S")
	if err == nil {
		err = s.put(ctx, it, "", nil)
	}
	return err
}

// GetSuppression implements store.Suppressions.
func (s *Store) GetSuppression(ctx context.Context, bu string, kind store.AddressKind, address string) (store.Suppression, error) {
	sup, err := s.suppression(bu, kind, address)
	if err == nil {
		_, err = s.get(ctx, suppressionPK(bu, sup.Hash), "#S", &sup)
	}
	if err != nil {
		return store.Suppression{}, fmt.Errorf("get suppression of %s: %w", kind, err)
	}
	return sup, nil
}

func (s *Store) suppression(bu string, kind store.AddressKind, address string) (store.Suppression, error) {
	return store.PrepareSuppression(s.hasher, bu, kind, address)
}

func ownersPK(bu string) string { return buKey(bu, "OWNERS") }

// PutOwner implements store.Contacts.
func (s *Store) PutOwner(ctx context.Context, bu string, o store.Owner) error {
	err := store.CheckIDs("bu", bu, "owner", o.ID)
	if err == nil {
		o.BU = bu
		var it item
		if it, err = encode(o, attrPK, ownersPK(bu), attrSK, o.ID); err == nil {
			err = s.put(ctx, it, "", nil)
		}
	}
	return wrap("put owner "+o.ID, err)
}

// GetOwner implements store.Contacts.
func (s *Store) GetOwner(ctx context.Context, bu, id string) (store.Owner, error) {
	var o store.Owner
	err := store.CheckIDs("bu", bu, "owner", id)
	if err == nil {
		_, err = s.get(ctx, ownersPK(bu), id, &o)
	}
	return o, wrap("get owner "+id, err)
}

// ListOwners implements store.Contacts.
func (s *Store) ListOwners(ctx context.Context, bu string) ([]store.Owner, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, fmt.Errorf("list owners: %w", err)
	}
	out, err := queryAll[store.Owner](ctx, s, partition("", ownersPK(bu), ""))
	return out, wrap("list owners", err)
}

// Erase implements store.Contacts: it suppresses the contact's addresses
// first (so a failure half way never lets the address back in), then
// deletes its partition (profile, interactions, step logs, enrolments), the
// records that name it in GSI2 (approvals, callbacks, sales tasks) and its
// email reference. Running it again finishes an interrupted erasure.
func (s *Store) Erase(ctx context.Context, bu, id string) (store.Erasure, error) {
	var er store.Erasure
	if err := store.CheckIDs("bu", bu, "contact", id); err != nil {
		return er, fmt.Errorf("erase contact: %w", err)
	}
	er, err := s.erase(ctx, bu, id)
	if err != nil {
		return store.Erasure{}, fmt.Errorf("erase contact %s: %w", id, err)
	}
	return er, nil
}

func (s *Store) erase(ctx context.Context, bu, id string) (store.Erasure, error) {
	var er store.Erasure
	var c store.Contact
	_, err := s.get(ctx, contactPK(bu, id), skProfile, &c)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return er, err
	}
	var keys []item
	if err == nil {
		for _, sup := range store.ErasureSuppressions(s.hasher, c, s.now()) {
			if err := s.putSuppression(ctx, sup); err != nil {
				return er, err
			}
		}
		if c.Email != "" {
			keys = append(keys, keyOf(emailPK(bu, c.Email), "#E"))
		}
	}
	err = s.query(ctx, partition("", contactPK(bu, id), ""), func(it item) (bool, error) {
		keys = append(keys, item{attrPK: it[attrPK], attrSK: it[attrSK]})
		if sk, _ := it[attrSK].(*types.AttributeValueMemberS); sk != nil && len(sk.Value) > 2 && sk.Value[:2] == skEnrolment {
			var e store.Enrolment
			if err := decode(it, &e); err != nil {
				return false, err
			}
			if e.Status == store.EnrolmentActive && e.Execution != "" {
				er.Executions = append(er.Executions, e.Execution)
			}
		}
		return true, nil
	})
	if err == nil {
		err = s.query(ctx, partition(indexGSI2, contactPK(bu, id), ""), func(it item) (bool, error) {
			keys = append(keys, item{attrPK: it[attrPK], attrSK: it[attrSK]})
			return true, nil
		})
	}
	if err == nil {
		err = s.batchDelete(ctx, keys)
	}
	if err != nil {
		return er, err
	}
	er.Removed = len(keys)
	if c.Email != "" {
		er.Removed-- // the email reference is part of the profile
	}
	if er.Removed == 0 {
		return er, store.ErrNotFound
	}
	sort.Strings(er.Executions)
	return er, nil
}
