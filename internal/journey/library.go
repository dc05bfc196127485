package journey

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/segment"
)

// A TemplateRef is a send step's reference to a template.
type TemplateRef struct {
	Step          string      // the step id
	Channel       string      // email, sms or custom
	CustomChannel string      // the custom channel's name, for custom
	ID            string      // the template id
	Pos           Pos         // where the template id is written
	Event         *EventScope // what the template may read as event.<name>; nil: anything
}

// A BlockRef is a send step's override of a template's content block.
type BlockRef struct {
	Step     string      // the step id
	Template string      // the step's template id
	Slot     string      // the block name the template renders, to replace
	ID       string      // the block put in its place: id, or id@version
	Pos      Pos         // where the block is written
	Event    *EventScope // what the block may read as event.<name>; nil: anything
}

// Trigger kinds, as EventScope names them.
const (
	TriggerSegment  = "segment"
	TriggerEvent    = "event"
	TriggerLinkedIn = "linkedinForm"
)

// An EventScope is what a journey's templates may read as event.<name>:
// the attributes its trigger's event is known to carry. An event trigger
// knows the attributes it filters on and those it declares in carries; a
// LinkedIn form trigger and a segment trigger start executions with no
// event, so they know none.
type EventScope struct {
	Trigger    string   // TriggerEvent, TriggerLinkedIn or TriggerSegment
	Event      string   // the event trigger's event name
	Attributes []string // the known attribute names, sorted
	Pos        Pos      // where the trigger is written, to declare more
}

// Key identifies the scope's contents, for caches of checks.
func (s *EventScope) Key() string {
	if s == nil {
		return "*"
	}
	return s.Trigger + ":" + strings.Join(s.Attributes, ",")
}

// EventScope returns what j's templates may read as event.<name>, or nil
// when the trigger has not exactly one kind (the check reports that).
func (j *Journey) EventScope() *EventScope {
	t := &j.Trigger
	n := 0
	for _, set := range []bool{t.Segment != nil, t.Event != nil, t.LinkedInForm != nil} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return nil
	case t.Event != nil:
		names := map[string]bool{}
		for _, f := range t.Event.Attributes {
			names[f.Key] = true
		}
		for _, n := range t.Event.Carries {
			names[n] = true
		}
		attrs := keys(names)
		sort.Strings(attrs)
		return &EventScope{Trigger: TriggerEvent, Event: t.Event.Name, Attributes: attrs, Pos: t.Event.Pos}
	case t.LinkedInForm != nil:
		return &EventScope{Trigger: TriggerLinkedIn, Pos: t.LinkedInForm.Pos}
	}
	return &EventScope{Trigger: TriggerSegment, Pos: t.Segment.Pos}
}

// Content is what the checker needs from the content library: does a
// template exist for a channel, do the variables it uses exist in the
// contact schema and the trigger's event, does a content block exist. Problems carry the given
// positions. internal/content implements it.
type Content interface {
	CheckTemplate(ref TemplateRef, schema *Schema) []Problem
	CheckBlock(ref BlockRef, schema *Schema) []Problem
}

// A Library is what journeys are checked against: the contact schema and
// the segments of each business unit, and the content library. It is safe
// for concurrent use once loaded.
type Library struct {
	Schemas  map[string]*Schema                 // by business unit
	Segments map[string]map[string]*SegmentFile // by business unit, then name
	Content  Content                            // nil skips content checks
	// Now, when set, is the clock absolute dates are checked against: a
	// wait until a date further ahead of today than the journey's maximum
	// duration is reported. Nil checks them against the journey's own
	// start and end dates only (as a published bundle is checked).
	Now func() time.Time

	mu   sync.Mutex
	envs map[string]*segment.Env
	segs map[string]map[string]*segment.Segment
}

// NewLibrary returns an empty library.
func NewLibrary() *Library {
	return &Library{Schemas: map[string]*Schema{}, Segments: map[string]map[string]*SegmentFile{}}
}

// LoadDir loads dir/schema/*.schema.yaml and dir/segments/*.segment.yaml
// (dir is the journeys folder) and checks them. A missing folder is no
// error: the library is then empty.
func LoadDir(dir string) (*Library, Problems) {
	lib := NewLibrary()
	var probs Problems
	schemas, _ := filepath.Glob(filepath.Join(dir, "schema", "*.schema.yaml"))
	sort.Strings(schemas)
	for _, f := range schemas {
		src, err := os.ReadFile(f)
		if err != nil {
			probs.Add(Pos{File: f}, "", "read contact schema: %v", err)
			continue
		}
		probs = append(probs, lib.AddSchema(f, src)...)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "segments", "*.segment.yaml"))
	sort.Strings(segs)
	for _, f := range segs {
		src, err := os.ReadFile(f)
		if err != nil {
			probs.Add(Pos{File: f}, "", "read segment: %v", err)
			continue
		}
		probs = append(probs, lib.AddSegment(f, src)...)
	}
	return lib, probs.Sort()
}

// AddSchema parses a contact schema file into the library.
func (l *Library) AddSchema(file string, src []byte) Problems {
	s, probs := ParseSchema(file, src)
	if s.BusinessUnit == "" {
		return probs
	}
	if old, ok := l.Schemas[s.BusinessUnit]; ok {
		probs.Add(s.At("businessUnit"), "one schema per business unit", "business unit %q already has a contact schema in %s", s.BusinessUnit, old.Source)
		return probs
	}
	l.Schemas[s.BusinessUnit] = s
	return probs
}

