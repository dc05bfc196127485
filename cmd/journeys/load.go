package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/journey"
)

// libraries loads the journeys library (contact schemas, segments, and the
// content library under content/) of each folder once.
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
	src, cprobs := content.LoadFiles(os.DirFS(filepath.Join(dir, "content")), filepath.Join(dir, "content"))
	for _, p := range cprobs {
		probs = append(probs, journey.Problem{Pos: journey.Pos{File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col}, Message: p.Message, Hint: p.Hint})
	}
	lib.Content = content.NewJourneyContent(src)
	lib.Now = time.Now // dates are checked against today
	l.libs[dir] = lib
	return lib, probs.Sort()
}
