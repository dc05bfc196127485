package local

import (
	"context"
	"fmt"
	"maps"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
)

// A Seed is one sample contact as the store takes it: the contact and its
// past interactions.
type Seed struct {
	ID           string
	Patch        store.ContactPatch
	Interactions []store.Interaction
}

// Seeds converts a checked contacts file into store writes. Attributes are
// typed by the business unit's schema; consents are granted or denied as
// of at. The source of every contact is "sample".
func Seeds(f *journey.ContactsFile, schema *journey.Schema, at time.Time) ([]Seed, error) {
	out := make([]Seed, 0, len(f.Contacts))
	for _, c := range f.Contacts {
		if c == nil {
			continue
		}
		s := Seed{ID: c.ID, Patch: store.ContactPatch{ID: c.ID, Source: store.String("sample")}}
		for _, fl := range c.Attributes {
			if err := setAttribute(&s.Patch, schema, fl.Key, fl.Value); err != nil {
				return nil, fmt.Errorf("%s: contact %s: %w", fl.Pos, c.ID, err)
			}
		}
		for ch, ok := range c.Consent {
			if s.Patch.Channels == nil {
				s.Patch.Channels = map[string]store.Consent{}
			}
			st := store.ConsentDenied
			if ok {
				st = store.ConsentGranted
			}
			s.Patch.Channels[ch] = store.Consent{Status: st, Source: "sample", At: at}
		}
		for _, in := range c.Interactions {
			if in != nil {
				s.Interactions = append(s.Interactions, Interaction(c.ID, in.Type, in.When.T, in.Channel, in.Journey, map[string]string{
					"template": in.Template, "form": in.Form, "url": in.URL,
				}))
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// setAttribute sets one attribute of a sample contact: a built-in field,
// or a custom attribute of the schema's type.
func setAttribute(p *store.ContactPatch, schema *journey.Schema, name string, v any) error {
	if v == nil {
		return nil
	}
	if store.IsContactField(name) {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("attribute %s: want a string, got %T", name, v)
		}
		p.SetField(name, s)
		return nil
	}
	typ := "string"
	if schema != nil {
		a, ok := schema.Attributes[name]
		if !ok {
			return fmt.Errorf("attribute %s is not in the contact schema", name)
		}
		typ = a.Type
	}
	val, err := typedValue(typ, v)
	if err != nil {
		return fmt.Errorf("attribute %s: %w", name, err)
	}
	if p.Attributes == nil {
		p.Attributes = map[string]store.Value{}
	}
	p.Attributes[name] = val
	return nil
}

// AttributesPatch returns the patch that sets attributes (built-in fields
// or custom attributes of the schema's types), as events and tests write
// them.
func AttributesPatch(id string, schema *journey.Schema, attrs map[string]any) (store.ContactPatch, error) {
	p := store.ContactPatch{ID: id}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := setAttribute(&p, schema, k, attrs[k]); err != nil {
			return p, err
		}
	}
	return p, nil
}

// typedValue converts a value read from YAML or JSON to a store value of
// a schema type.
func typedValue(typ string, v any) (store.Value, error) {
	switch typ {
	case "string":
		if s, ok := v.(string); ok {
			return store.StringValue(s), nil
		}
	case "int", "double":
		switch x := v.(type) {
		case int:
			return store.NumberValue(float64(x)), nil
		case int64:
			return store.NumberValue(float64(x)), nil
		case float64:
			return store.NumberValue(x), nil
		}
	case "bool":
		if b, ok := v.(bool); ok {
			return store.BoolValue(b), nil
		}
	case "timestamp":
		switch x := v.(type) {
		case time.Time:
			return store.TimeValue(x), nil
		case string:
			if t, err := time.Parse(time.RFC3339, x); err == nil {
				return store.TimeValue(t), nil
			}
		}
	case "list":
		switch x := v.(type) {
		case []string:
			return store.ListValue(x...), nil
		case []any:
			l := make([]string, 0, len(x))
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return store.Value{}, fmt.Errorf("list holds %T, want strings", e)
				}
				l = append(l, s)
			}
			return store.ListValue(l...), nil
		}
	}
	return store.Value{}, fmt.Errorf("value of type %T does not fit %s", v, typ)
}

