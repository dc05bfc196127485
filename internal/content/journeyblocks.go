package content

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/journeys-oss/journeys/internal/journey"
)

// CheckBlock checks a block a send step puts into a template's slot: the
// value is a block name or name@version that exists, the slot is a block
// the template renders (itself or through its blocks), and the template
// still compiles with the block in the slot: the block accepts the
// parameters the slot's render tags pass, reads only declared variables,
// and makes no cycle. Problems are at ref.Pos and name the content file
// position they concern.
func (c *JourneyContent) CheckBlock(ref journey.BlockRef, schema *journey.Schema) []journey.Problem {
	ctx := context.Background()
	c.mu.Lock()
	defer c.mu.Unlock()
	prob := func(hint, format string, args ...any) []journey.Problem {
		return []journey.Problem{{Pos: ref.Pos, Message: fmt.Sprintf("step %q: ", ref.Step) + fmt.Sprintf(format, args...), Hint: hint}}
	}
	idx, err := c.index(ctx, schema.BusinessUnit)
	if err != nil {
		return prob("", "list content: %v", err)
	}
	target, err := parseOverrideRef(ref.ID)
	if err != nil {
		return prob("write a block name, or name@3 to pin version 3", "slot %q: %v", ref.Slot, err)
	}
	if p := blockInIndex(idx, target); p != "" {
		return prob(p, "unknown content block %q", target)
	}
	var docs []*Template
	for _, e := range idx.Templates {
		if e.ID != ref.Template {
			continue
		}
		doc, err := c.src.Template(ctx, schema.BusinessUnit, e.ID, e.Locale, e.Version)
		if err != nil {
			return prob("", "load template %s: %v", e.ID, err)
		}
		docs = append(docs, doc)
	}
	lib := c.library(schema, ref.Event)
	ov, err := parseOverrides(map[string]string{ref.Slot: ref.ID})
	if err != nil {
		return prob("a slot is the name of a block the template renders", "%v", err)
	}
	lib.compileMu.Lock()
	defer lib.compileMu.Unlock()
	slots := map[string]bool{}
	for _, doc := range docs {
		e := lib.compileVariant(ctx, schema.BusinessUnit, doc, nil)
		if e.err != nil {
			return nil // CheckTemplate reports the template's own problems
		}
		for _, u := range e.t.parts {
			u.slots(slots)
		}
	}
	if len(docs) == 0 {
		return nil // CheckTemplate reports an unknown template
	}
	if !slots[ref.Slot] {
		return prob(slotHint(ref.Slot, slots), "template %q renders no block %q to override", ref.Template, ref.Slot)
	}
	var out []journey.Problem
	for _, doc := range docs {
		e := lib.compileVariant(ctx, schema.BusinessUnit, doc, ov)
		var ps Problems
		switch {
		case errors.As(e.err, &ps):
			for _, p := range ps {
				out = append(out, prob(p.Hint, "block %q in slot %q: %s: %s", ref.ID, ref.Slot, p.Pos, p.Message)[0])
			}
		case e.err != nil:
			out = append(out, prob("", "block %q in slot %q: %v", ref.ID, ref.Slot, e.err)...)
		}
	}
	return out
}

// blockInIndex returns "" when the index holds the block (in the version
// a pinned ref names), else a hint.
func blockInIndex(idx Index, ref blockRef) string {
	var names []string
	var versions []int
	for _, b := range idx.Blocks {
		if b.Name == ref.name {
			if ref.version == 0 || b.Version == ref.version {
				return ""
			}
			if !containsInt(versions, b.Version) {
				versions = append(versions, b.Version)
			}
		}
		names = append(names, b.Name)
	}
	if len(versions) > 0 {
		return fmt.Sprintf("versions: %s; write %s to follow the latest", joinInts(versions), ref.name)
	}
	return didYouMean(ref.name, names)
}

// slotHint names the slots a template has.
func slotHint(slot string, slots map[string]bool) string {
	if len(slots) == 0 {
		return "the template renders no blocks"
	}
	names := make([]string, 0, len(slots))
	for s := range slots {
		names = append(names, s)
	}
	sort.Strings(names)
	if h := didYouMean(slot, names); h != "" {
		return h
	}
	return "it renders " + strings.Join(names, ", ")
}

// slots adds the names of the blocks u renders, directly or through its
// blocks: the slots a send step may override.
func (u *unit) slots(into map[string]bool) {
	for key, b := range u.refs {
		name, _, _ := strings.Cut(key, "@")
		into[name] = true
		b.slots(into)
	}
}