// AddSegment parses a segment file into the library and checks it.
func (l *Library) AddSegment(file string, src []byte) Problems {
	s, probs := ParseSegment(file, src)
	probs = append(probs, l.CheckSegment(s)...)
	if s.Name == "" || s.BusinessUnit == "" {
		return probs.Sort()
	}
	if l.Segments[s.BusinessUnit] == nil {
		l.Segments[s.BusinessUnit] = map[string]*SegmentFile{}
	}
	if old, ok := l.Segments[s.BusinessUnit][s.Name]; ok {
		probs.Add(s.At("name"), "segment names are unique within a business unit", "segment %q is already defined in %s", s.Name, old.Source)
		return probs.Sort()
	}
	l.Segments[s.BusinessUnit][s.Name] = s
	return probs.Sort()
}

// Env returns the CEL environment of a business unit's contact schema.
func (l *Library) Env(bu string) (*segment.Env, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.envs[bu]; ok {
		return e, nil
	}
	s, ok := l.Schemas[bu]
	if !ok {
		return nil, fmt.Errorf("business unit %q has no contact schema", bu)
	}
	e, err := segment.NewEnv(s.segmentAttrs())
	if err != nil {
		return nil, fmt.Errorf("contact schema of %s: %w", bu, err)
	}
	if l.envs == nil {
		l.envs = map[string]*segment.Env{}
	}
	l.envs[bu] = e
	return e, nil
}

// Segment returns a business unit's segment, compiled for evaluation.
func (l *Library) Segment(bu, name string) (*segment.Segment, error) {
	l.mu.Lock()
	if s, ok := l.segs[bu][name]; ok {
		l.mu.Unlock()
		return s, nil
	}
	l.mu.Unlock()
	f, ok := l.Segments[bu][name]
	if !ok {
		return nil, fmt.Errorf("business unit %s has no segment %q", bu, name)
	}
	seg := &segment.Segment{Name: name}
	if f.Condition.IsSet() {
		env, err := l.Env(bu)
		if err != nil {
			return nil, err
		}
		c, iss := env.Compile(f.Condition.Src)
		if len(iss) > 0 {
			return nil, fmt.Errorf("segment %s: %s", name, iss[0].Message)
		}
		seg.Condition = c
	} else {
		seg.Members = make(map[string]bool, len(f.Contacts))
		for _, id := range f.Contacts {
			seg.Members[id] = true
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.segs == nil {
		l.segs = map[string]map[string]*segment.Segment{}
	}
	if l.segs[bu] == nil {
		l.segs[bu] = map[string]*segment.Segment{}
	}
	l.segs[bu][name] = seg
	return seg, nil
}

func (s *Schema) segmentAttrs() []segment.Attribute {
	out := make([]segment.Attribute, 0, len(s.Attributes))
	for _, n := range s.Names() {
		a := s.Attributes[n]
		if !contains(attrTypes, a.Type) {
			continue // reported by checkSchema
		}
		out = append(out, segment.Attribute{Name: n, Type: segment.Type(a.Type), Personal: a.Personal})
	}
	return out
}

// CheckSegment checks a segment file against its business unit's schema.
func (l *Library) CheckSegment(s *SegmentFile) Problems {
	var p Problems
	requireString(&p, s.Meta, "name", s.Name, "segment")
	requireString(&p, s.Meta, "businessUnit", s.BusinessUnit, "segment")
	if s.Name != "" && !idRE.MatchString(s.Name) {
		p.Add(s.At("name"), "lower-case letters, digits and hyphens, starting with a letter", "segment name %q is not valid", s.Name)
	}
	hasCond, hasList := s.Condition.IsSet(), s.Has("contacts")
	switch {
	case hasCond && hasList:
		p.Add(s.At("contacts"), "a segment is either a condition or a static list", "segment %q has both \"condition\" and \"contacts\"", s.Name)
	case !hasCond && !hasList:
		p.Add(s.Pos, "add a CEL condition, or a static list of contact ids", "segment %q has neither \"condition\" nor \"contacts\"", s.Name)
	}
	seen := map[string]bool{}
	for _, id := range s.Contacts {
		if seen[id] {
			p.Add(s.At("contacts"), "", "segment %q lists contact %q twice", s.Name, id)
		}
		seen[id] = true
	}
	if hasCond && s.BusinessUnit != "" {
		env, err := l.Env(s.BusinessUnit)
		if err != nil {
			p.Add(s.At("businessUnit"), "add journeys/schema/"+s.BusinessUnit+".schema.yaml", "%v", err)
			return p
		}
		p = append(p, checkExpr(env, s.Condition, "segment "+quote(s.Name))...)
	}
	return p
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// checkExpr compiles a condition and places its issues in the file.
func checkExpr(env *segment.Env, e *Expr, what string) Problems {
	_, p := compileExpr(env, e, what)
	return p
}

func compileExpr(env *segment.Env, e *Expr, what string) (*segment.Condition, Problems) {
	var p Problems
	if !e.IsSet() {
		p.Add(e.Pos, "", "%s: the condition is empty", what)
		return nil, p
	}
	c, issues := env.Compile(e.Src)
	for _, is := range issues {
		p.Add(e.At(is.Line, is.Col), is.Hint, "%s: %s", what, is.Message)
	}
	return c, p
}
