package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/osteele/liquid/parser"
	"github.com/osteele/liquid/render"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// Options configure a Library.
type Options struct {
	// Schema is what templates may read. Nil skips the variable check
	// (plain Liquid); a deployment always gives the business unit's schema.
	Schema *Schema
	// Links signs tracking, unsubscribe and preference URLs. Marketing
	// email cannot render without it.
	Links *tracking.Links
	// Limits bound each render.
	Limits Limits
}

// A Library compiles templates from a Source once, caches them, and renders
// messages from them. It is safe for concurrent use; rendering never
// re-parses. Invalidate drops the cache after content changes.
type Library struct {
	src  Source
	opts Options
	lim  Limits
	cfg  render.Config

	mu        sync.RWMutex
	templates map[reqKey]*templateEntry
	compileMu sync.Mutex // one compilation at a time; renders do not wait on it
	variants  map[variantKey]*templateEntry
	blocks    map[blockKey]*blockEntry
	loadErr   error // a Source failure during the current compilation (guarded by compileMu)

	renderers sync.Pool // *renderer, to reuse buffers across renders
}

type reqKey struct {
	bu, id, locale string
	version        int
	blocks         string // overrides.key ("" for none)
}

type variantKey struct {
	bu, id, locale string // bu of the document ("" shared)
	version        int
	reqBU          string
	blocks         string // overrides.key
}

type blockKey struct {
	bu, name, locale string
	version          int
	mode             mode
	reqBU, reqLocale string
	blocks           string // overrides.key: a block's own render tags follow them too
}

func (k blockKey) label() string { return fmt.Sprintf("%s@%d", k.name, k.version) }

// A unit is one compiled Liquid source (a template part or a block in one
// escaping mode) with the blocks its render tags resolved to.
type unit struct {
	node  node
	refs  map[string]*unit
	links map[string]bool // links.<name> read here or in its blocks
	// isolated blocks assign or capture, so they render in their own
	// variables; the others render with the caller's, which saves a copy.
	isolated bool
}

type templateEntry struct {
	t   *compiledTemplate
	err error
}

type compiledTemplate struct {
	doc   *Template
	parts map[PartName]*unit
	links map[string]bool
}

type blockEntry struct {
	doc      *Block
	unit     *unit
	problems Problems
}

// NewLibrary returns a Library over src.
func NewLibrary(src Source, opts Options) *Library {
	l := &Library{
		src:       src,
		opts:      opts,
		lim:       opts.Limits.withDefaults(),
		cfg:       render.NewConfig(),
		templates: map[reqKey]*templateEntry{},
		variants:  map[variantKey]*templateEntry{},
		blocks:    map[blockKey]*blockEntry{},
	}
	l.renderers.New = func() any { return &renderer{} }
	addFilters(&l.cfg)
	addGrammar(&l.cfg)
	return l
}

// Invalidate drops every compiled template and block, so the next render
// reads the Source again (after a publish, or a file change in dev).
func (l *Library) Invalidate() {
	l.compileMu.Lock()
	defer l.compileMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.templates = map[reqKey]*templateEntry{}
	l.variants = map[variantKey]*templateEntry{}
	l.blocks = map[blockKey]*blockEntry{}
}

// template returns the compiled variant for a request, compiling it on first
// use. The error is ErrNotFound (wrapped) or a Problems value.
func (l *Library) template(ctx context.Context, bu, id, locale string, version int, ov *overrides) (*compiledTemplate, error) {
	key := reqKey{bu, id, NormalizeLocale(locale), version, ov.cacheKey()}
	l.mu.RLock()
	e := l.templates[key]
	l.mu.RUnlock()
	if e != nil {
		return e.t, e.err
	}
	l.compileMu.Lock()
	defer l.compileMu.Unlock()
	l.mu.RLock()
	e = l.templates[key]
	l.mu.RUnlock()
	if e == nil {
		l.loadErr = nil
		e = l.resolveTemplate(ctx, key, ov)
		if l.loadErr != nil || ctx.Err() != nil {
			// The Source failed or the caller gave up: nothing compiled now
			// can be trusted to say the template is invalid.
			err := l.loadErr
			if err == nil {
				err = ctx.Err()
			}
			l.mu.Lock()
			l.variants = map[variantKey]*templateEntry{}
			l.blocks = map[blockKey]*blockEntry{}
			l.mu.Unlock()
			return nil, fmt.Errorf("compile template %s: %w", key.id, err)
		}
		l.mu.Lock()
		l.templates[key] = e
		l.mu.Unlock()
	}
	return e.t, e.err
}

