package content

import (
	"fmt"
	"sort"
	"strings"
)

// overrides are a send step's block overrides, resolved: slot (the name a
// render tag writes) → the block rendered in its place. A nil *overrides
// is none, the common case, and costs nothing.
type overrides struct {
	key string // canonical "slot=block@v,..." (sorted): part of every cache key
	m   map[string]blockRef
}

// parseOverrides checks and resolves Request.Blocks. Slots are block names
// (a pinned render tag 'hero@2' is the slot "hero"); values are a block
// name, following its latest version, or name@version.
func parseOverrides(blocks map[string]string) (*overrides, error) {
	if len(blocks) == 0 {
		return nil, nil
	}
	slots := make([]string, 0, len(blocks))
	for slot := range blocks {
		slots = append(slots, slot)
	}
	sort.Strings(slots)
	o := &overrides{m: make(map[string]blockRef, len(blocks))}
	var key strings.Builder
	for i, slot := range slots {
		if !validName(slot) {
			return nil, fmt.Errorf("block override: %q is not a slot name (a block name a render tag writes)", slot)
		}
		ref, err := parseOverrideRef(blocks[slot])
		if err != nil {
			return nil, err
		}
		o.m[slot] = ref
		if i > 0 {
			key.WriteByte(',')
		}
		key.WriteString(slot + "=" + ref.String())
	}
	o.key = key.String()
	return o, nil
}

// parseOverrideRef parses an override's block: "spring-hero" or
// "spring-hero@3".
func parseOverrideRef(s string) (blockRef, error) {
	ref, err := parseBlockRef(s)
	if err != nil {
		return blockRef{}, fmt.Errorf("block override %s", strings.TrimPrefix(err.Error(), "render: "))
	}
	return ref, nil
}

// target returns the block a render tag renders: the override of its slot,
// or the block it names.
func (o *overrides) target(ref blockRef) (blockRef, bool) {
	if o == nil {
		return ref, false
	}
	if r, ok := o.m[ref.name]; ok {
		return r, true
	}
	return ref, false
}

func (o *overrides) cacheKey() string {
	if o == nil {
		return ""
	}
	return o.key
}
