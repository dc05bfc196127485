package content

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// FileSource serves templates and blocks from files laid out as
// journeys/content/README.md describes:
//
//	blocks/<name>@<version>[.<locale>].liquid     shared blocks
//	templates/<id>[.<locale>].liquid              shared templates
//	units/<bu>/blocks/...  units/<bu>/templates/...   one business unit's own
//
// A business unit's block or template of the same name shadows the shared
// one (all its versions). Files are read once, by LoadFiles; a FileSource is
// immutable and safe for concurrent use.
type FileSource struct {
	templates map[scopedName][]*Template // each id's locale variants
	blocks    map[scopedName][]*Block    // each name's versions and variants
	problems  Problems
}

type scopedName struct{ bu, name string }

// LoadFiles reads a content tree from fsys (rooted at the content folder).
// display prefixes file names in positions ("journeys/content"). Malformed
// files are left out and reported in the returned Problems; the source
// serves the rest.
func LoadFiles(fsys fs.FS, display string) (*FileSource, Problems) {
	s := newFileSource()
	s.loadDir(fsys, display, "blocks", "", s.addBlock)
	s.loadDir(fsys, display, "templates", "", s.addTemplate)
	units, _ := fs.ReadDir(fsys, "units")
	for _, u := range units {
		if !u.IsDir() {
			continue
		}
		if !validName(u.Name()) {
			s.problem(Pos{File: path.Join(display, "units", u.Name())}, "business unit folder name must be letters, digits, - and _", "")
			continue
		}
		s.loadDir(fsys, display, path.Join("units", u.Name(), "blocks"), u.Name(), s.addBlock)
		s.loadDir(fsys, display, path.Join("units", u.Name(), "templates"), u.Name(), s.addTemplate)
	}
	s.checkDefaults()
	return s, s.problems.sorted()
}

// LoadBlocks reads a flat folder of blocks, <name>[@<version>].liquid
// (version 1 when absent), for plain Liquid rendering.
func LoadBlocks(fsys fs.FS, display string) (*FileSource, Problems) {
	s := newFileSource()
	s.loadDir(fsys, display, ".", "", s.addBlock)
	return s, s.problems.sorted()
}

func newFileSource() *FileSource {
	return &FileSource{templates: map[scopedName][]*Template{}, blocks: map[scopedName][]*Block{}}
}

// Problems returns what was wrong with the files LoadFiles read.
func (s *FileSource) Problems() Problems { return s.problems }

func (s *FileSource) problem(p Pos, msg, hint string) {
	s.problems = append(s.problems, Problem{Pos: p, Message: msg, Hint: hint})
}

func (s *FileSource) loadDir(fsys fs.FS, display, dir, bu string, add func(file, base, bu, text string)) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return // an absent folder is an empty one
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".liquid") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		file := path.Join(display, dir, e.Name())
		if err != nil {
			s.problem(Pos{File: file}, "read: "+err.Error(), "")
			continue
		}
		add(file, strings.TrimSuffix(e.Name(), ".liquid"), bu, string(b))
	}
}

// splitName splits "<name>[@<version>][.<locale>]".
func splitName(base string) (name string, version int, locale string, err error) {
	name, locale, _ = strings.Cut(base, ".")
	if locale != "" && NormalizeLocale(locale) != locale {
		return "", 0, "", fmt.Errorf("locale %q should be written %q", locale, NormalizeLocale(locale))
	}
	name, v, pinned := strings.Cut(name, "@")
	if pinned {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			return "", 0, "", fmt.Errorf("version %q is not a positive integer", v)
		}
	}
	if !validName(name) {
		return "", 0, "", fmt.Errorf("name %q must be letters, digits, - and _", name)
	}
	return name, version, locale, nil
}

func (s *FileSource) addTemplate(file, base, bu, text string) {
	id, version, locale, err := splitName(base)
	if err == nil && version != 0 {
		err = fmt.Errorf("template files are named <id>[.<locale>].liquid; the version goes in the front matter")
	}
	if err != nil {
		s.problem(Pos{File: file}, err.Error(), "")
		return
	}
	t, ps := parseTemplateFile(file, text)
	s.problems = append(s.problems, ps...)
	if t == nil {
		return
	}
	t.ID, t.BU, t.Locale = id, bu, locale
	k := scopedName{bu, id}
	s.templates[k] = append(s.templates[k], t)
}

