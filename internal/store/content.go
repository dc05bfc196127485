package store

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// ContentKind is template or block.
type ContentKind string

// Content kinds.
const (
	ContentTemplate ContentKind = "template"
	ContentBlock    ContentKind = "block"
)

// SharedBU is the business unit shared content is stored under. GetContent
// and ListContent of any business unit see it; it is not a usable bu name.
const SharedBU = "_shared"

// Content is one immutable version of a template or content block in one
// locale. Shared content is visible to every business unit; the rest only
// to its own.
type Content struct {
	BU      string      `json:"bu"` // the owner; SharedBU for shared content
	Kind    ContentKind `json:"kind"`
	ID      string      `json:"id"`
	Channel string      `json:"channel,omitempty"`
	Locale  string      `json:"locale"`
	Version int         `json:"version"`
	Body    string      `json:"body"`
	// Fields holds the other parts of a message: subject, preheader, sender.
	Fields    map[string]string `json:"fields,omitempty"`
	Shared    bool              `json:"shared,omitempty"`
	CreatedAt time.Time         `json:"createdAt"`
}

// Check validates c's kind and ids.
func (c Content) Check() error {
	if c.Kind != ContentTemplate && c.Kind != ContentBlock {
		return fmt.Errorf("content kind %q: %w", c.Kind, ErrInvalid)
	}
	return CheckIDs("content id", c.ID, "locale", c.Locale)
}

// A Segment is a named audience definition (a CEL expression).
type Segment struct {
	BU         string    `json:"bu"`
	Name       string    `json:"name"`
	Definition string    `json:"definition"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// SortContent orders content by kind, id, locale, then the business unit's
// own before shared.
func SortContent(cs []Content) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Locale != b.Locale {
			return a.Locale < b.Locale
		}
		return !a.Shared && b.Shared
	})
}

// PrepareContent validates a new content version for bu and fills its
// owner (SharedBU for shared content) and creation time. Version 0 asks
// the adapter for the next number.
func PrepareContent(bu string, c Content, now time.Time) (Content, error) {
	if err := CheckID("bu", bu); err != nil {
		return c, err
	}
	if err := c.Check(); err != nil {
		return c, err
	}
	if c.Version < 0 {
		return c, fmt.Errorf("content version %d: %w", c.Version, ErrInvalid)
	}
	if c.BU = bu; c.Shared {
		c.BU = SharedBU
	}
	c.CreatedAt = UTC(now)
	return c, nil
}

// ContentRevisionToken is the ContentRevision of a business unit whose own
// content was put own times and shared content shared times.
func ContentRevisionToken(own, shared int64) string {
	return strconv.FormatInt(own, 10) + "." + strconv.FormatInt(shared, 10)
}
