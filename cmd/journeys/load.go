package main

import (
	"github.com/journeys-oss/journeys/internal/journey"
)

// libraries loads the journeys library (contact schemas, segments) of each
// folder once. A content checker is not wired yet: templates and blocks
// are not checked by the CLI until internal/content provides one.
type libraries struct {
	root  string // --root, or "" for the folder of each file
	libs  map[string]*journey.Library
	probs map[string]journey.Problems
}

func newLibraries(root string) *libraries {
	return &libraries{root: root, libs: map[string]*journey.Library{}, probs: map[string]journey.Problems{}}
}

// forFile returns the library a file is checked against, and the problems
// of the library's own files (reported once).
func (l *libraries) forFile(file string) (*journey.Library, journey.Problems) {
	dir := l.root
	if dir == "" {
		dir = journey.Root(file)
	}
	if lib, ok := l.libs[dir]; ok {
		return lib, nil
	}
	lib, probs := journey.LoadDir(dir)
	lib.Content = nil // wired to internal/content at merge time
	l.libs[dir] = lib
	return lib, probs
}
