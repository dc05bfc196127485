package handler

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/settings"
)

// ContentRenderers builds, once per business unit, a content.Library over
// one Source with the unit's signed tracking links (its tracking keys and
// base URL from settings). It implements Renderers; Links serves the
// tracking endpoint the same keys. It is safe for concurrent use.
type ContentRenderers struct {
	src         content.Source
	settings    Settings
	secrets     settings.SecretSource
	defaultBase string

	mu    sync.Mutex
	libs  map[string]*content.Library
	gens  map[string]uint64 // the source's generation each library compiled from
	links map[string]*tracking.Links
}

// A ContentGenerations source can say when a business unit's content
// changed (a version published since): Generation returns a number that
// changes then. ContentRenderers asks it before each render and drops
// the unit's compiled templates when it changed, so a long-lived process
// follows "latest" content; without it, compiled templates are kept for
// the life of the process. Generation may read the store, and should be
// cheap most of the time.
type ContentGenerations interface {
	Generation(ctx context.Context, bu string) (uint64, error)
}

// NewContentRenderers returns the builder. defaultBase is the tracking
// endpoint's URL for units whose settings give none (the deployment's).
func NewContentRenderers(src content.Source, s Settings, secrets settings.SecretSource, defaultBase string) *ContentRenderers {
	return &ContentRenderers{src: src, settings: s, secrets: secrets, defaultBase: defaultBase,
		libs: map[string]*content.Library{}, gens: map[string]uint64{}, links: map[string]*tracking.Links{}}
}

// Renderer implements Renderers.
func (r *ContentRenderers) Renderer(ctx context.Context, bu string) (Renderer, error) {
	var gen uint64
	gens, follow := r.src.(ContentGenerations)
	if follow {
		g, err := gens.Generation(ctx, bu)
		// On an error keep what is compiled: the render reports a source
		// that fails where it needs it.
		follow = err == nil
		gen = g
	}
	r.mu.Lock()
	lib, ok := r.libs[bu]
	stale := ok && follow && r.gens[bu] != gen
	if stale {
		r.gens[bu] = gen
	}
	r.mu.Unlock()
	if stale {
		lib.Invalidate()
	}
	if ok {
		return lib, nil
	}
	links, err := r.Links(ctx, bu)
	if err != nil {
		return nil, err
	}
	lib = content.NewLibrary(r.src, content.Options{Links: links})
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.libs[bu]; ok {
		return old, nil
	}
	r.libs[bu], r.gens[bu] = lib, gen
	return lib, nil
}

// ErrNoTracking is returned (wrapped) when a business unit has no tracking
// keys or base URL.
var ErrNoTracking = errors.New("handler: tracking links are not configured")

// Links returns the business unit's tracking links and signer.
func (r *ContentRenderers) Links(ctx context.Context, bu string) (*tracking.Links, error) {
	r.mu.Lock()
	l, ok := r.links[bu]
	r.mu.Unlock()
	if ok {
		return l, nil
	}
	s, err := r.settings.For(bu)
	if err != nil {
		return nil, err
	}
	base := s.Tracking.BaseURL
	if base == "" {
		base = r.defaultBase
	}
	if base == "" || len(s.Tracking.Keys) == 0 {
		return nil, fmt.Errorf("tracking of %s: %w", bu, ErrNoTracking)
	}
	keys := make([]tracking.Key, 0, len(s.Tracking.Keys))
	for _, k := range s.Tracking.Keys {
		v, err := r.secrets.Secret(ctx, k.Secret)
		if err != nil {
			return nil, fmt.Errorf("tracking key %s of %s: %w", k.ID, bu, err)
		}
		keys = append(keys, tracking.Key{ID: k.ID, Secret: []byte(v)})
	}
	signer, err := tracking.NewSigner(keys...)
	if err != nil {
		return nil, fmt.Errorf("tracking of %s: %w", bu, err)
	}
	if l, err = tracking.NewLinks(base, signer, s.Tracking.Mailto); err != nil {
		return nil, fmt.Errorf("tracking of %s: %w", bu, err)
	}
	r.mu.Lock()
	r.links[bu] = l
	r.mu.Unlock()
	return l, nil
}
