// Package dynamo implements store.Store on one Amazon DynamoDB table (a
// single-table design; docs/data-model.md derives its keys and indexes
// from the access patterns). It takes a *dynamodb.Client the caller built
// and a table name; it loads no configuration and reads no environment.
//
// Conditional writes map ConditionalCheckFailedException (and cancelled
// transactions) to the store's sentinel errors. Expired records are hidden
// on read, because DynamoDB's TTL deletes them only eventually (and moto
// never). Reads of items by key are strongly consistent; the by-contact and
// overloaded indexes are eventually consistent, as GSIs are. The queue and
// KV interfaces of the local runtime are not implemented here: deployments
// use Amazon SQS, and Step Functions keeps its own state.
//
// A *Store is safe for concurrent use.
package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/journeys-oss/journeys/internal/store"
)

var _ store.Store = (*Store)(nil)

// Store is the DynamoDB adapter. Create it with New.
type Store struct {
	db        *dynamodb.Client
	table     *string
	cfg       store.Config
	now       func() time.Time
	hasher    *store.AddressHasher
	txWorkers int // contact transactions of a batch in flight
}

// An Option tunes the adapter.
type Option func(*Store)

// WithTransactWorkers sets how many contact transactions of one
// UpsertContactsByEmail batch run at once (default 16, at least 1).
// DynamoDB runs transactions on different items in parallel; moto copies
// the whole table in each transaction and fails under concurrent ones, so
// tests against moto set 1.
func WithTransactWorkers(n int) Option {
	return func(s *Store) { s.txWorkers = max(n, 1) }
}

// New returns the adapter for table. cfg.SuppressionKey is required: it is
// the secret of the hashes suppressed addresses are stored under, and must
// stay the same for the table's life.
func New(client *dynamodb.Client, table string, cfg store.Config, opts ...Option) (*Store, error) {
	if client == nil || table == "" || len(cfg.SuppressionKey) == 0 {
		return nil, fmt.Errorf("dynamo store: a client, a table name and a suppression key are needed: %w", store.ErrInvalid)
	}
	s := &Store{db: client, table: aws.String(table), cfg: cfg, now: cfg.Clock(), hasher: store.NewAddressHasher(cfg.SuppressionKey), txWorkers: batchWorkers}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// item is one DynamoDB item.
type item = map[string]types.AttributeValue

// Attribute names of the keys, indexes and TTL (template-fragments/store.yaml
// declares the same; the key design test compares them).
const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrG1PK   = "GSI1PK"
	attrG1SK   = "GSI1SK"
	attrG2PK   = "GSI2PK"
	attrG2SK   = "GSI2SK"
	attrTTL    = "ttl" // epoch seconds; DynamoDB's TTL deletes the item after it
	attrRev    = "rev" // write counter for optimistic concurrency
	indexGSI1  = "GSI1"
	indexGSI2  = "GSI2"
	maxRetries = 8
)

// KeySchema describes the table as the adapter uses it, for the key design
// test to compare with the template.
type KeySchema struct {
	PK, SK, TTL string
	Indexes     map[string][2]string // index name → hash, range attribute
}

// Schema returns the key schema the adapter expects of its table.
func Schema() KeySchema {
	return KeySchema{PK: attrPK, SK: attrSK, TTL: attrTTL, Indexes: map[string][2]string{
		indexGSI1: {attrG1PK, attrG1SK},
		indexGSI2: {attrG2PK, attrG2SK},
	}}
}

// k joins key parts with '#'.
func k(parts ...string) string { return strings.Join(parts, "#") }

// buKey is the partition of a business unit's record: B#<bu>#<parts...>.
func buKey(bu string, parts ...string) string { return k(append([]string{"B", bu}, parts...)...) }

func num(n int) string { return fmt.Sprintf("%010d", n) }

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func number(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(n)}
}

// encode marshals a record (by its json tags) and adds the key attributes
// given as name, value pairs (empty values are left out).
func encode(v any, keys ...string) (item, error) {
	it, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(keys); i += 2 {
		if keys[i+1] != "" {
			it[keys[i]] = str(keys[i+1])
		}
	}
	return it, nil
}

