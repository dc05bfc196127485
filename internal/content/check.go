package content

import (
	"context"
	"errors"
	"fmt"
)

// Check compiles every template and block business unit bu can use and
// returns every problem found, sorted by position: the file format, Liquid
// syntax, tags, unknown variables, filters and blocks, block cycles,
// version pins, unsafe HTML contexts, the unsubscribe rules, and what a
// trial render with sample values reveals (a payload that is not JSON, a
// filter that fails). It does not stop at the first problem.
func (l *Library) Check(ctx context.Context, bu string) Problems {
	var problems Problems
	if ps, ok := l.src.(interface{ Problems() Problems }); ok {
		problems = append(problems, ps.Problems()...)
	}
	idx, err := l.src.List(ctx, bu)
	if err != nil {
		return append(problems, Problem{Message: fmt.Sprintf("list content for %q: %v", bu, err)})
	}
	for _, e := range idx.Templates {
		problems = append(problems, l.checkTemplate(ctx, bu, e)...)
	}
	for _, e := range idx.Blocks {
		problems = append(problems, l.checkBlock(ctx, bu, e)...)
	}
	return problems.sorted()
}

func (l *Library) checkTemplate(ctx context.Context, bu string, e TemplateEntry) Problems {
	doc, err := l.src.Template(ctx, bu, e.ID, e.Locale, e.Version)
	if err != nil {
		return Problems{{Message: fmt.Sprintf("load template %s: %v", e.ID, err)}}
	}
	l.compileMu.Lock()
	entry := l.compileVariant(ctx, bu, doc, nil)
	l.compileMu.Unlock()
	var ps Problems
	if errors.As(entry.err, &ps) {
		return ps
	}
	if entry.err != nil {
		return Problems{{Pos: Pos{File: doc.File}, Message: entry.err.Error()}}
	}
	if _, err := l.renderCompiled(ctx, entry.t, sampleRequest(bu, doc, l.opts.Schema)); err != nil {
		return Problems{{Pos: Pos{File: doc.File}, Message: "trial render with sample values: " + err.Error()}}
	}
	return nil
}

// checkBlock compiles a block on its own (HTML context, its own locale), so
// a block no template uses yet is checked too.
func (l *Library) checkBlock(ctx context.Context, bu string, e BlockEntry) Problems {
	site := refSite{ref: blockRef{name: e.Name, version: e.Version}, pos: Pos{File: "check"}}
	l.compileMu.Lock()
	defer l.compileMu.Unlock()
	_, ps := l.block(ctx, bu, e.Locale, site, checkEnv{schema: l.opts.Schema, mode: modeHTML}, nil)
	return ps
}

// sampleRequest fills every declared attribute with a sample value.
func sampleRequest(bu string, doc *Template, schema *Schema) Request {
	req := Request{
		BU: bu, Template: doc.ID, Version: doc.Version, Locale: doc.Locale,
		ContactID: "c-sample", MessageID: "m-sample", Step: "sample-step",
		Journey: JourneyInfo{ID: "sample-journey", Name: "Sample journey", Version: 1},
		Owner:   Owner{Name: "Sample Owner", Email: "owner@example.com"},
		Contact: map[string]any{}, Event: map[string]any{},
	}
	if schema != nil {
		for name := range schema.Contact {
			req.Contact[name] = "Sample " + name
		}
		if schema.Event != nil {
			for _, name := range schema.Event.Names {
				req.Event[name] = "Sample " + name
			}
		}
	}
	return req
}