func (l *Library) resolveTemplate(ctx context.Context, key reqKey, ov *overrides) *templateEntry {
	for _, loc := range LocaleChain(key.locale) {
		doc, err := l.src.Template(ctx, key.bu, key.id, loc, key.version)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			l.loadErr = fmt.Errorf("load template %s: %w", key.id, err)
			return &templateEntry{err: l.loadErr}
		}
		return l.compileVariant(ctx, key.bu, doc, ov)
	}
	return &templateEntry{err: fmt.Errorf("template %q for business unit %q: %w", key.id, key.bu, ErrNotFound)}
}

// compileVariant compiles one template document with a send step's block
// overrides (nil: none). Callers hold compileMu.
func (l *Library) compileVariant(ctx context.Context, bu string, doc *Template, ov *overrides) *templateEntry {
	vk := variantKey{doc.BU, doc.ID, doc.Locale, doc.Version, bu, ov.cacheKey()}
	if e := l.variants[vk]; e != nil {
		return e
	}
	ct := &compiledTemplate{doc: doc, parts: map[PartName]*unit{}, links: map[string]bool{}}
	var problems Problems
	for _, p := range doc.Parts {
		m := partMode(p.Name)
		env := checkEnv{schema: l.opts.Schema, mode: m, ov: ov}
		u, ps := l.compileSource(ctx, bu, doc.Locale, p.Source, p.Pos, env, nil)
		problems = append(problems, ps...)
		if u != nil {
			ct.parts[p.Name] = u
			for k := range u.links {
				ct.links[k] = true
			}
		}
	}
	problems = append(problems, l.templateRules(doc, ct)...)
	e := &templateEntry{t: ct}
	if len(problems) > 0 {
		e = &templateEntry{err: problems.sorted()}
	}
	l.variants[vk] = e
	return e
}

func partMode(p PartName) mode {
	switch p {
	case PartHTML:
		return modeHTML
	case PartPayload:
		return modeJSON
	}
	return modeText
}

// templateRules are the checks on a template as a whole.
func (l *Library) templateRules(doc *Template, ct *compiledTemplate) Problems {
	var ps Problems
	at := Pos{File: doc.File}
	if p := doc.Part(PartHTML); p != nil {
		at = p.Pos
	}
	switch {
	case doc.Channel == Email && doc.Kind == Marketing && ct.parts[PartHTML] != nil && !ct.parts[PartHTML].links["unsubscribe"]:
		ps = append(ps, Problem{Pos: at, Message: "a marketing email must link to {{ links.unsubscribe }}",
			Hint: "render the footer block, which does, or mark the template kind: transactional"})
	case doc.Kind == Transactional && (ct.links["unsubscribe"] || ct.links["preferences"]):
		ps = append(ps, Problem{Pos: at, Message: "a transactional message has no unsubscribe or preference link",
			Hint: "remove links.unsubscribe and links.preferences, or make it kind: marketing"})
	}
	return ps
}

// compileSource checks and compiles one Liquid source and, recursively, the
// blocks it renders. stack holds the blocks being compiled, for cycles.
func (l *Library) compileSource(ctx context.Context, bu, locale, src string, pos Pos, env checkEnv, stack []blockKey) (*unit, Problems) {
	if len(src) > l.lim.MaxTemplateBytes {
		return nil, Problems{{Pos: pos, Message: fmt.Sprintf("source of %d bytes exceeds the %d-byte limit", len(src), l.lim.MaxTemplateBytes)}}
	}
	sm := newSrcMap(src, pos)
	a := analyze(src, sm, env)
	problems := a.problems
	u := &unit{refs: map[string]*unit{}, links: a.links}
	for _, site := range a.refs {
		b, ps := l.block(ctx, bu, locale, site, env, stack)
		problems = append(problems, ps...)
		if b == nil || b.unit == nil {
			continue
		}
		u.refs[site.ref.String()] = b.unit
		for k := range b.unit.links {
			u.links[k] = true
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	n, err := l.compile(src, parser.SourceLoc{Pathname: pos.File, LineNo: pos.Line}, env.mode)
	if err != nil {
		line := 0
		if le, ok := err.(interface{ LineNumber() int }); ok {
			line = le.LineNumber()
		}
		return nil, Problems{{Pos: Pos{File: pos.File, Line: line}, Message: liquidMessage(err)}}
	}
	u.node = n
	// Unchecked (plain) sources could read the caller's variables, which
	// Shopify's render forbids, so their blocks always render isolated.
	u.isolated = env.isBlock && (a.assigns || env.schema == nil)
	return u, nil
}

// liquidMessage strips the library's "Liquid error (line n): ... in file"
// dressing, which our Pos already says.
func liquidMessage(err error) string {
	if c, ok := err.(interface{ Cause() error }); ok && c.Cause() != nil {
		return c.Cause().Error()
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "Liquid error")
	if i := strings.Index(msg, "): "); i >= 0 && strings.HasPrefix(msg, " (line") {
		msg = msg[i+3:]
	}
	return strings.TrimPrefix(msg, ": ")
}