// decode unmarshals an item into a record.
func decode(it item, v any) error {
	return attributevalue.UnmarshalMapWithOptions(it, v, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
}

// withTTL sets the TTL attribute from an expiry (none when zero).
func withTTL(it item, expires time.Time) item {
	if !expires.IsZero() {
		it[attrTTL] = number(expires.Unix() + 1)
	}
	return it
}

func keyOf(pk, sk string) item { return item{attrPK: str(pk), attrSK: str(sk)} }

// get reads one item with a strongly consistent read: ErrNotFound if absent.
func (s *Store) get(ctx context.Context, pk, sk string, v any) (rev int64, err error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: keyOf(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, err
	}
	if out.Item == nil {
		return 0, store.ErrNotFound
	}
	return revOf(out.Item), decode(out.Item, v)
}

func revOf(it item) int64 {
	if n, ok := it[attrRev].(*types.AttributeValueMemberN); ok {
		r, _ := strconv.ParseInt(n.Value, 10, 64)
		return r
	}
	return 0
}

// errCondition is what put returns when its condition failed; callers turn
// it into the right sentinel.
var errCondition = errors.New("condition failed")

// putNew writes an item that must not exist yet (ErrExists otherwise).
func (s *Store) putNew(ctx context.Context, it item) error {
	it[attrRev] = number(1)
	err := s.put(ctx, it, "attribute_not_exists(PK)", nil)
	if errors.Is(err, errCondition) {
		return store.ErrExists
	}
	return err
}

// putAppended writes a new record of an append-only kind. With an id
// generated here (random, 128 bits) the key was never used before, so a
// condition failure can only be this very write landing twice: the SDK
// retried a PutItem whose answer was lost (a timeout, a bad checksum).
// That is success, not ErrExists. A caller's own id keeps ErrExists, so
// the caller recognises the duplicate it meant to detect.
func (s *Store) putAppended(ctx context.Context, it item, generatedID bool) error {
	err := s.putNew(ctx, it)
	if generatedID && errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

// putRev writes an item if its stored write counter is still rev (0: it
// must not exist), with the counter incremented. errCondition otherwise.
func (s *Store) putRev(ctx context.Context, it item, rev int64) error {
	it[attrRev] = number(rev + 1)
	if rev == 0 {
		return s.put(ctx, it, "attribute_not_exists(PK)", nil)
	}
	return s.put(ctx, it, "#rev = :rev", item{":rev": number(rev)})
}

func (s *Store) put(ctx context.Context, it item, cond string, values item) error {
	in := &dynamodb.PutItemInput{TableName: s.table, Item: it}
	if cond != "" {
		in.ConditionExpression = aws.String(cond)
		if values != nil {
			in.ExpressionAttributeNames = map[string]string{"#rev": attrRev}
			in.ExpressionAttributeValues = values
		}
	}
	_, err := s.db.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return errCondition
	}
	return err
}

// deleteRev deletes an item if its write counter is still rev.
func (s *Store) deleteRev(ctx context.Context, pk, sk string, rev int64) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: s.table, Key: keyOf(pk, sk),
		ConditionExpression:       aws.String("#rev = :rev"),
		ExpressionAttributeNames:  map[string]string{"#rev": attrRev},
		ExpressionAttributeValues: item{":rev": number(rev)},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return errCondition
	}
	return err
}

// retry runs a read-modify-write attempt until it wins or fails for a
// reason other than a concurrent write: fn reads, decides and writes with
// putRev, returning errCondition when another writer got there first.
func retry(ctx context.Context, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if !errors.Is(err, errCondition) {
			return err
		}
		if attempt == maxRetries {
			return fmt.Errorf("gave up after %d concurrent writes: %w", attempt, store.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// backoff waits between half and all of 5ms·2^attempt (at most 1s), or
// until ctx ends. The random half spreads out writers that failed together
// (racing conditional writes, a throttled batch's parallel calls).
func backoff(ctx context.Context, attempt int) error {
	d := min(5*time.Millisecond<<attempt, time.Second)
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// query runs a query page by page and calls fn for each item until fn
// returns false.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, fn func(item) (bool, error)) error {
	in.TableName = s.table
	for {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return err
		}
		for _, it := range out.Items {
			more, err := fn(it)
			if err != nil || !more {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// queryAll decodes every item of a query into records of type T.
func queryAll[T any](ctx context.Context, s *Store, in *dynamodb.QueryInput) ([]T, error) {
	var out []T
	err := s.query(ctx, in, func(it item) (bool, error) {
		var r T
		err := decode(it, &r)
		out = append(out, r)
		return true, err
	})
	return out, err
}

// partition is a query input for every item of pk whose sort key begins
// with skPrefix (all when empty), consistent unless on an index.
func partition(index, pk, skPrefix string) *dynamodb.QueryInput {
	pkAttr, skAttr := attrPK, attrSK
	switch index {
	case indexGSI1:
		pkAttr, skAttr = attrG1PK, attrG1SK
	case indexGSI2:
		pkAttr, skAttr = attrG2PK, attrG2SK
	}
	in := &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkAttr},
		ExpressionAttributeValues: item{":pk": str(pk)},
	}
	if skPrefix != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :sk)")
		in.ExpressionAttributeNames["#sk"] = skAttr
		in.ExpressionAttributeValues[":sk"] = str(skPrefix)
	}
	if index != "" {
		in.IndexName = aws.String(index)
	} else {
		in.ConsistentRead = aws.Bool(true)
	}
	return in
}

// cursor is the opaque page cursor: the query's last evaluated key (all
// key attributes are strings) and, for sharded listings, the shard.
type cursor struct {
	Shard int               `json:"s,omitempty"`
	Key   map[string]string `json:"k"`
}

func encodeCursor(shard int, lek item) string {
	if len(lek) == 0 {
		return ""
	}
	c := cursor{Shard: shard, Key: map[string]string{}}
	for name, v := range lek {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			c.Key[name] = sv.Value
		}
	}
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeCursor returns a cursor's start key, which must belong to the
// partition being queried (attribute pkAttr equal to pk): a cursor of
// another business unit or query is ErrInvalid.
func decodeCursor(s, pkAttr, pk string) (item, error) {
	c, err := parseCursor(s)
	if err != nil || c == nil {
		return nil, err
	}
	if c.Key[pkAttr] != pk {
		return nil, fmt.Errorf("cursor: %w", store.ErrInvalid)
	}
	return c.start(), nil
}

func parseCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	var c cursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		return nil, fmt.Errorf("cursor: %w", store.ErrInvalid)
	}
	return &c, nil
}

