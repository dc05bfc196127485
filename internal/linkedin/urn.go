package linkedin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/journeys-oss/journeys/internal/linkedin/restli"
)

// URN prefixes this package reads.
const (
	leadURNPrefix          = "urn:li:leadGenFormResponse:"
	formURNPrefix          = "urn:li:leadGenForm:"
	versionedFormURNPrefix = "urn:li:versionedLeadGenForm:"
)

// ErrInvalidURN is wrapped by URN parsing errors.
var ErrInvalidURN = errors.New("invalid LinkedIn URN")

// A Union is a Rest.li union of URNs, written in JSON as an object with one
// key naming the member: {"sponsoredAccount": "urn:li:sponsoredAccount:123"}.
// Owners (sponsoredAccount, organization) and associated entities
// (sponsoredCreative, associatedCreative, event, ...) use it.
type Union struct {
	Kind string
	URN  string
}

// OwnerFromURN derives an owner union from its URN's type:
// urn:li:sponsoredAccount:N gives sponsoredAccount, urn:li:organization:N
// (and urn:li:organizationBrand:N) organization.
func OwnerFromURN(urn string) (Union, error) {
	parts := strings.SplitN(urn, ":", 4)
	if len(parts) != 4 || parts[0] != "urn" || parts[1] != "li" || parts[3] == "" {
		return Union{}, fmt.Errorf("%w: %q is not urn:li:<type>:<id>", ErrInvalidURN, urn)
	}
	switch parts[2] {
	case "sponsoredAccount":
		return Union{Kind: "sponsoredAccount", URN: urn}, nil
	case "organization", "organizationBrand":
		return Union{Kind: "organization", URN: urn}, nil
	}
	return Union{}, fmt.Errorf("%w: owner type %q (want sponsoredAccount or organization)", ErrInvalidURN, parts[2])
}

// IsZero reports whether u is empty.
func (u Union) IsZero() bool { return u.Kind == "" && u.URN == "" }

// MarshalJSON writes {"<Kind>": "<URN>"}.
func (u Union) MarshalJSON() ([]byte, error) {
	if u.Kind == "" {
		return []byte("null"), nil
	}
	return json.Marshal(map[string]string{u.Kind: u.URN})
}

// UnmarshalJSON reads an object with exactly one string member.
func (u *Union) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*u = Union{}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("union: want an object of one URN: %w", err)
	}
	if len(m) != 1 {
		return fmt.Errorf("union: want exactly one member, got %d", len(m))
	}
	for k, v := range m {
		if k == "" || !strings.HasPrefix(v, "urn:") {
			return fmt.Errorf("union member %q: %q is not a URN", k, v)
		}
		*u = Union{Kind: k, URN: v}
	}
	return nil
}

// restli returns the union as a Rest.li object value.
func (u Union) restli() restli.Object {
	return restli.Object{{Key: u.Kind, Value: u.URN}}
}

// A FormVersion names one immutable version of a lead gen form, as the URN
// urn:li:versionedLeadGenForm:(urn:li:leadGenForm:<FormID>,<Version>).
type FormVersion struct {
	FormID  int64
	Version int64
}

// ParseFormVersion reads a versioned lead gen form URN.
func ParseFormVersion(urn string) (FormVersion, error) {
	inner, ok := strings.CutPrefix(urn, versionedFormURNPrefix+"(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return FormVersion{}, fmt.Errorf("%w: %q is not a versionedLeadGenForm URN", ErrInvalidURN, urn)
	}
	form, ver, ok := strings.Cut(strings.TrimSuffix(inner, ")"), ",")
	if !ok {
		return FormVersion{}, fmt.Errorf("%w: %q has no version", ErrInvalidURN, urn)
	}
	idText, ok := strings.CutPrefix(form, formURNPrefix)
	id, err1 := strconv.ParseInt(idText, 10, 64)
	v, err2 := strconv.ParseInt(ver, 10, 64)
	if !ok || err1 != nil || err2 != nil || id <= 0 || v <= 0 {
		return FormVersion{}, fmt.Errorf("%w: %q: want positive form id and version", ErrInvalidURN, urn)
	}
	return FormVersion{FormID: id, Version: v}, nil
}

// URN returns the versioned form URN.
func (f FormVersion) URN() string {
	return fmt.Sprintf("%s(%s%d,%d)", versionedFormURNPrefix, formURNPrefix, f.FormID, f.Version)
}

// String is the URN.
func (f FormVersion) String() string { return f.URN() }

// LeadIDFromURN returns the id in urn:li:leadGenFormResponse:<id>. A bare id
// is accepted too. Ids look like 249592fc-d272-44ba-a7db-c2bdce579507-6.
func LeadIDFromURN(s string) (string, error) {
	id := strings.TrimPrefix(s, leadURNPrefix)
	if id == "" || len(id) > 128 {
		return "", fmt.Errorf("%w: lead id of %d bytes", ErrInvalidURN, len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", fmt.Errorf("%w: lead id has character %q", ErrInvalidURN, c)
		}
	}
	return id, nil
}

// LeadURN returns urn:li:leadGenFormResponse:<id>.
func LeadURN(id string) string { return leadURNPrefix + id }
