package content

import (
	"context"
	"fmt"
	"sync"

	"github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/journey"
)

// JourneyContent lets the journey checker check a journey's content
// references against a content source: the template exists for the step's
// channel, it compiles, and the variables it reads exist in the business
// unit's contact schema and in what the journey's trigger puts in event
// (an unknown variable is reported at validation time, not at send time). It implements journey.Content and is safe for
// concurrent use; each template is checked once per schema.
type JourneyContent struct {
	src  Source
	mu   sync.Mutex
	libs map[libKey]*Library
	idx  map[string]Index
	done map[checkKey][]journey.Problem
}

// libKey names a library: the contact schema and the event attributes its
// templates are checked against.
type libKey struct {
	schema *journey.Schema
	event  string // journey.EventScope.Key
}

type checkKey struct {
	libKey
	id string
}

var _ journey.Content = (*JourneyContent)(nil)

// NewJourneyContent returns a checker over src.
func NewJourneyContent(src Source) *JourneyContent {
	return &JourneyContent{src: src, libs: map[libKey]*Library{}, idx: map[string]Index{}, done: map[checkKey][]journey.Problem{}}
}

// CheckTemplate checks the template a send step names.
func (c *JourneyContent) CheckTemplate(ref journey.TemplateRef, schema *journey.Schema) []journey.Problem {
	ctx := context.Background()
	c.mu.Lock()
	defer c.mu.Unlock()
	idx, err := c.index(ctx, schema.BusinessUnit)
	if err != nil {
		return []journey.Problem{{Pos: ref.Pos, Message: fmt.Sprintf("list content: %v", err)}}
	}
	var variants, other []TemplateEntry
	ids := make([]string, 0, len(idx.Templates))
	for _, e := range idx.Templates {
		ids = append(ids, e.ID)
		switch {
		case e.ID != ref.ID:
		case string(e.Channel) == ref.Channel:
			variants = append(variants, e)
		default:
			other = append(other, e)
		}
	}
	switch {
	case len(variants) == 0 && len(other) > 0:
		return []journey.Problem{{Pos: ref.Pos, Message: fmt.Sprintf("step %q: template %q is a %s template, not %s", ref.Step, ref.ID, other[0].Channel, ref.Channel)}}
	case len(variants) == 0:
		return []journey.Problem{{Pos: ref.Pos, Message: fmt.Sprintf("step %q: unknown template %q", ref.Step, ref.ID), Hint: didYouMean(ref.ID, ids)}}
	}
	k := checkKey{libKey{schema, ref.Event.Key()}, ref.ID}
	if probs, ok := c.done[k]; ok {
		return probs
	}
	lib := c.library(schema, ref.Event)
	var probs []journey.Problem
	for _, e := range variants {
		for _, p := range lib.checkTemplate(ctx, schema.BusinessUnit, e) {
			probs = append(probs, journey.Problem{
				Pos:     journey.Pos{File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col},
				Message: fmt.Sprintf("template %q (used by step %q): %s", ref.ID, ref.Step, p.Message),
				Hint:    p.Hint,
			})
		}
	}
	c.done[k] = probs
	return probs
}

func (c *JourneyContent) index(ctx context.Context, bu string) (Index, error) {
	if idx, ok := c.idx[bu]; ok {
		return idx, nil
	}
	idx, err := c.src.List(ctx, bu)
	if err != nil {
		return Index{}, err
	}
	c.idx[bu] = *idx
	return *idx, nil
}

// library returns a content library that checks variables against schema
// and the event attributes of events (nil: any).
func (c *JourneyContent) library(schema *journey.Schema, events *journey.EventScope) *Library {
	k := libKey{schema, events.Key()}
	if l, ok := c.libs[k]; ok {
		return l
	}
	cs := &Schema{Contact: map[string]bool{}, Event: eventSchema(events)}
	for _, name := range schema.Names() {
		cs.Contact[name] = schema.Attributes[name].Personal
	}
	l := NewLibrary(c.src, Options{Schema: cs, Links: checkLinks()})
	c.libs[k] = l
	return l
}

// eventSchema turns a journey's event scope into what the template check
// reads, with the hint for an attribute the trigger does not provide.
func eventSchema(s *journey.EventScope) *EventSchema {
	if s == nil {
		return nil
	}
	es := &EventSchema{Names: s.Attributes}
	switch s.Trigger {
	case journey.TriggerEvent:
		es.Hint = func(name string) string {
			return fmt.Sprintf("if every %s event carries it, declare it in the journey's event trigger (%s): carries: [%s]", s.Event, s.Pos, name)
		}
	case journey.TriggerLinkedIn:
		es.Hint = func(string) string {
			return fmt.Sprintf("the journey starts from a LinkedIn form (%s), which gives no event: the lead's answers are contact attributes", s.Pos)
		}
	default:
		es.Hint = func(string) string {
			return fmt.Sprintf("the journey starts from a segment (%s), which gives no event: read contact attributes instead", s.Pos)
		}
	}
	return es
}

// checkLinks signs the links of trial renders with a throwaway key: a check
// renders every template with sample values, and marketing email cannot
// render without tracking and unsubscribe links.
func checkLinks() *tracking.Links {
	signer, err := tracking.NewSigner(tracking.Key{ID: "check", Secret: []byte("trial render of a content check")})
	if err != nil {
		panic(err) // a fixed, valid key: cannot fail
	}
	links, err := tracking.NewLinks("https://check.invalid/t", signer, "")
	if err != nil {
		panic(err)
	}
	return links
}
