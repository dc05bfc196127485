package manage

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/store"
)

// A ContentError is content that does not check: its problems, with the
// uploaded file names as positions. The HTTP API answers 422.
type ContentError struct {
	Problems []journey.Problem
}

func (e *ContentError) Error() string {
	if len(e.Problems) == 0 {
		return "the content does not check"
	}
	return fmt.Sprintf("the content does not check: %s (and %d more)", e.Problems[0], len(e.Problems)-1)
}

// contentName is a content file's name under journeys/content.
var contentName = regexp.MustCompile(`^(units/([A-Za-z0-9_-]+)/)?(templates|blocks)/[^/]+\.liquid$`)

// checkName refuses names outside the content layout and another unit's
// folder.
func checkName(bu string, f ContentFile) error {
	m := contentName.FindStringSubmatch(f.Name)
	switch {
	case m == nil || path.Clean(f.Name) != f.Name:
		return &bodyError{status: 400, msg: fmt.Sprintf("content name %q: want templates/<id>[.<locale>].liquid or blocks/<name>@<version>[.<locale>].liquid (optionally under units/<bu>/)", f.Name)}
	case m[2] != "" && m[2] != bu:
		return fmt.Errorf("content %s belongs to business unit %s: %w", f.Name, m[2], errForbidden)
	case m[2] != "" && f.Shared:
		return &bodyError{status: 400, msg: fmt.Sprintf("content %s is a business unit's own: it cannot be shared", f.Name)}
	}
	return nil
}

// A parsedUpload is an upload read with the file parser of journeys/content.
type parsedUpload struct {
	files  *content.FileSource
	index  *content.Index
	items  []store.Content
	shared map[string]bool // by file name
}

// parseUpload reads the uploaded files exactly as content.LoadFiles reads
// journeys/content, and turns them into store records.
func parseUpload(ctx context.Context, bu string, files []ContentFile) (*parsedUpload, content.Problems, error) {
	fsys := fstest.MapFS{}
	up := &parsedUpload{shared: map[string]bool{}}
	for _, f := range files {
		if err := checkName(bu, f); err != nil {
			return nil, nil, err
		}
		if _, dup := fsys[f.Name]; dup {
			return nil, nil, &bodyError{status: 400, msg: "content " + f.Name + " is uploaded twice"}
		}
		fsys[f.Name] = &fstest.MapFile{Data: []byte(f.Source)}
		up.shared[f.Name] = f.Shared
	}
	src, probs := content.LoadFiles(fsys, "")
	idx, err := src.List(ctx, bu)
	if err != nil {
		return nil, nil, err
	}
	up.files, up.index = src, idx
	for _, e := range idx.Templates {
		t, err := src.Template(ctx, e.BU, e.ID, e.Locale, e.Version)
		if err != nil {
			return nil, nil, err
		}
		rec := lambdamain.ContentRecord(t)
		rec.Shared = up.shared[t.File]
		up.items = append(up.items, rec)
	}
	for _, e := range idx.Blocks {
		b, err := src.Block(ctx, e.BU, e.Name, e.Locale, e.Version)
		if err != nil {
			return nil, nil, err
		}
		rec := lambdamain.BlockRecord(b)
		rec.Shared = up.shared[b.File]
		up.items = append(up.items, rec)
	}
	// Blocks first: a template's blocks are stored before it.
	store.SortContent(up.items)
	return up, probs, nil
}

// missingDefaults drops the loader's "no default variant" problems of
// variants whose default the store already holds.
func (s *Service) missingDefaults(ctx context.Context, bu string, probs content.Problems) (content.Problems, error) {
	var out content.Problems
	for _, p := range probs {
		kind, id, version, ok := variantOf(p.Pos.File)
		if !ok || !strings.Contains(p.Message, "but no default") {
			out = append(out, p)
			continue
		}
		_, err := s.store.GetContent(ctx, bu, kind, id, lambdamain.DefaultLocale, version)
		switch {
		case errors.Is(err, store.ErrNotFound):
			out = append(out, p)
		case err != nil:
			return nil, err
		}
	}
	return out, nil
}

// variantOf reads a locale variant's kind, id and (for a block) version
// from its file name: templates/welcome-intro.de.liquid,
// blocks/footer@2.de.liquid.
func variantOf(file string) (kind store.ContentKind, id string, version int, ok bool) {
	m := contentName.FindStringSubmatch(file)
	if m == nil {
		return "", "", 0, false
	}
	base := strings.TrimSuffix(path.Base(file), ".liquid")
	id, _, ok = strings.Cut(base, ".")
	if !ok {
		return "", "", 0, false
	}
	if m[3] == "templates" {
		return store.ContentTemplate, id, 0, true
	}
	id, v, _ := strings.Cut(id, "@")
	version, err := strconv.Atoi(v)
	if err != nil {
		version = 1
	}
	return store.ContentBlock, id, version, true
}

