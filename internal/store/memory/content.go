package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/journeys-oss/journeys/internal/store"
)

// contents keeps content versions and segments.
type contents struct {
	mu       sync.RWMutex
	versions map[contentKey][]store.Content // versions by number
	revs     map[string]int64               // puts by owner (a bu or SharedBU)
	segments map[idKey]store.Segment
}

// contentKey names one content in one locale of an owner (a bu or
// store.SharedBU).
type contentKey struct {
	owner  string
	kind   store.ContentKind
	id     string
	locale string
}

func cloneContent(c store.Content) store.Content {
	c.Fields = maps.Clone(c.Fields)
	return c
}

// PutContent implements store.Contents.
func (s *Store) PutContent(ctx context.Context, bu string, c store.Content) (store.Content, error) {
	c, err := store.PrepareContent(bu, c, s.now())
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		c = cloneContent(c)
		s.content.mu.Lock()
		k := contentKey{c.BU, c.Kind, c.ID, c.Locale}
		vs := s.content.versions[k]
		if c.Version == 0 {
			c.Version = 1
			if n := len(vs); n > 0 {
				c.Version = vs[n-1].Version + 1
			}
		}
		i, taken := slices.BinarySearchFunc(vs, c.Version, func(v store.Content, n int) int { return v.Version - n })
		if taken {
			err = store.ErrExists
		} else {
			if s.content.versions == nil {
				s.content.versions = map[contentKey][]store.Content{}
			}
			s.content.versions[k] = slices.Insert(vs, i, c)
			if s.content.revs == nil {
				s.content.revs = map[string]int64{}
			}
			s.content.revs[c.BU]++
		}
		s.content.mu.Unlock()
	}
	if err != nil {
		return store.Content{}, fmt.Errorf("put %s %s %s: %w", c.Kind, c.ID, c.Locale, err)
	}
	return cloneContent(c), nil
}

// GetContent implements store.Contents.
func (s *Store) GetContent(ctx context.Context, bu string, kind store.ContentKind, id, locale string, version int) (store.Content, error) {
	err := store.CheckID("bu", bu)
	if err == nil {
		err = store.Content{Kind: kind, ID: id, Locale: locale}.Check()
	}
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		s.content.mu.RLock()
		defer s.content.mu.RUnlock()
		for _, owner := range []string{bu, store.SharedBU} {
			vs := s.content.versions[contentKey{owner, kind, id, locale}]
			if version == 0 && len(vs) > 0 {
				return cloneContent(vs[len(vs)-1]), nil
			}
			if i, ok := slices.BinarySearchFunc(vs, version, func(v store.Content, n int) int { return v.Version - n }); ok {
				return cloneContent(vs[i]), nil
			}
		}
		err = store.ErrNotFound
	}
	return store.Content{}, fmt.Errorf("get %s %s %s version %d: %w", kind, id, locale, version, err)
}

// ListContent implements store.Contents.
func (s *Store) ListContent(ctx context.Context, bu string) ([]store.Content, error) {
	if err := checkBU(ctx, bu); err != nil {
		return nil, fmt.Errorf("list content: %w", err)
	}
	var out []store.Content
	s.content.mu.RLock()
	for k, vs := range s.content.versions {
		if (k.owner == bu || k.owner == store.SharedBU) && len(vs) > 0 {
			out = append(out, cloneContent(vs[len(vs)-1]))
		}
	}
	s.content.mu.RUnlock()
	store.SortContent(out) // a total order: at most one own and one shared per name

	return out, nil
}

// PutSegment implements store.Contents.
func (s *Store) PutSegment(ctx context.Context, bu string, sg store.Segment) error {
	err := store.CheckIDs("bu", bu, "segment", sg.Name)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return fmt.Errorf("put segment %s: %w", sg.Name, err)
	}
	sg.BU, sg.UpdatedAt = bu, store.UTC(s.now())
	s.content.mu.Lock()
	defer s.content.mu.Unlock()
	if s.content.segments == nil {
		s.content.segments = map[idKey]store.Segment{}
	}
	s.content.segments[idKey{bu, sg.Name}] = sg
	return nil
}

// GetSegment implements store.Contents.
func (s *Store) GetSegment(ctx context.Context, bu, name string) (store.Segment, error) {
	return lookup(ctx, &s.content.mu, s.content.segments, bu, "segment", name)
}

// ListSegments implements store.Contents.
func (s *Store) ListSegments(ctx context.Context, bu string) ([]store.Segment, error) {
	if err := checkBU(ctx, bu); err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	s.content.mu.RLock()
	defer s.content.mu.RUnlock()
	return sortedValues(s.content.segments, bu, func(sg store.Segment) string { return sg.Name }), nil
}

// DeleteSegment implements store.Contents.
func (s *Store) DeleteSegment(ctx context.Context, bu, name string) error {
	err := store.CheckIDs("bu", bu, "segment", name)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err == nil {
		s.content.mu.Lock()
		if _, ok := s.content.segments[idKey{bu, name}]; ok {
			delete(s.content.segments, idKey{bu, name})
		} else {
			err = store.ErrNotFound
		}
		s.content.mu.Unlock()
	}
	return wrap("delete segment "+name, err)
}

// wrap adds context to a non-nil error.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ContentRevision implements store.Contents.
func (s *Store) ContentRevision(ctx context.Context, bu string) (string, error) {
	if err := checkBU(ctx, bu); err != nil {
		return "", fmt.Errorf("content revision: %w", err)
	}
	s.content.mu.RLock()
	defer s.content.mu.RUnlock()
	return store.ContentRevisionToken(s.content.revs[bu], s.content.revs[store.SharedBU]), nil
}