func (s *FileSource) addBlock(file, base, bu, text string) {
	name, version, locale, err := splitName(base)
	if err != nil {
		s.problem(Pos{File: file}, err.Error(), "")
		return
	}
	if version == 0 {
		version = 1
	}
	b, ps := parseBlockFile(file, text)
	s.problems = append(s.problems, ps...)
	if b == nil {
		return
	}
	b.Name, b.BU, b.Locale, b.Version = name, bu, locale, version
	k := scopedName{bu, name}
	s.blocks[k] = append(s.blocks[k], b)
}

// checkDefaults requires a default-locale variant of every template and of
// every block version: it is where every locale chain ends.
func (s *FileSource) checkDefaults() {
	for _, k := range sortedScoped(s.templates) {
		ts := s.templates[k]
		if !hasTemplateLocale(ts, "") {
			s.problem(Pos{File: ts[0].File}, fmt.Sprintf("template %s has locale variants but no default %s.liquid", k.name, k.name), "")
		}
	}
	for _, k := range sortedScoped(s.blocks) {
		for _, b := range s.blocks[k] {
			if b.Locale != "" && s.findBlock(k, "", b.Version) == nil {
				s.problem(Pos{File: b.File}, fmt.Sprintf("block %s@%d has a %s variant but no default %s@%d.liquid", b.Name, b.Version, b.Locale, b.Name, b.Version), "")
			}
		}
	}
}

func hasTemplateLocale(ts []*Template, locale string) bool {
	for _, t := range ts {
		if t.Locale == locale {
			return true
		}
	}
	return false
}

func sortedScoped[V any](m map[scopedName]V) []scopedName {
	keys := make([]scopedName, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].bu != keys[j].bu {
			return keys[i].bu < keys[j].bu
		}
		return keys[i].name < keys[j].name
	})
	return keys
}

// Template implements Source.
func (s *FileSource) Template(_ context.Context, bu, id, locale string, version int) (*Template, error) {
	for _, k := range []scopedName{{bu, id}, {"", id}} {
		ts, ok := s.templates[k]
		if !ok {
			continue
		}
		for _, t := range ts {
			if t.Locale == locale && (version == 0 || t.Version == version) {
				return t, nil
			}
		}
		break // a unit's own template shadows the shared one
	}
	return nil, fmt.Errorf("template %s (locale %q, version %d): %w", id, locale, version, ErrNotFound)
}

// Block implements Source.
func (s *FileSource) Block(_ context.Context, bu, name, locale string, version int) (*Block, error) {
	k := scopedName{bu, name}
	if _, ok := s.blocks[k]; !ok || bu == "" {
		k = scopedName{"", name}
	}
	if version == 0 {
		for _, b := range s.blocks[k] {
			if b.Version > version {
				version = b.Version
			}
		}
	}
	if b := s.findBlock(k, locale, version); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("block %s@%d (locale %q): %w", name, version, locale, ErrNotFound)
}

func (s *FileSource) findBlock(k scopedName, locale string, version int) *Block {
	for _, b := range s.blocks[k] {
		if b.Locale == locale && b.Version == version {
			return b
		}
	}
	return nil
}

// List implements Source.
func (s *FileSource) List(_ context.Context, bu string) (*Index, error) {
	idx := &Index{}
	for _, k := range sortedScoped(s.templates) {
		if k.bu != "" && k.bu != bu || k.bu == "" && bu != "" && s.templates[scopedName{bu, k.name}] != nil {
			continue
		}
		for _, t := range s.templates[k] {
			idx.Templates = append(idx.Templates, TemplateEntry{ID: t.ID, BU: t.BU, Locale: t.Locale, Version: t.Version, Channel: t.Channel})
		}
	}
	for _, k := range sortedScoped(s.blocks) {
		if k.bu != "" && k.bu != bu || k.bu == "" && bu != "" && s.blocks[scopedName{bu, k.name}] != nil {
			continue
		}
		for _, b := range s.blocks[k] {
			idx.Blocks = append(idx.Blocks, BlockEntry{Name: b.Name, BU: b.BU, Locale: b.Locale, Version: b.Version})
		}
	}
	sort.SliceStable(idx.Templates, func(i, j int) bool {
		a, b := idx.Templates[i], idx.Templates[j]
		return a.ID < b.ID || a.ID == b.ID && a.Locale < b.Locale
	})
	sort.SliceStable(idx.Blocks, func(i, j int) bool {
		a, b := idx.Blocks[i], idx.Blocks[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Locale < b.Locale
	})
	return idx, nil
}
