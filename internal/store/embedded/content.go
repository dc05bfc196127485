package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

// PutContent implements store.Contents.
func (s *Store) PutContent(ctx context.Context, bu string, c store.Content) (store.Content, error) {
	c, err := store.PrepareContent(bu, c, s.now())
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bContent)
			if c.Version == 0 {
				c.Version = 1
				_, err := scan(b, prefix(c.BU, string(c.Kind), c.ID, c.Locale), nil, true, func(k, _ []byte) (bool, error) {
					n, err := strconv.Atoi(splitKey(k)[4])
					c.Version = n + 1
					return false, err
				})
				if err != nil {
					return err
				}
			}
			k := key(c.BU, string(c.Kind), c.ID, c.Locale, num(c.Version))
			if b.Get(k) != nil {
				return store.ErrExists
			}
			if err := putJSON(b, k, c); err != nil {
				return err
			}
			return bumpContentRevision(tx, c.BU)
		})
	}
	if err != nil {
		return store.Content{}, fmt.Errorf("put %s %s %s: %w", c.Kind, c.ID, c.Locale, err)
	}
	return c, nil
}

// GetContent implements store.Contents.
func (s *Store) GetContent(ctx context.Context, bu string, kind store.ContentKind, id, locale string, version int) (store.Content, error) {
	var c store.Content
	err := store.CheckID("bu", bu)
	if err == nil {
		err = store.Content{Kind: kind, ID: id, Locale: locale}.Check()
	}
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error {
			for _, owner := range []string{bu, store.SharedBU} {
				err := getContent(tx.Bucket(bContent), owner, kind, id, locale, version, &c)
				if !isNotFound(err) {
					return err
				}
			}
			return store.ErrNotFound
		})
	}
	return c, wrap(fmt.Sprintf("get %s %s %s version %d", kind, id, locale, version), err)
}

func getContent(b *bolt.Bucket, owner string, kind store.ContentKind, id, locale string, version int, c *store.Content) error {
	if version > 0 {
		return getJSON(b, key(owner, string(kind), id, locale, num(version)), c)
	}
	found := false
	_, err := scan(b, prefix(owner, string(kind), id, locale), nil, true, func(_, v []byte) (bool, error) {
		found = true
		return false, json.Unmarshal(v, c)
	})
	if err == nil && !found {
		err = store.ErrNotFound
	}
	return err
}

// ListContent implements store.Contents.
func (s *Store) ListContent(ctx context.Context, bu string) ([]store.Content, error) {
	var out []store.Content
	err := store.CheckID("bu", bu)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error {
			for _, owner := range []string{bu, store.SharedBU} {
				// Keys sort by kind, id, locale, version: the last of each
				// run is the latest version.
				_, err := scan(tx.Bucket(bContent), prefix(owner), nil, false, func(_, v []byte) (bool, error) {
					var c store.Content
					if err := json.Unmarshal(v, &c); err != nil {
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
					return err
				}
			}
			return nil
		})
	}
	store.SortContent(out)
	return out, wrap("list content", err)
}

// PutSegment implements store.Contents.
func (s *Store) PutSegment(ctx context.Context, bu string, sg store.Segment) error {
	err := store.CheckIDs("bu", bu, "segment", sg.Name)
	if err == nil {
		sg.BU, sg.UpdatedAt = bu, store.UTC(s.now())
		err = s.update(ctx, func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bSegments), key(bu, sg.Name), sg) })
	}
	return wrap("put segment "+sg.Name, err)
}

// GetSegment implements store.Contents.
func (s *Store) GetSegment(ctx context.Context, bu, name string) (store.Segment, error) {
	var sg store.Segment
	err := store.CheckIDs("bu", bu, "segment", name)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bSegments), key(bu, name), &sg) })
	}
	return sg, wrap("get segment "+name, err)
}

// ListSegments implements store.Contents.
func (s *Store) ListSegments(ctx context.Context, bu string) ([]store.Segment, error) {
	out, err := listAll[store.Segment](ctx, s, bu, bSegments, prefix(bu))
	return out, wrap("list segments", err)
}

// DeleteSegment implements store.Contents.
func (s *Store) DeleteSegment(ctx context.Context, bu, name string) error {
	err := store.CheckIDs("bu", bu, "segment", name)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bSegments)
			if b.Get(key(bu, name)) == nil {
				return store.ErrNotFound
			}
			return b.Delete(key(bu, name))
		})
	}
	return wrap("delete segment "+name, err)
}

// contentRevisionKey is where an owner's content revision is kept: the
// metadata bucket, beside the suppression key.
func contentRevisionKey(owner string) []byte { return key("content-revision", owner) }

func bumpContentRevision(tx *bolt.Tx, owner string) error {
	b := tx.Bucket(bMeta)
	n := contentRevisionIn(b, owner) + 1
	return b.Put(contentRevisionKey(owner), strconv.AppendInt(nil, n, 10))
}

func contentRevisionIn(b *bolt.Bucket, owner string) int64 {
	n, _ := strconv.ParseInt(string(b.Get(contentRevisionKey(owner))), 10, 64)
	return n
}

// ContentRevision implements store.Contents.
func (s *Store) ContentRevision(ctx context.Context, bu string) (string, error) {
	var token string
	err := store.CheckID("bu", bu)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bMeta)
			token = store.ContentRevisionToken(contentRevisionIn(b, bu), contentRevisionIn(b, store.SharedBU))
			return nil
		})
	}
	return token, wrap("content revision", err)
}
