package store

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// A Contact is a person a business unit sends journeys to.
type Contact struct {
	BU             string           `json:"bu"`
	ID             string           `json:"id"`
	Email          string           `json:"email,omitempty"` // normalised (NormalizeEmail)
	Phone          string           `json:"phone,omitempty"` // normalised (NormalizePhone)
	FirstName      string           `json:"firstName,omitempty"`
	LastName       string           `json:"lastName,omitempty"`
	Company        string           `json:"company,omitempty"`
	JobTitle       string           `json:"jobTitle,omitempty"`
	Country        string           `json:"country,omitempty"`
	Timezone       string           `json:"timezone,omitempty"` // IANA name
	Locale         string           `json:"locale,omitempty"`   // BCP 47
	Owner          string           `json:"owner,omitempty"`    // sales owner (rep) id
	LifecycleStage string           `json:"lifecycleStage,omitempty"`
	Attributes     map[string]Value `json:"attributes,omitempty"`
	// Channels holds consent per channel ("email", "sms", custom names).
	Channels map[string]Consent `json:"channels,omitempty"`
	// Topics holds consent per subscription topic.
	Topics    map[string]Consent `json:"topics,omitempty"`
	Source    string             `json:"source,omitempty"` // e.g. a LinkedIn form URN
	CreatedAt time.Time          `json:"createdAt"`
	UpdatedAt time.Time          `json:"updatedAt"`
	// Revision counts the writes; UpsertContact can make a write
	// conditional on it (optimistic concurrency).
	Revision int64 `json:"revision"`
}

// ConsentStatus is granted, denied or unknown.
type ConsentStatus string

// Consent statuses.
const (
	ConsentGranted ConsentStatus = "granted"
	ConsentDenied  ConsentStatus = "denied"
	ConsentUnknown ConsentStatus = "unknown"
)

// Consent is the state of one consent (a channel or a topic): what, where it
// came from, when. When two writes disagree, the newer At wins.
type Consent struct {
	Status ConsentStatus `json:"status"`
	Source string        `json:"source,omitempty"`
	At     time.Time     `json:"at"`
}

// ValueKind is the type of a custom attribute value.
type ValueKind string

// Value kinds.
const (
	KindString ValueKind = "string"
	KindNumber ValueKind = "number"
	KindBool   ValueKind = "bool"
	KindTime   ValueKind = "timestamp"
	KindList   ValueKind = "list" // list of strings
)

// A Value is a typed custom attribute value. Only the field of its Kind is
// meaningful; build values with StringValue, NumberValue, BoolValue,
// TimeValue and ListValue.
type Value struct {
	Kind ValueKind `json:"kind"`
	Str  string    `json:"s,omitempty"`
	Num  float64   `json:"n,omitempty"`
	Bool bool      `json:"b,omitempty"`
	Time time.Time `json:"t,omitzero"`
	List []string  `json:"l,omitempty"`
}

// StringValue returns a string value.
func StringValue(s string) Value { return Value{Kind: KindString, Str: s} }

// NumberValue returns a number value.
func NumberValue(n float64) Value { return Value{Kind: KindNumber, Num: n} }

// BoolValue returns a boolean value.
func BoolValue(b bool) Value { return Value{Kind: KindBool, Bool: b} }

// TimeValue returns a timestamp value (stored in UTC).
func TimeValue(t time.Time) Value { return Value{Kind: KindTime, Time: UTC(t)} }

// ListValue returns a list-of-strings value.
func ListValue(l ...string) Value { return Value{Kind: KindList, List: append([]string(nil), l...)} }

// Any returns the value as a Go value: string, float64, bool, time.Time or
// []string.
func (v Value) Any() any {
	switch v.Kind {
	case KindNumber:
		return v.Num
	case KindBool:
		return v.Bool
	case KindTime:
		return v.Time
	case KindList:
		return v.List
	}
	return v.Str
}

// String returns a pointer to s, for ContactPatch fields.
func String(s string) *string { return &s }

// A ContactPatch is an upsert: every nil field, missing attribute and
// missing consent key is left as it is. A field set to "" clears it.
type ContactPatch struct {
	// ID names the contact to update or create. UpsertContact generates one
	// when empty; UpsertContactByEmail ignores it for existing contacts.
	ID             string
	Email          *string
	Phone          *string
	FirstName      *string
	LastName       *string
	Company        *string
	JobTitle       *string
	Country        *string
	Timezone       *string
	Locale         *string
	Owner          *string
	LifecycleStage *string
	Source         *string
	// Attributes are set per key; RemoveAttributes deletes keys.
	Attributes       map[string]Value
	RemoveAttributes []string
	// Channels and Topics merge per key: an entry replaces the stored one
	// only if its At is not older.
	Channels map[string]Consent
	Topics   map[string]Consent
	// ExpectRevision, when not zero, makes the write fail with ErrConflict
	// unless the stored contact has this revision (ErrNotFound if there is
	// no contact).
	ExpectRevision int64
}

// IsContactField reports whether name is one of the contact's own string
// fields as the contact schema, conditions and templates name them
// (internal/profile): email, phone, firstName, lastName, company,
// jobTitle, country, timezone, locale, owner, lifecycleStage. Everything
// else a contact holds by name is a custom attribute.
func IsContactField(name string) bool { return (&ContactPatch{}).field(name) != nil }

