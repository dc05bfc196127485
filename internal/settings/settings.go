package settings

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/webhook"
	"go.yaml.in/yaml/v3"
)

// ErrNotFound is returned (wrapped) when a business unit has no settings
// file.
var ErrNotFound = errors.New("settings: no settings file")

// Provider kinds a channel may use.
const (
	ProviderWebhook = "webhook" // POST to a provider speaking docs/channel-protocol.md
	ProviderOutbox  = "outbox"  // write files into a local folder (dev server)
)

// Settings are one business unit's settings. Values are read-only once
// loaded and safe for concurrent use.
type Settings struct {
	BusinessUnit string `yaml:"businessUnit"`
	// Sender is who messages come from.
	Sender Sender `yaml:"sender"`
	// PostalAddress is printed in marketing email footers (CAN-SPAM).
	PostalAddress string `yaml:"postalAddress,omitempty"`
	// Timezone is the IANA zone for contacts without one (quiet hours,
	// times of day). Default UTC.
	Timezone string `yaml:"timezone,omitempty"`
	// Tracking configures the open/click/unsubscribe links.
	Tracking Tracking `yaml:"tracking"`
	// Outbound is the allow-list of every outgoing call.
	Outbound Outbound `yaml:"outbound"`
	// Channels maps a channel name (email, sms, or a custom channel's
	// name) to how it delivers.
	Channels map[string]Channel `yaml:"channels"`
	// Actions maps a webhook step's action name to its endpoint.
	Actions map[string]Action `yaml:"actions,omitempty"`
	// Preferences is what the preference centre offers.
	Preferences Preferences `yaml:"preferences,omitempty"`
	// Sections holds every other top-level key, for the packages that own
	// them (decode with Section).
	Sections map[string]yaml.Node `yaml:",inline"`

	// File is where the settings were read from.
	File string `yaml:"-"`
}

// Sender is the From of messages.
type Sender struct {
	Name    string `yaml:"name"`
	Email   string `yaml:"email"`
	ReplyTo string `yaml:"replyTo,omitempty"`
	// SMS is the sender id or number of text messages.
	SMS string `yaml:"sms,omitempty"`
}

// Tracking configures the links rendered into messages.
type Tracking struct {
	// BaseURL is where the tracking endpoint is mounted, e.g.
	// https://api.example.com/t. Empty: the deployment's default (the
	// TRACKING_BASE_URL the function is given).
	BaseURL string `yaml:"baseUrl,omitempty"`
	// Keys sign links and tokens, newest first; each names a secret.
	Keys []Key `yaml:"keys"`
	// Mailto is the address of the List-Unsubscribe mailto URI (optional).
	Mailto string `yaml:"mailto,omitempty"`
}

// Key is a tracking signing key: its id (in URLs) and its secret's name.
type Key struct {
	ID     string `yaml:"id"`
	Secret string `yaml:"secret"`
}

// Outbound is the allow-list of outgoing calls (webhook.Policy).
type Outbound struct {
	AllowedHosts    []string `yaml:"allowedHosts,omitempty"`
	AnyHost         bool     `yaml:"anyHost,omitempty"`
	HTTPHosts       []string `yaml:"httpHosts,omitempty"`
	AllowedNetworks []string `yaml:"allowedNetworks,omitempty"`
}

// Channel is how one channel delivers.
type Channel struct {
	// Provider is webhook or outbox.
	Provider string `yaml:"provider"`
	// URL is the provider's endpoint (webhook).
	URL string `yaml:"url,omitempty"`
	// Secret names the secret deliveries are signed with (webhook); the
	// provider signs its status callbacks with it too.
	Secret string `yaml:"secret,omitempty"`
	// Timeout bounds each delivery attempt (default 10s).
	Timeout Duration `yaml:"timeout,omitempty"`
	// Folder is where the outbox writes (outbox; default outbox).
	Folder string `yaml:"folder,omitempty"`
}

// Action is an outbound webhook a journey's webhook step calls.
type Action struct {
	URL     string   `yaml:"url"`
	Method  string   `yaml:"method,omitempty"` // default POST
	Timeout Duration `yaml:"timeout,omitempty"`
	// Secret names the signing secret; empty sends unsigned (for URLs that
	// carry their own signature), which must be said with unsigned: true.
	Secret   string `yaml:"secret,omitempty"`
	Unsigned bool   `yaml:"unsigned,omitempty"`
}

// Preferences is what the preference centre shows.
type Preferences struct {
	Brand    string       `yaml:"brand,omitempty"`
	Topics   []Topic      `yaml:"topics,omitempty"`
	Channels []PrefOption `yaml:"channels,omitempty"`
}

// Topic is one subscription topic.
type Topic struct {
	ID          string `yaml:"id"`
	Label       string `yaml:"label"`
	Description string `yaml:"description,omitempty"`
	Default     bool   `yaml:"default,omitempty"`
}

// PrefOption is one channel on the preference page.
type PrefOption struct {
	ID      string `yaml:"id"`
	Label   string `yaml:"label"`
	Default bool   `yaml:"default,omitempty"`
}

