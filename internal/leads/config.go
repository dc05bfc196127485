package leads

import (
	"fmt"
	"sort"

	"github.com/journeys-oss/journeys/internal/linkedin"
)

// Policy values of Config.
const (
	MatchEmail  = "email"  // match contacts by email within the business unit
	MatchCreate = "create" // always create a contact per lead

	MissingEmailSkip   = "skip"   // do not create a contact; record why
	MissingEmailCreate = "create" // create a contact without an email address

	DeleteErase = "erase" // remove what the lead brought (see the package doc)
	DeleteKeep  = "keep"  // only record the tombstone
)

// Config is one business unit's LinkedIn section of its settings file
// (YAML key "linkedin"). Zero values take the documented defaults.
type Config struct {
	// Owners lists the sponsoredAccount or organization URNs whose leads
	// belong to this business unit.
	Owners []string `yaml:"owners"`
	// Mapping maps form answers to contact attributes and consents.
	Mapping MappingConfig `yaml:"mapping"`
	// Match is "email" (default) or "create".
	Match string `yaml:"match,omitempty"`
	// MissingEmail is "skip" (default) or "create".
	MissingEmail string `yaml:"missingEmail,omitempty"`
	// TestJourneys names the journeys test leads may enter (they must
	// still have a matching linkedinForm trigger). Empty: test leads are
	// recorded and go nowhere.
	TestJourneys []string `yaml:"testJourneys,omitempty"`
	// OnDelete is "erase" (default) or "keep".
	OnDelete string `yaml:"onDelete,omitempty"`
}

// MappingConfig is linkedin.Mapping in YAML: Default applies to every
// form; Forms, by form id, add to it and win on conflicts.
type MappingConfig struct {
	Default FormMappingConfig           `yaml:"default"`
	Forms   map[int64]FormMappingConfig `yaml:"forms,omitempty"`
}

// FormMappingConfig is linkedin.FormMapping in YAML.
type FormMappingConfig struct {
	// Questions maps a custom question (name or decimal id) to an attribute.
	Questions map[string]string `yaml:"questions,omitempty"`
	// HiddenFields maps a hidden field name to an attribute.
	HiddenFields map[string]string `yaml:"hiddenFields,omitempty"`
	// Consents maps a consent id of the form to what ticking it grants.
	Consents map[int64]ConsentConfig `yaml:"consents,omitempty"`
	// Predefined overrides the attribute of a predefined field.
	Predefined map[string]string `yaml:"predefined,omitempty"`
}

// ConsentConfig says what an accepted consent grants: a channel, a topic
// or both.
type ConsentConfig struct {
	Channel string `yaml:"channel,omitempty"`
	Topic   string `yaml:"topic,omitempty"`
}

// Check reports configuration mistakes.
func (c Config) Check() error {
	switch c.Match {
	case "", MatchEmail, MatchCreate:
	default:
		return fmt.Errorf("linkedin.match %q: want %s or %s", c.Match, MatchEmail, MatchCreate)
	}
	switch c.MissingEmail {
	case "", MissingEmailSkip, MissingEmailCreate:
	default:
		return fmt.Errorf("linkedin.missingEmail %q: want %s or %s", c.MissingEmail, MissingEmailSkip, MissingEmailCreate)
	}
	switch c.OnDelete {
	case "", DeleteErase, DeleteKeep:
	default:
		return fmt.Errorf("linkedin.onDelete %q: want %s or %s", c.OnDelete, DeleteErase, DeleteKeep)
	}
	for _, o := range c.Owners {
		if _, err := linkedin.OwnerFromURN(o); err != nil {
			return fmt.Errorf("linkedin.owners: %w", err)
		}
	}
	return nil
}

func (c Config) match() string        { return or(c.Match, MatchEmail) }
func (c Config) missingEmail() string { return or(c.MissingEmail, MissingEmailSkip) }
func (c Config) onDelete() string     { return or(c.OnDelete, DeleteErase) }

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// LinkedInMapping converts the YAML mapping to linkedin.Mapping.
func (m MappingConfig) LinkedInMapping() linkedin.Mapping {
	out := linkedin.Mapping{Default: m.Default.formMapping()}
	if len(m.Forms) > 0 {
		out.Forms = make(map[int64]linkedin.FormMapping, len(m.Forms))
		for id, f := range m.Forms {
			out.Forms[id] = f.formMapping()
		}
	}
	return out
}

func (f FormMappingConfig) formMapping() linkedin.FormMapping {
	fm := linkedin.FormMapping{Questions: f.Questions, HiddenFields: f.HiddenFields, Predefined: f.Predefined}
	if len(f.Consents) > 0 {
		fm.Consents = make(map[int64]linkedin.ConsentTarget, len(f.Consents))
		for id, c := range f.Consents {
			fm.Consents[id] = linkedin.ConsentTarget{Channel: c.Channel, Topic: c.Topic}
		}
	}
	return fm
}

// Routes maps an owner URN to the business unit its leads belong to.
type Routes map[string]string

// NewRoutes builds the routes of every business unit's Config. An owner
// claimed by two business units is an error.
func NewRoutes(configs map[string]Config) (Routes, error) {
	bus := make([]string, 0, len(configs))
	for bu := range configs {
		bus = append(bus, bu)
	}
	sort.Strings(bus)
	r := Routes{}
	for _, bu := range bus {
		for _, o := range configs[bu].Owners {
			if prev, ok := r[o]; ok && prev != bu {
				return nil, fmt.Errorf("linkedin owner %s is claimed by business units %s and %s", o, prev, bu)
			}
			r[o] = bu
		}
	}
	return r, nil
}

// BU returns the business unit of an owner.
func (r Routes) BU(owner linkedin.Union) (string, bool) {
	bu, ok := r[owner.URN]
	return bu, ok
}
