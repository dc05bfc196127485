package lambdamain

import (
	"container/list"
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/store"
)

// DefaultContentTTL is how long a business unit's content listing answers
// "latest" lookups before it is read again (CONTENT_CACHE_TTL).
const DefaultContentTTL = time.Minute

// DefaultContentCacheBytes bounds the cache of pinned versions that the
// listing does not hold (old versions), by body and field size.
const DefaultContentCacheBytes = 8 << 20

// ContentCache configures the cache of a StoreContent.
type ContentCache struct {
	// TTL is how long a business unit's listing (one ListContent: the
	// latest version of each template and block, with bodies) answers
	// latest lookups, locale fallbacks and List without asking the store,
	// and how long a pinned version found missing stays missing. After
	// it, the store's content revision (one small read) says whether the
	// listing must be read again. Zero turns caching off: every lookup
	// asks the store.
	TTL time.Duration
	// MaxBytes bounds the pinned versions kept beside the listings
	// (least recently used go first; 0: DefaultContentCacheBytes).
	MaxBytes int
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// StoreContent serves templates and blocks from the store, as deployed
// functions read them. A template record keeps its main part in Body (the
// HTML of an email, the text of an SMS, the payload of a custom message)
// and the rest in Fields: subject, preheader, text (an email's own text
// part), kind, topic, tracking ("false" turns it off), description; a
// block's params are Fields["params"], comma-separated. ContentRecord
// writes this form.
//
// With a TTL it caches: a business unit's content is read with one
// ListContent and answers latest lookups and the locale chain's misses
// until the TTL passes, so content published since shows up within it;
// then the listing is read again only if the content revision changed.
// Versions are immutable, so a pinned version read from the store is kept
// for the life of the process (within MaxBytes). Generation tells
// handler.ContentRenderers when to recompile a unit's templates, so a
// warm process renders newly published content within the TTL too. It is
// safe for concurrent use; one load per business unit runs at a time.
type StoreContent struct {
	store ContentStore
	cfg   ContentCache

	mu      sync.Mutex
	units   map[string]*unitContent
	pinned  *list.List // of *pinnedEntry, most recently used first
	byKey   map[pinnedKey]*list.Element
	pinSize int
}

var (
	_ content.Source             = (*StoreContent)(nil)
	_ handler.ContentGenerations = (*StoreContent)(nil)
)

// NewStoreContent returns the content source over st.
func NewStoreContent(st ContentStore, c ContentCache) *StoreContent {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultContentCacheBytes
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &StoreContent{store: st, cfg: c, units: map[string]*unitContent{}, pinned: list.New(), byKey: map[pinnedKey]*list.Element{}}
}

// contentKey names one content variant of a business unit's view.
type contentKey struct {
	kind       store.ContentKind
	id, locale string
}

// variants are the latest own and shared versions of one content variant.
type variants struct{ own, shared *store.Content }

// listing is one ListContent of a business unit.
type listing struct {
	at     time.Time
	rev    string // the store's ContentRevision when it was read
	all    []store.Content
	latest map[contentKey]variants
	sig    uint64 // hash of what is latest
	gen    uint64 // counts the listings with a new sig
}

// unitContent holds a business unit's listing; load serialises its reads.
type unitContent struct {
	load sync.Mutex
	l    *listing // guarded by StoreContent.mu
}

func (s *StoreContent) fresh(l *listing) bool {
	return l != nil && s.cfg.Now().Sub(l.at) < s.cfg.TTL
}

// listing returns bu's listing; when it is older than the TTL, it asks the
// store's content revision and reads the listing again only when that
// changed. Callers wanting the same business unit wait for one read.
func (s *StoreContent) listing(ctx context.Context, bu string) (*listing, error) {
	s.mu.Lock()
	u := s.units[bu]
	if u == nil {
		u = &unitContent{}
		s.units[bu] = u
	}
	l := u.l
	s.mu.Unlock()
	if s.fresh(l) {
		return l, nil
	}
	u.load.Lock()
	defer u.load.Unlock()
	s.mu.Lock()
	l = u.l
	s.mu.Unlock()
	if s.fresh(l) {
		return l, nil // another caller read it meanwhile
	}
	at := s.cfg.Now()
	// The revision is read before the listing: content put in between
	// changes it again, so the next check lists again.
	rev, err := s.store.ContentRevision(ctx, bu)
	if err != nil {
		return nil, err
	}
	if l != nil && l.rev == rev {
		// Nothing was put since: the listing stays, one small read later.
		renewed := *l
		renewed.at = at
		s.mu.Lock()
		u.l = &renewed
		s.mu.Unlock()
		return &renewed, nil
	}
	all, err := s.store.ListContent(ctx, bu)
	if err != nil {
		return nil, err
	}
	l = &listing{at: at, rev: rev, all: all, latest: make(map[contentKey]variants, len(all))}
	for i := range all {
		c := &all[i]
		k := contentKey{c.Kind, c.ID, c.Locale}
		v := l.latest[k]
		if c.Shared {
			v.shared = c
		} else {
			v.own = c
		}
		l.latest[k] = v
	}
	l.sig, l.gen = signature(all), 1
	s.mu.Lock()
	if prev := u.l; prev != nil {
		l.gen = prev.gen
		if prev.sig != l.sig {
			l.gen++
		}
	}
	u.l = l
	s.mu.Unlock()
	return l, nil
}

// signature hashes the versions a listing names.
func signature(all []store.Content) uint64 {
	h := fnv.New64a()
	for _, c := range all {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00", c.BU, c.Kind, c.ID, c.Locale, c.Version)
	}
	return h.Sum64()
}

// Generation implements handler.ContentGenerations: it changes when a
// listing of bu, read again after the TTL (every call without one), names
// other versions than the one before.
func (s *StoreContent) Generation(ctx context.Context, bu string) (uint64, error) {
	l, err := s.listing(ctx, bu)
	if err != nil {
		return 0, err
	}
	return l.gen, nil
}

// list serves List: the store's listing, cached for the TTL.
func (s *StoreContent) list(ctx context.Context, bu string) ([]store.Content, error) {
	if s.cfg.TTL <= 0 {
		return s.store.ListContent(ctx, bu)
	}
	l, err := s.listing(ctx, bu)
	if err != nil {
		return nil, err
	}
	return l.all, nil
}

// get answers as GetContent does (the business unit's own variant, else
// the shared one; version 0 the latest), from the listing when it can.
func (s *StoreContent) get(ctx context.Context, bu string, kind store.ContentKind, id, locale string, version int) (store.Content, error) {
	if s.cfg.TTL <= 0 || version < 0 {
		return s.store.GetContent(ctx, bu, kind, id, locale, version)
	}
	l, err := s.listing(ctx, bu)
	if err != nil {
		return store.Content{}, err
	}
	c, known := l.latest[contentKey{kind, id, locale}].find(version)
	if known {
		if c == nil {
			return store.Content{}, fmt.Errorf("get %s %s %s version %d: %w", kind, id, locale, version, store.ErrNotFound)
		}
		return *c, nil
	}
	return s.getPinned(ctx, bu, kind, id, locale, version)
}

// find answers a lookup from the latest versions when they decide it:
// known is false when only the store can say (a version older than the
// latest own one). A nil c with known true is "not found".
func (v variants) find(version int) (c *store.Content, known bool) {
	if version == 0 {
		if v.own != nil {
			return v.own, true
		}
		return v.shared, true
	}
	if v.own != nil {
		if v.own.Version == version {
			return v.own, true
		}
		if version < v.own.Version {
			return nil, false
		}
	}
	// No own version as new as this: the shared one, if any.
	switch {
	case v.shared != nil && v.shared.Version == version:
		return v.shared, true
	case v.shared != nil && version < v.shared.Version:
		return nil, false
	}
	return nil, true
}
