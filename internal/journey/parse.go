package journey

import (
	"regexp"
	"sort"
)

// ParseJourney reads a journey file. It returns the journey (possibly
// partial) and every problem found while reading it; Check finds the rest.
func ParseJourney(file string, src []byte) (*Journey, Problems) {
	j := &Journey{Source: file}
	probs := decodeFile(file, src, j)
	if j.Pos.File == "" {
		j.Pos = Pos{File: file, Line: 1, Col: 1}
	}
	return j, probs.Sort()
}

// ParseSchema reads a business unit's contact schema file and checks it.
func ParseSchema(file string, src []byte) (*Schema, Problems) {
	s := &Schema{Source: file}
	probs := decodeFile(file, src, s)
	if s.Pos.File == "" {
		s.Pos = Pos{File: file, Line: 1, Col: 1}
	}
	probs = append(probs, checkSchema(s)...)
	return s, probs.Sort()
}

// ParseSegment reads a segment file. CheckSegment checks its condition
// against the contact schema.
func ParseSegment(file string, src []byte) (*SegmentFile, Problems) {
	s := &SegmentFile{Source: file}
	probs := decodeFile(file, src, s)
	if s.Pos.File == "" {
		s.Pos = Pos{File: file, Line: 1, Col: 1}
	}
	return s, probs.Sort()
}

// ParseContacts reads a sample contacts file. CheckContacts checks it
// against the contact schema.
func ParseContacts(file string, src []byte) (*ContactsFile, Problems) {
	c := &ContactsFile{Source: file}
	probs := decodeFile(file, src, c)
	if c.Pos.File == "" {
		c.Pos = Pos{File: file, Line: 1, Col: 1}
	}
	return c, probs.Sort()
}

var (
	idRE    = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	stepRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	attrRE  = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)
	eventRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$`)
)

// Limits on names.
const (
	maxIDLen     = 48
	maxStepIDLen = 48
	maxSteps     = 500
)

func checkSchema(s *Schema) Problems {
	var p Problems
	requireString(&p, s.Meta, "businessUnit", s.BusinessUnit, "contact schema")
	if s.BusinessUnit != "" && !idRE.MatchString(s.BusinessUnit) {
		p.Add(s.At("businessUnit"), "lower-case letters, digits and hyphens", "business unit %q is not a valid id", s.BusinessUnit)
	}
	if len(s.Attributes) == 0 {
		p.Add(s.At("attributes"), "declare each attribute with its type", "the contact schema declares no attributes")
	}
	names := make([]string, 0, len(s.Attributes))
	for n := range s.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := s.Attributes[n]
		if a == nil { // written with no value: placed at its entry
			a = &Attribute{Meta: Meta{Pos: s.At("attributes." + n)}}
			s.Attributes[n] = a
		}
		a.Name = n
		if !attrRE.MatchString(n) {
			p.Add(a.Pos, "letters, digits and _, starting with a letter (camelCase)", "attribute name %q is not valid", n)
		}
		switch {
		case a.Type == "":
			p.Add(a.Pos, allowed(attrTypes), "attribute %q: missing \"type\"", n)
		case !contains(attrTypes, a.Type):
			p.Add(a.At("type"), didYouMean(a.Type, attrTypes), "attribute %q: unknown type %q", n, a.Type)
		}
		if len(a.Values) > 0 && a.Type != "string" {
			p.Add(a.At("values"), "only string attributes list allowed values", "attribute %q: values given for a %s", n, a.Type)
		}
	}
	return p
}

// attrTypes are the attribute types a contact schema may declare.
var attrTypes = []string{"string", "int", "double", "bool", "timestamp", "list"}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func requireString(p *Problems, m Meta, key, val, what string) {
	if val == "" {
		if m.Has(key) {
			p.Add(m.At(key), "", "%s: %q is empty", what, key)
		} else {
			p.Add(m.Pos, "", "%s: missing %q", what, key)
		}
	}
}