// SetField sets the contact's own field name (see IsContactField) to
// value and reports true; for any other name it changes nothing and
// reports false, so the caller can store a custom attribute instead.
func (p *ContactPatch) SetField(name, value string) bool {
	f := p.field(name)
	if f != nil {
		*f = &value
	}
	return f != nil
}

func (p *ContactPatch) field(name string) **string {
	switch name {
	case "email":
		return &p.Email
	case "phone":
		return &p.Phone
	case "firstName":
		return &p.FirstName
	case "lastName":
		return &p.LastName
	case "company":
		return &p.Company
	case "jobTitle":
		return &p.JobTitle
	case "country":
		return &p.Country
	case "timezone":
		return &p.Timezone
	case "locale":
		return &p.Locale
	case "owner":
		return &p.Owner
	case "lifecycleStage":
		return &p.LifecycleStage
	}
	return nil
}

// Normalize returns the patch with Email and Phone normalised. It fails with
// ErrInvalid on an unusable email address.
func (p ContactPatch) Normalize() (ContactPatch, error) {
	if p.Email != nil && *p.Email != "" {
		e, err := NormalizeEmail(*p.Email)
		if err != nil {
			return p, err
		}
		p.Email = &e
	}
	if p.Phone != nil && *p.Phone != "" {
		ph := NormalizePhone(*p.Phone)
		p.Phone = &ph
	}
	return p, nil
}

// Apply merges a normalised patch into c and returns the result, with
// UpdatedAt set to now, CreatedAt set if it was zero and Revision
// incremented. Both adapters call it, so merge rules are the same
// everywhere.
func (c Contact) Apply(p ContactPatch, now time.Time) Contact {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Email, p.Email)
	set(&c.Phone, p.Phone)
	set(&c.FirstName, p.FirstName)
	set(&c.LastName, p.LastName)
	set(&c.Company, p.Company)
	set(&c.JobTitle, p.JobTitle)
	set(&c.Country, p.Country)
	set(&c.Timezone, p.Timezone)
	set(&c.Locale, p.Locale)
	set(&c.Owner, p.Owner)
	set(&c.LifecycleStage, p.LifecycleStage)
	set(&c.Source, p.Source)
	if len(p.Attributes) > 0 || len(p.RemoveAttributes) > 0 {
		attrs := maps.Clone(c.Attributes)
		if attrs == nil {
			attrs = map[string]Value{}
		}
		for k, v := range p.Attributes {
			if v.Kind == KindTime {
				v.Time = UTC(v.Time)
			}
			attrs[k] = v
		}
		for _, k := range p.RemoveAttributes {
			delete(attrs, k)
		}
		c.Attributes = attrs
	}
	c.Channels = mergeConsent(c.Channels, p.Channels)
	c.Topics = mergeConsent(c.Topics, p.Topics)
	now = UTC(now)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.UpdatedAt = now
	c.Revision++
	return c
}

func mergeConsent(have, give map[string]Consent) map[string]Consent {
	if len(give) == 0 {
		return have
	}
	out := maps.Clone(have)
	if out == nil {
		out = map[string]Consent{}
	}
	for k, v := range give {
		v.At = UTC(v.At)
		if old, ok := out[k]; ok && v.At.Before(old.At) {
			continue
		}
		out[k] = v
	}
	return out
}

// NormalizeEmail returns the address trimmed and in lower case, the form it
// is stored, looked up and hashed in. It fails with ErrInvalid unless the
// address has one '@' with text on both sides.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.IndexByte(e, '@')
	if at <= 0 || at == len(e)-1 || strings.Count(e, "@") != 1 || strings.ContainsAny(e, " \t\r\n") || len(e) > 254 {
		return "", fmt.Errorf("malformed email address: %w", ErrInvalid)
	}
	return e, nil
}

// NormalizePhone returns the number without spaces, dots, dashes and
// parentheses, with a leading "00" turned into "+".
func NormalizePhone(phone string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	return s
}

// ContactScan selects one segment of a parallel enumeration of a business
// unit's contacts: segment Segment of Segments (1..Shards), page by page.
type ContactScan struct {
	Segment  int
	Segments int
	Cursor   string
	Limit    int
}

// Check returns ErrInvalid for an impossible segment.
func (s ContactScan) Check() error {
	if s.Segments < 1 || s.Segments > Shards || s.Segment < 0 || s.Segment >= s.Segments {
		return fmt.Errorf("segment %d of %d (segments must be 1..%d): %w", s.Segment, s.Segments, Shards, ErrInvalid)
	}
	return nil
}

// ShardsOf returns the shards segment reads, in order: seg, seg+n, ...
func ShardsOf(segment, segments int) []int {
	var out []int
	for s := segment; s < Shards; s += segments {
		out = append(out, s)
	}
	return out
}

// Owner is a sales owner (rep); content renders the owner's name.
type Owner struct {
	BU    string `json:"bu"`
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// NormalizeAddress normalises an email address or phone number by kind.
func NormalizeAddress(kind AddressKind, address string) (string, error) {
	switch kind {
	case AddressEmail:
		return NormalizeEmail(address)
	case AddressPhone:
		if p := NormalizePhone(address); p != "" {
			return p, nil
		}
		return "", fmt.Errorf("malformed phone number: %w", ErrInvalid)
	}
	return "", fmt.Errorf("address kind %q: %w", kind, ErrInvalid)
}
