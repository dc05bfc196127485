package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/journeys-oss/journeys/internal/store"
)

func contentPK(owner string) string { return buKey(owner, "CONTENT") }

func contentPrefix(kind store.ContentKind, id, locale string) string {
	return k(string(kind), id, locale) + "#"
}

// PutContent implements store.Contents.
func (s *Store) PutContent(ctx context.Context, bu string, c store.Content) (store.Content, error) {
	c, err := store.PrepareContent(bu, c, s.now())
	if err == nil {
		auto := c.Version == 0
		err = retry(ctx, func() error {
			if auto {
				latest, err := s.latestContent(ctx, c.BU, c.Kind, c.ID, c.Locale)
				switch {
				case errors.Is(err, store.ErrNotFound):
					c.Version = 1
				case err != nil:
					return err
				default:
					c.Version = latest.Version + 1
				}
			}
			it, err := encode(c, attrPK, contentPK(c.BU), attrSK, contentPrefix(c.Kind, c.ID, c.Locale)+num(c.Version))
			if err != nil {
				return err
			}
			err = s.putContent(ctx, c.BU, it)
			if errors.Is(err, errCondition) && !auto {
				return store.ErrExists
			}
			return err // errCondition: another writer took the number; number again
		})
	}
	if err != nil {
		return store.Content{}, fmt.Errorf("put %s %s %s: %w", c.Kind, c.ID, c.Locale, err)
	}
	return c, nil
}

func contentRevisionPK(owner string) string { return buKey(owner, "CONTENTREV") }

// attrPuts counts an owner's content puts in its revision item.
const attrPuts = "puts"

// putContent writes a new content version and counts it in the owner's
// revision, in one transaction: a cache that finds the revision unchanged
// has seen every version. errCondition when the version is taken.
func (s *Store) putContent(ctx context.Context, owner string, it item) error {
	it[attrRev] = number(1)
	tx := []types.TransactWriteItem{
		{Put: &types.Put{TableName: s.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Update: &types.Update{TableName: s.table, Key: keyOf(contentRevisionPK(owner), "#R"),
			UpdateExpression:          aws.String("ADD #puts :one"),
			ExpressionAttributeNames:  map[string]string{"#puts": attrPuts},
			ExpressionAttributeValues: item{":one": number(1)}}},
	}
	return s.transact(ctx, tx, []error{errCondition, errCondition})
}

// ContentRevision implements store.Contents.
func (s *Store) ContentRevision(ctx context.Context, bu string) (string, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return "", fmt.Errorf("content revision: %w", err)
	}
	// Both counters in one round trip: every send reads them once a minute.
	owners := [2]string{bu, store.SharedBU}
	its, err := s.batchGet(ctx, []item{keyOf(contentRevisionPK(owners[0]), "#R"), keyOf(contentRevisionPK(owners[1]), "#R")},
		"#pk, #puts", map[string]string{"#pk": attrPK, "#puts": attrPuts})
	if err != nil {
		return "", fmt.Errorf("content revision: %w", err)
	}
	var puts [2]int64
	for _, it := range its {
		n, ok := it[attrPuts].(*types.AttributeValueMemberN)
		pk, _ := it[attrPK].(*types.AttributeValueMemberS)
		if !ok || pk == nil {
			continue
		}
		for i, owner := range owners {
			if pk.Value == contentRevisionPK(owner) {
				puts[i], _ = strconv.ParseInt(n.Value, 10, 64)
			}
		}
	}
	return store.ContentRevisionToken(puts[0], puts[1]), nil
}

func (s *Store) latestContent(ctx context.Context, owner string, kind store.ContentKind, id, locale string) (store.Content, error) {
	var c store.Content
	in := partition("", contentPK(owner), contentPrefix(kind, id, locale))
	in.ScanIndexForward, in.Limit = aws.Bool(false), aws.Int32(1)
	found := false
	err := s.query(ctx, in, func(it item) (bool, error) {
		found = true
		return false, decode(it, &c)
	})
	if err == nil && !found {
		err = store.ErrNotFound
	}
	return c, err
}

// GetContent implements store.Contents.
func (s *Store) GetContent(ctx context.Context, bu string, kind store.ContentKind, id, locale string, version int) (store.Content, error) {
	var c store.Content
	err := store.CheckID("bu", bu)
	if err == nil {
		err = store.Content{Kind: kind, ID: id, Locale: locale}.Check()
	}
	if err == nil {
		for _, owner := range []string{bu, store.SharedBU} {
			if version > 0 {
				_, err = s.get(ctx, contentPK(owner), contentPrefix(kind, id, locale)+num(version), &c)
			} else {
				c, err = s.latestContent(ctx, owner, kind, id, locale)
			}
			if !errors.Is(err, store.ErrNotFound) {
				break
			}
		}
	}
	return c, wrap(fmt.Sprintf("get %s %s %s version %d", kind, id, locale, version), err)
}

// ListContent implements store.Contents.
func (s *Store) ListContent(ctx context.Context, bu string) ([]store.Content, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, fmt.Errorf("list content: %w", err)
	}
	var out []store.Content
	for _, owner := range []string{bu, store.SharedBU} {
		// Sort keys run by kind, id, locale, version: the last of each run
		// is the latest version.
		err := s.query(ctx, partition("", contentPK(owner), ""), func(it item) (bool, error) {
			var c store.Content
			if err := decode(it, &c); err != nil {
				return false, err
			}
			if n := len(out); n > 0 && out[n-1].BU == c.BU && out[n-1].Kind == c.Kind && out[n-1].ID == c.ID && out[n-1].Locale == c.Locale {
				out[n-1] = c
			} else {
				out = append(out, c)
			}
			return true, nil
		})
		if err != nil {
			return nil, fmt.Errorf("list content: %w", err)
		}
	}
	store.SortContent(out)
	return out, nil
}

func segmentsPK(bu string) string { return buKey(bu, "SEGMENTS") }

// PutSegment implements store.Contents.
func (s *Store) PutSegment(ctx context.Context, bu string, sg store.Segment) error {
	err := store.CheckIDs("bu", bu, "segment", sg.Name)
	if err == nil {
		sg.BU, sg.UpdatedAt = bu, store.UTC(s.now())
		var it item
		if it, err = encode(sg, attrPK, segmentsPK(bu), attrSK, sg.Name); err == nil {
			err = s.put(ctx, it, "", nil)
		}
	}
	return wrap("put segment "+sg.Name, err)
}

// GetSegment implements store.Contents.
func (s *Store) GetSegment(ctx context.Context, bu, name string) (store.Segment, error) {
	var sg store.Segment
	err := store.CheckIDs("bu", bu, "segment", name)
	if err == nil {
		_, err = s.get(ctx, segmentsPK(bu), name, &sg)
	}
	return sg, wrap("get segment "+name, err)
}

// ListSegments implements store.Contents.
func (s *Store) ListSegments(ctx context.Context, bu string) ([]store.Segment, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	out, err := queryAll[store.Segment](ctx, s, partition("", segmentsPK(bu), ""))
	return out, wrap("list segments", err)
}

// DeleteSegment implements store.Contents.
func (s *Store) DeleteSegment(ctx context.Context, bu, name string) error {
	err := store.CheckIDs("bu", bu, "segment", name)
	if err == nil {
		err = s.deleteExisting(ctx, segmentsPK(bu), name)
	}
	return wrap("delete segment "+name, err)
}
