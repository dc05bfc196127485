package journey

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// A Bundle is everything one journey version needs to be checked again
// exactly as it was published: the journey file, its business unit's
// contact schema and segment files. A published version stores its bundle,
// so editing a segment or the schema later never changes the rules under a
// contact who is already in the journey; publishing again does.
type Bundle struct {
	Journey  BundleFile   `json:"journey"`
	Schema   BundleFile   `json:"schema"`
	Segments []BundleFile `json:"segments,omitempty"`
}

// A BundleFile is one file of a bundle: the name it had (positions in
// problems point at it) and its text.
type BundleFile struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

// NewBundle reads the files behind a checked journey from disk: the journey,
// its business unit's schema and every segment of that business unit.
func NewBundle(c *Checked, lib *Library) (Bundle, error) {
	bu := c.Journey.BusinessUnit
	schema, ok := lib.Schemas[bu]
	if !ok {
		return Bundle{}, fmt.Errorf("bundle journey %s: business unit %s has no contact schema", c.Journey.ID, bu)
	}
	names := []string{c.Journey.Source, schema.Source}
	segs := make([]string, 0, len(lib.Segments[bu]))
	for _, s := range lib.Segments[bu] {
		segs = append(segs, s.Source)
	}
	sort.Strings(segs)
	files := make([]BundleFile, 0, len(names)+len(segs))
	for _, name := range append(names, segs...) {
		src, err := os.ReadFile(name)
		if err != nil {
			return Bundle{}, fmt.Errorf("bundle journey %s: %w", c.Journey.ID, err)
		}
		files = append(files, BundleFile{Name: name, Source: string(src)})
	}
	return Bundle{Journey: files[0], Schema: files[1], Segments: files[2:]}, nil
}

// Marshal encodes the bundle as JSON, the form journey versions store.
func (b Bundle) Marshal() ([]byte, error) { return json.Marshal(b) }

// ParseBundle decodes a stored bundle.
func ParseBundle(data []byte) (Bundle, error) {
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return b, fmt.Errorf("parse journey bundle: %w", err)
	}
	if b.Journey.Source == "" || b.Schema.Source == "" {
		return b, fmt.Errorf("parse journey bundle: the journey or its contact schema is missing")
	}
	return b, nil
}

// Load parses and checks the bundle's journey against the bundle's own
// schema and segments (content checks use content, which may be nil). The
// library it returns evaluates the journey's segments at run time.
func (b Bundle) Load(content Content) (*Checked, *Library, Problems) {
	lib := NewLibrary()
	lib.Content = content
	probs := lib.AddSchema(b.Schema.Name, []byte(b.Schema.Source))
	for _, s := range b.Segments {
		probs = append(probs, lib.AddSegment(s.Name, []byte(s.Source))...)
	}
	j, more := ParseJourney(b.Journey.Name, []byte(b.Journey.Source))
	if probs = append(probs, more...); len(probs) > 0 {
		return nil, nil, probs.Sort()
	}
	c, probs := Check(j, lib)
	if len(probs) > 0 {
		return nil, nil, probs
	}
	return c, lib, nil
}
