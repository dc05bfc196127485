// Package catalog loads published journey versions from the store and keeps
// them parsed and checked. A version never changes once published, so a
// loaded version is cached for the life of the process (a Lambda container
// or the local runtime) and shared by every call: the handlers, the
// enroller and the simulator read step configuration, conditions and
// segments from it instead of parsing YAML per call.
package catalog

import (
	"context"
	"fmt"
	"sync"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
)

// Versions is the store method the catalog reads.
type Versions interface {
	GetVersion(ctx context.Context, bu, journey string, version int) (store.JourneyVersion, error)
}

// A Version is one published journey version, checked and ready to use.
// It is immutable and safe for concurrent use.
type Version struct {
	Record  store.JourneyVersion
	Checked *journey.Checked
	Library *journey.Library // the schema and segments it was published with
	steps   map[string]*journey.Step
}

// Journey returns the journey definition.
func (v *Version) Journey() *journey.Journey { return v.Checked.Journey }

// Step returns the step with this id.
func (v *Version) Step(id string) (*journey.Step, error) {
	s, ok := v.steps[id]
	if !ok {
		return nil, fmt.Errorf("journey %s v%d has no step %q", v.Record.Journey, v.Record.Version, id)
	}
	return s, nil
}

// A Catalog loads and caches journey versions. It is safe for concurrent
// use; concurrent first loads of one version may parse it twice, and the
// first stored wins.
type Catalog struct {
	src     Versions
	content journey.Content
	mu      sync.RWMutex
	cache   map[key]*Version
}

type key struct {
	bu, journey string
	version     int
}

// New returns a catalog over the store. content (may be nil) is used to
// check templates when a version is loaded.
func New(src Versions, content journey.Content) *Catalog {
	return &Catalog{src: src, content: content, cache: map[key]*Version{}}
}

// Version returns a published version, loading it on first use.
func (c *Catalog) Version(ctx context.Context, bu, id string, version int) (*Version, error) {
	k := key{bu, id, version}
	c.mu.RLock()
	v, ok := c.cache[k]
	c.mu.RUnlock()
	if ok {
		return v, nil
	}
	rec, err := c.src.GetVersion(ctx, bu, id, version)
	if err != nil {
		return nil, fmt.Errorf("load journey %s v%d: %w", id, version, err)
	}
	v, err = Load(rec, c.content)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.cache[k]; ok {
		return old, nil
	}
	c.cache[k] = v
	return v, nil
}

// Load parses and checks a stored version's bundle.
func Load(rec store.JourneyVersion, content journey.Content) (*Version, error) {
	b, err := journey.ParseBundle(rec.Source)
	if err != nil {
		return nil, fmt.Errorf("journey %s v%d: %w", rec.Journey, rec.Version, err)
	}
	checked, lib, probs := b.Load(content)
	if len(probs) > 0 {
		return nil, fmt.Errorf("journey %s v%d no longer checks: %v", rec.Journey, rec.Version, probs)
	}
	v := &Version{Record: rec, Checked: checked, Library: lib, steps: map[string]*journey.Step{}}
	for _, s := range checked.Journey.Steps {
		v.steps[s.ID] = s
	}
	return v, nil
}