// Duration is a time.Duration written as "10s", "2m".
type Duration struct{ time.Duration }

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration like 10s or 2m", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes the duration as text.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// Or returns the duration, or def when it is zero.
func (d Duration) Or(def time.Duration) time.Duration {
	if d.Duration <= 0 {
		return def
	}
	return d.Duration
}

var (
	nameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	secretRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/_+=.@-]{0,200}$`)
)

// Parse reads a settings file's text; file names it in errors.
func Parse(file string, src []byte) (*Settings, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var s Settings
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	s.File = file
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &s, nil
}

// check validates what the handlers rely on.
func (s *Settings) check() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.BusinessUnit == "" {
		add("businessUnit is missing")
	}
	if s.Timezone != "" {
		if _, err := time.LoadLocation(s.Timezone); err != nil {
			add("timezone %q is not an IANA time zone", s.Timezone)
		}
	}
	for i, k := range s.Tracking.Keys {
		if k.ID == "" || !secretRE.MatchString(k.Secret) {
			add("tracking.keys[%d] needs an id and a secret name", i)
		}
	}
	for _, name := range sortedKeys(s.Channels) {
		c := s.Channels[name]
		switch c.Provider {
		case ProviderWebhook:
			if c.URL == "" || !secretRE.MatchString(c.Secret) {
				add("channels.%s: a webhook provider needs url and secret", name)
			}
		case ProviderOutbox:
		default:
			add("channels.%s: provider %q is not webhook or outbox", name, c.Provider)
		}
	}
	for _, name := range sortedKeys(s.Actions) {
		a := s.Actions[name]
		if !nameRE.MatchString(name) {
			add("actions.%s: names are lower-case letters, digits, - and _", name)
		}
		if a.URL == "" {
			add("actions.%s: url is missing", name)
		}
		if a.Secret == "" && !a.Unsigned {
			add("actions.%s: give a secret, or unsigned: true for a URL that carries its own signature", name)
		} else if a.Secret != "" && !secretRE.MatchString(a.Secret) {
			add("actions.%s: secret %q is not a secret name", name, a.Secret)
		}
	}
	if _, err := s.Outbound.Policy(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Section decodes the top-level section name into v. It reports false
// (and leaves v alone) when the file has no such section.
func (s *Settings) Section(name string, v any) (bool, error) {
	n, ok := s.Sections[name]
	if !ok {
		return false, nil
	}
	if err := n.Decode(v); err != nil {
		return true, fmt.Errorf("%s: section %s: %w", s.File, name, err)
	}
	return true, nil
}

// UnknownSections returns the top-level sections that are not among known,
// sorted: a tool checking a file for typos passes the sections every
// package it links understands.
func (s *Settings) UnknownSections(known ...string) []string {
	var out []string
	for _, k := range sortedKeys(s.Sections) {
		found := false
		for _, n := range known {
			found = found || n == k
		}
		if !found {
			out = append(out, k)
		}
	}
	return out
}

// Location returns the business unit's default time zone (UTC when unset).
func (s *Settings) Location() *time.Location {
	if s.Timezone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Policy returns the webhook.Policy of the allow-list.
func (o Outbound) Policy() (*webhook.Policy, error) {
	p := &webhook.Policy{AllowedHosts: o.AllowedHosts, AnyHost: o.AnyHost, HTTPHosts: o.HTTPHosts}
	for _, n := range o.AllowedNetworks {
		pfx, err := netip.ParsePrefix(n)
		if err != nil {
			return nil, fmt.Errorf("outbound.allowedNetworks: %q is not a CIDR prefix", n)
		}
		p.AllowedNetworks = append(p.AllowedNetworks, pfx)
	}
	return p, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FileName is the settings file of a business unit inside a folder.
func FileName(dir, bu string) string {
	return filepath.Join(dir, bu+".settings.yaml")
}

// A Dir loads settings files from a folder, once per business unit. It is
// safe for concurrent use.
type Dir struct {
	path  string
	mu    sync.Mutex
	cache map[string]*Settings
}

// NewDir returns a loader of the files in path.
func NewDir(path string) *Dir { return &Dir{path: path, cache: map[string]*Settings{}} }

// Path returns the folder.
func (d *Dir) Path() string { return d.path }

// For returns a business unit's settings: ErrNotFound without a file, a
// parse error naming the file and line otherwise.
func (d *Dir) For(bu string) (*Settings, error) {
	if bu == "" || strings.ContainsAny(bu, `/\`) || strings.HasPrefix(bu, ".") {
		return nil, fmt.Errorf("settings of business unit %q: %w", bu, ErrNotFound)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.cache[bu]; ok {
		return s, nil
	}
	file := FileName(d.path, bu)
	src, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("settings of business unit %s (%s): %w", bu, file, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("settings of business unit %s: %w", bu, err)
	}
	s, err := Parse(file, src)
	if err != nil {
		return nil, err
	}
	if s.BusinessUnit != bu {
		return nil, fmt.Errorf("%s: businessUnit is %q, the file name says %q", file, s.BusinessUnit, bu)
	}
	d.cache[bu] = s
	return s, nil
}