// overlay serves the upload first and the store behind it: the content an
// upload is checked against is what the business unit will see once it is
// written. List answers the upload only, so Check checks the upload only.
type overlay struct {
	upload *content.FileSource
	index  *content.Index
	store  content.Source
}

func (o overlay) Template(ctx context.Context, bu, id, locale string, version int) (*content.Template, error) {
	t, err := o.upload.Template(ctx, bu, id, locale, version)
	if err == nil {
		if version == 0 {
			if st, err := o.store.Template(ctx, bu, id, locale, 0); err == nil && st.Version > t.Version {
				return st, nil
			}
		}
		return t, nil
	}
	return o.store.Template(ctx, bu, id, locale, version)
}

func (o overlay) Block(ctx context.Context, bu, name, locale string, version int) (*content.Block, error) {
	b, err := o.upload.Block(ctx, bu, name, locale, version)
	if err == nil {
		if version == 0 {
			if sb, err := o.store.Block(ctx, bu, name, locale, 0); err == nil && sb.Version > b.Version {
				return sb, nil
			}
		}
		return b, nil
	}
	return o.store.Block(ctx, bu, name, locale, version)
}

func (o overlay) List(context.Context, string) (*content.Index, error) { return o.index, nil }

// contentSchema is the contact schema of the business unit's most recently
// published journey (its bundle holds the schema it was checked with), or
// nil when the unit has published none.
func (s *Service) contentSchema(ctx context.Context, bu string) (*content.Schema, error) {
	js, err := s.store.ListJourneys(ctx, bu)
	if err != nil {
		return nil, err
	}
	var latest *store.Journey
	for i, j := range js {
		if j.Current > 0 && (latest == nil || j.UpdatedAt.After(latest.UpdatedAt)) {
			latest = &js[i]
		}
	}
	if latest == nil {
		return nil, nil
	}
	v, err := s.store.GetVersion(ctx, bu, latest.ID, latest.Current)
	if err != nil {
		return nil, err
	}
	b, err := journey.ParseBundle(v.Source)
	if err != nil {
		return nil, fmt.Errorf("journey %s v%d: %w", latest.ID, latest.Current, err)
	}
	lib := journey.NewLibrary()
	if probs := lib.AddSchema(b.Schema.Name, []byte(b.Schema.Source)); len(probs) > 0 {
		return nil, fmt.Errorf("journey %s v%d: contact schema: %s", latest.ID, latest.Current, probs[0])
	}
	js2, ok := lib.Schemas[bu]
	if !ok {
		return nil, nil
	}
	cs := &content.Schema{Contact: map[string]bool{}}
	for _, name := range js2.Names() {
		cs.Contact[name] = js2.Attributes[name].Personal
	}
	return cs, nil
}

// checkLinks signs the links of trial renders with a throwaway key, as
// journeys validate does: marketing email cannot render without them.
func checkLinks() (*tracking.Links, error) {
	signer, err := tracking.NewSigner(tracking.Key{ID: "check", Secret: []byte("trial render of a content upload")})
	if err != nil {
		return nil, err
	}
	return tracking.NewLinks("https://check.invalid/t", signer, "")
}

// UncheckedVariables says why variables were not checked: the business
// unit has no published journey whose bundle gives its contact schema.
const UncheckedVariables = "contact variables (no published journey of the business unit holds its contact schema: publish one, then upload again to check them)"

// checkUpload parses and checks an upload against the store: Liquid
// compiles, blocks exist (uploaded or stored, own or shared), variables
// exist in the contact schema when one is known (unchecked says so when
// not), and a trial render with sample values succeeds.
func (s *Service) checkUpload(ctx context.Context, bu string, files []ContentFile) (items []store.Content, unchecked string, err error) {
	up, probs, err := parseUpload(ctx, bu, files)
	if err != nil {
		return nil, "", err
	}
	if probs, err = s.missingDefaults(ctx, bu, probs); err != nil {
		return nil, "", err
	}
	schema, err := s.contentSchema(ctx, bu)
	if err != nil {
		return nil, "", err
	}
	if schema == nil {
		unchecked = UncheckedVariables
	}
	links, err := checkLinks()
	if err != nil {
		return nil, "", err
	}
	lib := content.NewLibrary(overlay{upload: up.files, index: up.index, store: lambdamain.NewStoreContent(s.store, lambdamain.ContentCache{})},
		content.Options{Schema: schema, Links: links})
	probs = append(probs, lib.Check(ctx, bu)...)
	if len(probs) > 0 {
		return nil, unchecked, &ContentError{Problems: journeyProblems(probs)}
	}
	return up.items, unchecked, nil
}

func journeyProblems(ps content.Problems) []journey.Problem {
	out := make([]journey.Problem, 0, len(ps))
	for _, p := range ps {
		out = append(out, journey.Problem{Pos: journey.Pos{File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col}, Message: p.Message, Hint: p.Hint})
	}
	return out
}
