package lambdamain

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/store"
)

// DefaultLocale is the store's locale of a template's or block's default
// variant (the store needs a non-empty locale; content calls it "").
const DefaultLocale = "default"

// ContentStore is what StoreContent reads.
type ContentStore interface {
	GetContent(ctx context.Context, bu string, kind store.ContentKind, id, locale string, version int) (store.Content, error)
	ListContent(ctx context.Context, bu string) ([]store.Content, error)
	ContentRevision(ctx context.Context, bu string) (string, error)
}

func storeLocale(l string) string {
	if l == "" {
		return DefaultLocale
	}
	return l
}

func contentLocale(l string) string {
	if l == DefaultLocale {
		return ""
	}
	return l
}

// Template implements content.Source.
func (s *StoreContent) Template(ctx context.Context, bu, id, locale string, version int) (*content.Template, error) {
	c, err := s.get(ctx, bu, store.ContentTemplate, id, storeLocale(locale), version)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return nil, fmt.Errorf("template %s: %w", id, content.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return TemplateOf(c), nil
}

// TemplateOf turns a stored template record into a content template.
func TemplateOf(c store.Content) *content.Template {
	t := &content.Template{ID: c.ID, Locale: contentLocale(c.Locale), Version: c.Version, Channel: content.Channel(c.Channel),
		Kind: content.Kind(c.Fields["kind"]), Topic: c.Fields["topic"], Tracking: c.Fields["tracking"] != "false",
		Description: c.Fields["description"], File: fmt.Sprintf("store:%s/templates/%s@%d", c.BU, c.ID, c.Version)}
	if !c.Shared {
		t.BU = c.BU
	}
	if t.Kind == "" {
		t.Kind = content.Marketing
	}
	add := func(name content.PartName, src string) {
		if src != "" {
			t.Parts = append(t.Parts, content.Part{Name: name, Source: src, Pos: content.Pos{File: t.File, Line: 1, Col: 1}})
		}
	}
	switch t.Channel {
	case content.Email:
		add(content.PartSubject, c.Fields["subject"])
		add(content.PartPreheader, c.Fields["preheader"])
		add(content.PartHTML, c.Body)
		add(content.PartText, c.Fields["text"])
	case content.SMS:
		add(content.PartText, c.Body)
	default:
		add(content.PartPayload, c.Body)
	}
	return t
}

// Block implements content.Source.
func (s *StoreContent) Block(ctx context.Context, bu, name, locale string, version int) (*content.Block, error) {
	c, err := s.get(ctx, bu, store.ContentBlock, name, storeLocale(locale), version)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return nil, fmt.Errorf("block %s: %w", name, content.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	b := &content.Block{Name: c.ID, Locale: contentLocale(c.Locale), Version: c.Version, Source: c.Body,
		Description: c.Fields["description"], File: fmt.Sprintf("store:%s/blocks/%s@%d", c.BU, c.ID, c.Version)}
	b.Pos = content.Pos{File: b.File, Line: 1, Col: 1}
	if !c.Shared {
		b.BU = c.BU
	}
	for _, p := range strings.Split(c.Fields["params"], ",") {
		if p = strings.TrimSpace(p); p != "" {
			b.Params = append(b.Params, p)
		}
	}
	return b, nil
}

// List implements content.Source (latest versions only).
func (s *StoreContent) List(ctx context.Context, bu string) (*content.Index, error) {
	all, err := s.list(ctx, bu)
	if err != nil {
		return nil, err
	}
	idx := &content.Index{}
	for _, c := range all {
		owner := c.BU
		if c.Shared {
			owner = ""
		}
		if c.Kind == store.ContentTemplate {
			idx.Templates = append(idx.Templates, content.TemplateEntry{ID: c.ID, BU: owner, Locale: contentLocale(c.Locale), Version: c.Version, Channel: content.Channel(c.Channel)})
		} else {
			idx.Blocks = append(idx.Blocks, content.BlockEntry{Name: c.ID, BU: owner, Locale: contentLocale(c.Locale), Version: c.Version})
		}
	}
	return idx, nil
}

// ContentRecord is the store record of a template (the inverse of
// TemplateOf), for seeding and publishing.
func ContentRecord(t *content.Template) store.Content {
	c := store.Content{Kind: store.ContentTemplate, ID: t.ID, Channel: string(t.Channel), Locale: storeLocale(t.Locale),
		Version: t.Version, Shared: t.BU == "", Fields: map[string]string{"kind": string(t.Kind)}}
	if t.Topic != "" {
		c.Fields["topic"] = t.Topic
	}
	if !t.Tracking {
		c.Fields["tracking"] = "false"
	}
	for _, p := range t.Parts {
		switch p.Name {
		case content.PartHTML, content.PartPayload:
			c.Body = p.Source
		case content.PartText:
			if t.Channel == content.SMS {
				c.Body = p.Source
			} else {
				c.Fields["text"] = p.Source
			}
		default:
			c.Fields[string(p.Name)] = p.Source
		}
	}
	return c
}

// BlockRecord is the store record of a block.
func BlockRecord(b *content.Block) store.Content {
	return store.Content{Kind: store.ContentBlock, ID: b.Name, Locale: storeLocale(b.Locale), Version: b.Version,
		Body: b.Source, Shared: b.BU == "", Fields: map[string]string{"params": strings.Join(b.Params, ",")}}
}
