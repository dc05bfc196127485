package lambdamain

import (
	"context"
	"errors"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// pinnedKey names one version as a business unit sees it.
type pinnedKey struct {
	bu string
	contentKey
	version int
}

// pinnedEntry is a version read from the store: found (kept until evicted,
// versions being immutable) or missing (c nil, kept until expires).
type pinnedEntry struct {
	key     pinnedKey
	c       *store.Content
	expires time.Time
	size    int
}

// pinnedOverhead is what an entry costs beyond its text, so that misses
// and empty bodies count too.
const pinnedOverhead = 256

func contentSize(c *store.Content) int {
	n := pinnedOverhead
	if c == nil {
		return n
	}
	n += len(c.Body) + len(c.ID) + len(c.Locale) + len(c.BU) + len(c.Channel)
	for k, v := range c.Fields {
		n += len(k) + len(v)
	}
	return n
}

// getPinned reads a version the listing cannot answer, through the cache
// of pinned versions.
func (s *StoreContent) getPinned(ctx context.Context, bu string, kind store.ContentKind, id, locale string, version int) (store.Content, error) {
	key := pinnedKey{bu, contentKey{kind, id, locale}, version}
	now := s.cfg.Now()
	s.mu.Lock()
	el, ok := s.byKey[key]
	if ok {
		e := el.Value.(*pinnedEntry)
		if e.c != nil || now.Before(e.expires) {
			s.pinned.MoveToFront(el)
			s.mu.Unlock()
			if e.c == nil {
				return store.Content{}, store.ErrNotFound
			}
			return *e.c, nil
		}
	}
	s.mu.Unlock()
	c, err := s.store.GetContent(ctx, bu, kind, id, locale, version)
	switch {
	case err == nil:
		s.pin(&pinnedEntry{key: key, c: &c})
	case errors.Is(err, store.ErrNotFound):
		s.pin(&pinnedEntry{key: key, expires: now.Add(s.cfg.TTL)})
	}
	return c, err
}

// pin adds an entry, replacing one of the same key, and evicts the least
// recently used beyond MaxBytes.
func (s *StoreContent) pin(e *pinnedEntry) {
	e.size = contentSize(e.c)
	if e.size > s.cfg.MaxBytes {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byKey[e.key]; ok {
		s.pinSize -= old.Value.(*pinnedEntry).size
		s.pinned.Remove(old)
	}
	s.byKey[e.key] = s.pinned.PushFront(e)
	s.pinSize += e.size
	for s.pinSize > s.cfg.MaxBytes {
		last := s.pinned.Back()
		old := last.Value.(*pinnedEntry)
		s.pinned.Remove(last)
		delete(s.byKey, old.key)
		s.pinSize -= old.size
	}
}