// start is the cursor's key as an ExclusiveStartKey.
func (c *cursor) start() item {
	start := item{}
	for name, v := range c.Key {
		start[name] = str(v)
	}
	return start
}

// queryPage reads up to limit items of a query from start, decoding them
// and keeping those keep accepts (expired ones are not). It returns the
// key to continue from when the page is full and the query has more.
func queryPage[T any](ctx context.Context, s *Store, in *dynamodb.QueryInput, start item, limit int, keep func(T) bool) ([]T, item, error) {
	var items []T
	in.TableName, in.ExclusiveStartKey = s.table, start
	for {
		in.Limit = aws.Int32(int32(limit - len(items)))
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		for _, it := range out.Items {
			var r T
			if err := decode(it, &r); err != nil {
				return nil, nil, err
			}
			if keep == nil || keep(r) {
				items = append(items, r)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil, nil
		}
		if len(items) >= limit {
			return items, out.LastEvaluatedKey, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// page reads one page of the partition pk (attribute pkAttr) of a query.
func page[T any](ctx context.Context, s *Store, in *dynamodb.QueryInput, pkAttr, pk, cur string, limit int, keep func(T) bool) (store.Page[T], error) {
	start, err := decodeCursor(cur, pkAttr, pk)
	if err != nil {
		return store.Page[T]{}, err
	}
	items, lek, err := queryPage(ctx, s, in, start, store.PageLimit(limit), keep)
	return store.Page[T]{Items: items, Next: encodeCursor(0, lek)}, err
}

// shardedPage reads one page over several GSI1 partitions (shards), one
// after the other; the cursor says which shard it stopped in.
func shardedPage[T any](ctx context.Context, s *Store, shards []int, pkOf func(int) string, cur string, limit int, keep func(T) bool) (store.Page[T], error) {
	var pg store.Page[T]
	first, start := 0, item(nil)
	if c, err := parseCursor(cur); err != nil {
		return pg, err
	} else if c != nil {
		first = -1
		for i, sh := range shards {
			if sh == c.Shard && c.Key[attrG1PK] == pkOf(sh) {
				first = i
			}
		}
		if first < 0 {
			return pg, fmt.Errorf("cursor: %w", store.ErrInvalid)
		}
		if len(c.Key) > 1 {
			start = c.start()
		}
	}
	limit = store.PageLimit(limit)
	for i := first; i < len(shards); i++ {
		pk := pkOf(shards[i])
		items, lek, err := queryPage(ctx, s, partition(indexGSI1, pk, ""), start, limit-len(pg.Items), keep)
		if err != nil {
			return store.Page[T]{}, err
		}
		start = nil
		pg.Items = append(pg.Items, items...)
		if lek != nil {
			pg.Next = encodeCursor(shards[i], lek)
			return pg, nil
		}
		if len(pg.Items) >= limit && i+1 < len(shards) {
			pg.Next = encodeCursor(shards[i+1], item{attrG1PK: str(pkOf(shards[i+1]))})
			return pg, nil
		}
	}
	return pg, nil
}

// batchDelete deletes items by key with BatchWriteItem (batchWrite).
func (s *Store) batchDelete(ctx context.Context, keys []item) error {
	reqs := make([]types.WriteRequest, len(keys))
	for i, key := range keys {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key}}
	}
	return s.batchWrite(ctx, reqs)
}

// wrap adds context to a non-nil error.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// deleteExisting deletes an item that must exist (ErrNotFound otherwise).
func (s *Store) deleteExisting(ctx context.Context, pk, sk string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: s.table, Key: keyOf(pk, sk), ConditionExpression: aws.String("attribute_exists(PK)"),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return store.ErrNotFound
	}
	return err
}

// deleteOwnKey deletes an API key item only if it belongs to bu.
func deleteOwnKey(table *string, pk, bu string) *dynamodb.DeleteItemInput {
	return &dynamodb.DeleteItemInput{
		TableName: table, Key: keyOf(pk, "#KEY"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND #bu = :bu"),
		ExpressionAttributeNames:  map[string]string{"#bu": "bu"},
		ExpressionAttributeValues: item{":bu": str(bu)},
	}
}

// conditionToNotFound reports a failed existence condition as ErrNotFound.
func conditionToNotFound(err error) error {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return store.ErrNotFound
	}
	return err
}
