package journey

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/journeys-oss/journeys/internal/segment"
)

// File kinds, by name suffix.
const (
	SuffixJourney  = ".journey.yaml"
	SuffixSegment  = ".segment.yaml"
	SuffixSchema   = ".schema.yaml"
	SuffixContacts = ".contacts.yaml"
)

// Root returns the journeys folder a file belongs to: the folder holding
// schema/ and segments/. Files in schema/, segments/ and contacts/ belong
// to the folder above.
func Root(file string) string {
	dir := filepath.Dir(file)
	switch filepath.Base(dir) {
	case "schema", "segments", "contacts":
		return filepath.Dir(dir)
	}
	return dir
}

// ReadJourney reads, parses and checks a journey file.
func ReadJourney(file string, lib *Library) (*Checked, Problems) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, Problems{{Pos: Pos{File: file}, Message: fmt.Sprintf("read journey: %v", err)}}
	}
	j, probs := ParseJourney(file, src)
	if len(probs) > 0 {
		// Check what can be checked, to report everything at once, but a
		// journey that did not parse cleanly is never compiled.
		_, more := Check(j, lib)
		return nil, probs.Merge(more)
	}
	return Check(j, lib)
}

// ValidateFile checks one file of any kind (journey, segment, contact
// schema, sample contacts) against the library and returns its problems.
func ValidateFile(file string, lib *Library) Problems {
	src, err := os.ReadFile(file)
	if err != nil {
		return Problems{{Pos: Pos{File: file}, Message: fmt.Sprintf("read: %v", err)}}
	}
	switch {
	case strings.HasSuffix(file, SuffixJourney):
		_, probs := ReadJourney(file, lib)
		return probs
	case strings.HasSuffix(file, SuffixSegment):
		s, probs := ParseSegment(file, src)
		return append(probs, lib.CheckSegment(s)...).Sort()
	case strings.HasSuffix(file, SuffixSchema):
		_, probs := ParseSchema(file, src)
		return probs
	case strings.HasSuffix(file, SuffixContacts):
		c, probs := ParseContacts(file, src)
		return append(probs, lib.CheckContacts(c)...).Sort()
	}
	return Problems{{Pos: Pos{File: file}, Message: "unknown kind of file",
		Hint: "name it <id>.journey.yaml, <name>.segment.yaml, <bu>.schema.yaml or <bu>.contacts.yaml"}}
}

// CheckContacts checks sample contacts against their business unit's
// schema: unique ids, declared attributes with values of the right type,
// consent keys that name a channel as a send step does (see
// checkConsentChannel).
func (l *Library) CheckContacts(c *ContactsFile) Problems {
	var p Problems
	requireString(&p, c.Meta, "businessUnit", c.BusinessUnit, "contacts file")
	s, ok := l.Schemas[c.BusinessUnit]
	if c.BusinessUnit != "" && !ok {
		p.Add(c.At("businessUnit"), didYouMean(c.BusinessUnit, keys(l.Schemas)), "business unit %q has no contact schema", c.BusinessUnit)
	}
	seen := map[string]bool{}
	for _, k := range c.Contacts {
		if k == nil {
			continue
		}
		if k.ID == "" {
			p.Add(k.Pos, "", "contact: missing \"id\"")
		} else if seen[k.ID] {
			p.Add(k.At("id"), "", "duplicate contact id %q", k.ID)
		}
		seen[k.ID] = true
		names := keys(k.Consent)
		sort.Strings(names)
		for _, ch := range names {
			checkConsentChannel(&p, k, ch)
		}
		for _, in := range k.Interactions {
			if in != nil && !eventRE.MatchString(in.Type) {
				p.Add(in.At("type"), "dotted names like email.opened", "contact %q: interaction type %q is not valid", k.ID, in.Type)
			}
		}
		if s == nil {
			continue
		}
		for _, f := range k.Attributes {
			a, ok := s.Attributes[f.Key]
			if !ok {
				p.Add(f.KeyPos, didYouMean(f.Key, s.Names()), "contact %q: unknown attribute %q", k.ID, f.Key)
				continue
			}
			if f.Value == nil {
				continue
			}
			if err := segment.CheckValue(segment.Type(a.Type), f.Value); err != nil {
				p.Add(f.Pos, "", "contact %q: value does not fit %s attribute %q", k.ID, a.Type, f.Key)
			} else if len(a.Values) > 0 && !contains(a.Values, fmt.Sprint(f.Value)) {
				p.Add(f.Pos, didYouMean(fmt.Sprint(f.Value), a.Values), "contact %q: %q is not a value of attribute %q", k.ID, f.Value, f.Key)
			}
		}
	}
	return p
}

// checkConsentChannel checks one consent key of a sample contact. Consent
// is kept per channel name, and a send checks the name it delivers on:
// email, sms, or a custom send's customChannel (push, ...), which is also
// the key of the business unit's settings channels. So a contacts file
// names exactly those, with the same rule as customChannel; "custom" is
// the class of such channels, not a channel, and would grant nothing.
func checkConsentChannel(p *Problems, k *SampleContact, ch string) {
	switch {
	case ch == ChannelCustom:
		p.Add(k.At("consent"), "name the custom channel as its sends do, e.g. push: true", "contact %q: \"custom\" is not a channel to consent to", k.ID)
	case ch == ChannelEmail || ch == ChannelSMS:
	case !idRE.MatchString(ch):
		p.Add(k.At("consent"), "email, sms, or a custom channel's name such as push", "contact %q: consent channel %q is not a valid channel name", k.ID, ch)
	}
}
