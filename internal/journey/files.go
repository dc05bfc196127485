package journey

import "sort"

// A Schema is a business unit's contact schema: every contact attribute,
// its type, and whether it is personal data (email, phone, names, address,
// free text). Personal attributes never enter Step Functions.
type Schema struct {
	Meta         `yaml:"-"`
	BusinessUnit string                `yaml:"businessUnit"`
	Company      string                `yaml:"company,omitempty"`
	Attributes   map[string]*Attribute `yaml:"attributes"`
	Source       string                `yaml:"-"`
}

func (*Schema) kindName() string { return "contact schema" }

// An Attribute declares one contact attribute.
type Attribute struct {
	Meta        `yaml:"-"`
	Name        string   `yaml:"-"`
	Type        string   `yaml:"type" jsonschema:"enum=string,enum=int,enum=double,enum=bool,enum=timestamp,enum=list"`
	Personal    bool     `yaml:"personal,omitempty"`
	Values      []string `yaml:"values,omitempty"`
	Description string   `yaml:"description,omitempty"`
}

func (*Attribute) kindName() string { return "attribute" }

// Names returns the declared attribute names, sorted.
func (s *Schema) Names() []string {
	out := make([]string, 0, len(s.Attributes))
	for n := range s.Attributes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// A SegmentFile defines a named segment of a business unit: a CEL
// condition over the contact and its interactions, or a static list of
// contact ids.
type SegmentFile struct {
	Meta         `yaml:"-"`
	Name         string   `yaml:"name"`
	BusinessUnit string   `yaml:"businessUnit"`
	Description  string   `yaml:"description,omitempty"`
	Condition    *Expr    `yaml:"condition,omitempty"`
	Contacts     []string `yaml:"contacts,omitempty"`
	Source       string   `yaml:"-"`
}

func (*SegmentFile) kindName() string { return "segment" }

// A ContactsFile holds sample contacts of a business unit, for the local
// runtime and simulations.
type ContactsFile struct {
	Meta         `yaml:"-"`
	BusinessUnit string           `yaml:"businessUnit"`
	Contacts     []*SampleContact `yaml:"contacts"`
	Source       string           `yaml:"-"`
}

func (*ContactsFile) kindName() string { return "contacts file" }

// A SampleContact is one contact: id, consent per channel, attributes and
// past interactions.
type SampleContact struct {
	Meta         `yaml:"-"`
	ID           string               `yaml:"id"`
	Consent      map[string]bool      `yaml:"consent,omitempty"`
	Attributes   Fields               `yaml:"attributes"`
	Interactions []*SampleInteraction `yaml:"interactions,omitempty"`
}

func (*SampleContact) kindName() string { return "contact" }

// A SampleInteraction is something a contact did or received.
type SampleInteraction struct {
	Meta     `yaml:"-"`
	Type     string `yaml:"type"`
	When     Date   `yaml:"at"`
	Channel  string `yaml:"channel,omitempty"`
	Template string `yaml:"template,omitempty"`
	Journey  string `yaml:"journey,omitempty"`
	Form     string `yaml:"form,omitempty"`
	URL      string `yaml:"url,omitempty"`
}

func (*SampleInteraction) kindName() string { return "interaction" }
