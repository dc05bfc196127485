package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// block resolves and compiles the target of one render tag, in the escaping
// mode and locale of the including source. Problems are reported at the
// render tag (unknown block, missing version, cycle, undeclared parameter)
// or inside the block.
func (l *Library) block(ctx context.Context, bu, locale string, site refSite, env checkEnv, stack []blockKey) (*blockEntry, Problems) {
	target := site
	if ref, ok := env.ov.target(site.ref); ok {
		target.ref = ref
	}
	doc, p := l.findBlock(ctx, bu, locale, target)
	if p != nil {
		return nil, Problems{*p}
	}
	key := blockKey{doc.BU, doc.Name, doc.Locale, doc.Version, env.mode, bu, locale, env.ov.cacheKey()}
	for i, k := range stack {
		if k.bu == key.bu && k.name == key.name && k.version == key.version && k.locale == key.locale {
			chain := make([]string, 0, len(stack)-i+1)
			for _, s := range stack[i:] {
				chain = append(chain, s.label())
			}
			chain = append(chain, key.label())
			return nil, Problems{{Pos: site.pos, Message: "block cycle: " + strings.Join(chain, " → "),
				Hint: "a block may not render itself, directly or through others"}}
		}
	}
	var problems Problems
	for i, name := range site.params {
		if env.schema != nil && !contains(doc.Params, name) {
			hint := "the block declares no parameters"
			if len(doc.Params) > 0 {
				hint = "it declares " + strings.Join(doc.Params, ", ")
			}
			msg := fmt.Sprintf("block %s has no parameter %q", site.ref, name)
			if target.ref != site.ref {
				msg = fmt.Sprintf("block %s (overriding %s) has no parameter %q", target.ref, site.ref, name)
			}
			problems = append(problems, Problem{Pos: site.ppos[i], Message: msg, Hint: hint})
		}
	}
	l.mu.RLock()
	e := l.blocks[key]
	l.mu.RUnlock()
	if e == nil {
		benv := checkEnv{schema: env.schema, params: doc.Params, isBlock: true, mode: env.mode, ov: env.ov}
		u, ps := l.compileSource(ctx, bu, locale, doc.Source, doc.Pos, benv, append(stack, key))
		e = &blockEntry{doc: doc, unit: u, problems: ps}
		l.mu.Lock()
		l.blocks[key] = e
		l.mu.Unlock()
	}
	return e, append(problems, e.problems...)
}

// findBlock finds the document a render tag names: the version (pinned, or
// the latest), then the most specific locale variant of it.
func (l *Library) findBlock(ctx context.Context, bu, locale string, site refSite) (*Block, *Problem) {
	version := site.ref.version
	if version == 0 {
		latest, err := l.src.Block(ctx, bu, site.ref.name, "", 0)
		if err != nil {
			return nil, l.blockProblem(ctx, bu, site, err)
		}
		version = latest.Version
	}
	for _, loc := range LocaleChain(locale) {
		doc, err := l.src.Block(ctx, bu, site.ref.name, loc, version)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, l.blockProblem(ctx, bu, site, err)
		}
		return doc, nil
	}
	return nil, l.blockProblem(ctx, bu, site, ErrNotFound)
}

func (l *Library) blockProblem(ctx context.Context, bu string, site refSite, err error) *Problem {
	if !errors.Is(err, ErrNotFound) {
		if l.loadErr == nil {
			l.loadErr = fmt.Errorf("load block %s: %w", site.ref, err)
		}
		return &Problem{Pos: site.pos, Message: fmt.Sprintf("load block %s: %v", site.ref, err)}
	}
	var names []string
	versions := map[string][]int{}
	if idx, lerr := l.src.List(ctx, bu); lerr == nil {
		for _, b := range idx.Blocks {
			if _, seen := versions[b.Name]; !seen {
				names = append(names, b.Name)
			}
			if !containsInt(versions[b.Name], b.Version) {
				versions[b.Name] = append(versions[b.Name], b.Version)
			}
		}
	}
	if vs, ok := versions[site.ref.name]; ok {
		return &Problem{Pos: site.pos, Message: fmt.Sprintf("block %q has no version %d", site.ref.name, site.ref.version),
			Hint: fmt.Sprintf("versions: %s; write %s to follow the latest", joinInts(vs), site.ref.name)}
	}
	return &Problem{Pos: site.pos, Message: fmt.Sprintf("unknown block %q", site.ref.name), Hint: didYouMean(site.ref.name, names)}
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func joinInts(list []int) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