// Interaction builds the stored interaction of an event named as
// conditions name them: "<channel>.<kind>" (email.opened, sms.delivered),
// "form.submitted", or a custom event name (webinar.attended). Empty
// detail values are dropped.
func Interaction(contact, event string, at time.Time, channel, journeyID string, detail map[string]string) store.Interaction {
	i := store.Interaction{Contact: contact, At: at, Journey: journeyID, Detail: map[string]string{}}
	for k, v := range detail {
		if v != "" {
			i.Detail[k] = v
		}
	}
	ch, kind, _ := strings.Cut(event, ".")
	switch {
	case event == "form.submitted":
		i.Kind = store.InteractionFormSubmitted
	case event == "journey.goal":
		i.Kind = store.InteractionGoalReached
	case messageKinds[store.InteractionKind(kind)] && (ch == "email" || ch == "sms" || ch == channel):
		i.Kind, i.Channel = store.InteractionKind(kind), ch
	default:
		i.Kind, i.Channel = store.InteractionCustom, channel
		i.Detail["event"] = event
	}
	if len(i.Detail) == 0 {
		i.Detail = nil
	}
	return i
}

var messageKinds = map[store.InteractionKind]bool{
	store.InteractionSent: true, store.InteractionDelivered: true, store.InteractionBounced: true,
	store.InteractionComplained: true, store.InteractionOpened: true, store.InteractionClicked: true,
	store.InteractionUnsubscribed: true,
}

// Clone returns the seed under another id, with its own copies of the
// maps a caller may change (attributes, consents) and of the
// interactions.
func (s Seed) Clone(id string) Seed {
	c := Seed{ID: id, Patch: s.Patch}
	c.Patch.ID = id
	c.Patch.Attributes = maps.Clone(s.Patch.Attributes)
	c.Patch.Channels = maps.Clone(s.Patch.Channels)
	c.Patch.Topics = maps.Clone(s.Patch.Topics)
	c.Interactions = make([]store.Interaction, len(s.Interactions))
	for i, in := range s.Interactions {
		in.Contact = id
		in.Detail = maps.Clone(in.Detail)
		c.Interactions[i] = in
	}
	return c
}

// Generate returns n contacts cloned round-robin from seeds, for big runs:
// ids <id>-g<k> (k from 1), email addresses made unique with a +g<k> tag,
// everything else (attributes, consents, interactions) as the original.
func Generate(seeds []Seed, n int) []Seed {
	if len(seeds) == 0 {
		return nil
	}
	out := make([]Seed, n)
	for k := range n {
		out[k] = Clone(seeds, k)
	}
	return out
}

// Clone returns the k-th (from 0) of the contacts Generate makes, without
// making the others.
func Clone(seeds []Seed, k int) Seed {
	src := seeds[k%len(seeds)]
	tag := cloneTag(k)
	c := Seed{ID: CloneID(seeds, k), Patch: src.Patch}
	c.Patch.ID = c.ID
	if e := src.Patch.Email; e != nil && *e != "" {
		local, domain, _ := strings.Cut(*e, "@")
		email := local + "+" + tag + "@" + domain
		c.Patch.Email = &email
	}
	c.Interactions = make([]store.Interaction, len(src.Interactions))
	for i, in := range src.Interactions {
		in.Contact = c.ID
		c.Interactions[i] = in
	}
	return c // the maps are shared: nothing changes them
}

// CloneID returns the id of the k-th clone.
func CloneID(seeds []Seed, k int) string { return seeds[k%len(seeds)].ID + "-" + cloneTag(k) }

func cloneTag(k int) string { return fmt.Sprintf("g%06d", k+1) }

// SeedStore is what LoadSeeds writes to.
type SeedStore interface {
	UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error)
	AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error)
}

// LoadSeeds writes the contacts and their interactions to the store.
func LoadSeeds(ctx context.Context, st SeedStore, bu string, seeds []Seed) error {
	for _, s := range seeds {
		if _, err := st.UpsertContact(ctx, bu, s.Patch); err != nil {
			return fmt.Errorf("load contact %s: %w", s.ID, err)
		}
		for _, in := range s.Interactions {
			if _, err := st.AppendInteraction(ctx, bu, in); err != nil {
				return fmt.Errorf("load interaction of %s: %w", s.ID, err)
			}
		}
	}
	return nil
}

// ReadSeeds reads and checks a contacts file against the library's schema
// and converts it (consents as of at).
func ReadSeeds(file string, lib *journey.Library, at time.Time) (string, []Seed, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return "", nil, fmt.Errorf("read contacts: %w", err)
	}
	f, probs := journey.ParseContacts(file, src)
	if probs = append(probs, lib.CheckContacts(f)...); len(probs) > 0 {
		return "", nil, probs.Sort()
	}
	seeds, err := Seeds(f, lib.Schemas[f.BusinessUnit], at)
	return f.BusinessUnit, seeds, err
}
