package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/journeys-oss/journeys/internal/store"
)

// Batch writes. BatchWriteItem takes no condition expressions, so it only
// serves writes that need none: interactions (a new id each, or the same
// id and time again, which replaces an identical item) and erasure's
// deletes. Contact upserts keep their per-contact transaction (revision
// condition, email reference, suppression checks) and enrolments their
// conditional put (the guard against enrolling twice, which must report
// ErrExists per item): those run item by item, batchWorkers at a time.

// batchWorkers is how many requests one batch has in flight.
const batchWorkers = 16

// batchWriteSize is BatchWriteItem's limit of requests per call.
const batchWriteSize = 25

// parallel runs fn for 0..n-1 on up to workers goroutines. The first
// error (or the end of ctx) stops the others and is returned.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var first error
	fail := func(err error) {
		once.Do(func() { first = err })
		cancel()
	}
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := fn(ctx, i); err != nil {
					fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// UpsertContactsByEmail implements store.Contacts: each item is
// UpsertContactByEmail's read and transaction, items in parallel. The
// items of one address go to one worker in order, so they merge in order.
func (s *Store) UpsertContactsByEmail(ctx context.Context, bu string, ps []store.ContactPatch) ([]store.BatchResult, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, fmt.Errorf("upsert contacts by email: %w", err)
	}
	results := make([]store.BatchResult, len(ps))
	prepared := make([]store.ContactPatch, len(ps))
	groups := map[string][]int{}
	var order []string
	for i, p := range ps {
		p, err := store.PrepareByEmail(bu, p)
		if err != nil {
			results[i], _ = store.BatchItem("", false, fmt.Errorf("upsert contact by email: %w", err))
			continue
		}
		prepared[i] = p
		if _, seen := groups[*p.Email]; !seen {
			order = append(order, *p.Email)
		}
		groups[*p.Email] = append(groups[*p.Email], i)
	}
	err := parallel(ctx, len(order), s.txWorkers, func(ctx context.Context, g int) error {
		for _, i := range groups[order[g]] {
			c, created, err := s.upsertByEmail(ctx, bu, prepared[i])
			if err != nil {
				err = fmt.Errorf("upsert contact by email: %w", err)
			}
			r, ok := store.BatchItem(c.ID, created, err)
			if !ok {
				return err
			}
			results[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("upsert contacts by email: %w", err)
	}
	return results, nil
}

// CreateEnrolments implements store.Enrolments: a conditional put per
// item, in parallel. A repeat of an item within the batch is reported as
// existing without a request (as it would be in order).
func (s *Store) CreateEnrolments(ctx context.Context, bu string, es []store.Enrolment) ([]store.BatchResult, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, fmt.Errorf("create enrolments: %w", err)
	}
	results := make([]store.BatchResult, len(es))
	prepared := make([]store.Enrolment, len(es))
	seen := map[string]bool{}
	var toWrite []int
	now := s.now()
	for i, e := range es {
		e, err := store.PrepareEnrolment(bu, e, now)
		if err == nil && seen[k(e.Journey, e.Contact, e.Entry)] {
			err = store.ErrExists
		}
		if err != nil {
			results[i], _ = store.BatchItem("", false, enrolError(e, err))
			continue
		}
		seen[k(e.Journey, e.Contact, e.Entry)] = true
		prepared[i] = e
		toWrite = append(toWrite, i)
	}
	err := parallel(ctx, len(toWrite), batchWorkers, func(ctx context.Context, n int) error {
		e := prepared[toWrite[n]]
		err := s.putEnrolment(ctx, e, 0)
		if errors.Is(err, errCondition) {
			err = store.ErrExists
		}
		if err != nil {
			err = enrolError(e, err)
		}
		r, ok := store.BatchItem("", true, err)
		if !ok {
			return err
		}
		results[toWrite[n]] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create enrolments: %w", err)
	}
	return results, nil
}

func enrolError(e store.Enrolment, err error) error {
	return fmt.Errorf("enrol contact %s in journey %s entry %s: %w", e.Contact, e.Journey, e.Entry, err)
}

// AppendInteractions implements store.Interactions with BatchWriteItem:
// no condition is needed (see above). Two items with the same time and id
// would be one request twice, which BatchWriteItem refuses: the later one
// is kept, as writing them in order would.
func (s *Store) AppendInteractions(ctx context.Context, bu string, is []store.Interaction) error {
	prepared, err := store.PrepareInteractions(bu, is, s.cfg)
	if err != nil {
		return fmt.Errorf("append interactions: %w", err)
	}
	var reqs []types.WriteRequest
	at := map[string]int{}
	for _, i := range prepared {
		sk := skInteraction + k(store.SortableTime(i.At), i.ID)
		it, err := encode(i, attrPK, contactPK(bu, i.Contact), attrSK, sk)
		if err != nil {
			return fmt.Errorf("append interactions: %w", err)
		}
		it[attrRev] = number(1)
		req := types.WriteRequest{PutRequest: &types.PutRequest{Item: withTTL(it, i.ExpiresAt)}}
		key := i.Contact + "\x00" + sk
		if n, dup := at[key]; dup {
			reqs[n] = req
			continue
		}
		at[key] = len(reqs)
		reqs = append(reqs, req)
	}
	return wrap("append interactions", s.batchWrite(ctx, reqs))
}

// batchWrite sends requests batchWriteSize per BatchWriteItem call, up to
// batchWorkers calls at once.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	calls := (len(reqs) + batchWriteSize - 1) / batchWriteSize
	return parallel(ctx, calls, batchWorkers, func(ctx context.Context, c int) error {
		return s.batchWriteCall(ctx, reqs[c*batchWriteSize:min((c+1)*batchWriteSize, len(reqs))])
	})
}

// batchWriteCall writes up to batchWriteSize requests, sending the
// UnprocessedItems DynamoDB hands back (when it throttles) again after an
// exponential backoff with jitter, as the API reference asks.
func (s *Store) batchWriteCall(ctx context.Context, reqs []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{*s.table: reqs}
	for attempt := 0; len(pending[*s.table]) > 0; attempt++ {
		if attempt > 0 {
			if attempt > maxRetries {
				return fmt.Errorf("batch write: %d items still unprocessed after %d attempts", len(pending[*s.table]), attempt)
			}
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
		}
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return err
		}
		pending = out.UnprocessedItems
	}
	return nil
}

// batchGet reads up to 100 items by key in one BatchGetItem call,
// strongly consistent, and asks again for the UnprocessedKeys DynamoDB
// hands back when it throttles. It returns the items found, in no order.
func (s *Store) batchGet(ctx context.Context, keys []item, projection string, names map[string]string) ([]item, error) {
	pending := map[string]types.KeysAndAttributes{*s.table: {
		Keys: keys, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String(projection), ExpressionAttributeNames: names,
	}}
	var found []item
	for attempt := 0; len(pending[*s.table].Keys) > 0; attempt++ {
		if attempt > 0 {
			if attempt > maxRetries {
				return nil, fmt.Errorf("batch get: %d keys still unprocessed after %d attempts", len(pending[*s.table].Keys), attempt)
			}
			if err := backoff(ctx, attempt); err != nil {
				return nil, err
			}
		}
		out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
		if err != nil {
			return nil, err
		}
		found = append(found, out.Responses[*s.table]...)
		pending = out.UnprocessedKeys
	}
	return found, nil
}
