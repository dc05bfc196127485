package approval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// SectionName is the settings file section approvals read.
const SectionName = "approvals"

// Section is the "approvals" section of a business unit's settings file.
// Every value names a secret (the settings file never holds one):
//
//	approvals:
//	  flowUrl: approval-flow-url          # the flow's HTTP trigger URL
//	  secret: approval-flow-signing       # Standard Webhooks secret(s), whsec_ or raw
//	  callbackKey: approval-callback-key  # key(s) of ≥ 32 bytes
//
// The callback key secret holds one key, or several separated by white
// space, newest first, as the Standard Webhooks secret does: during a
// rotation the newest signs callback URLs and any of them verifies.
type Section struct {
	FlowURL     string `yaml:"flowUrl"`
	Secret      string `yaml:"secret"`
	CallbackKey string `yaml:"callbackKey"`
}

// SettingsSource gives a business unit's settings (*settings.Dir).
type SettingsSource interface {
	For(bu string) (*settings.Settings, error)
}

// Resolve reads the secrets the section names.
func (s Section) Resolve(ctx context.Context, secrets settings.SecretSource) (Config, error) {
	if s.FlowURL == "" || s.Secret == "" || s.CallbackKey == "" {
		return Config{}, errors.New("approvals: flowUrl, secret and callbackKey must name secrets")
	}
	var c Config
	var err error
	if c.FlowURL, err = secrets.Secret(ctx, s.FlowURL); err != nil {
		return Config{}, fmt.Errorf("approvals.flowUrl: %w", err)
	}
	keys, err := secrets.Secret(ctx, s.CallbackKey)
	if err != nil {
		return Config{}, fmt.Errorf("approvals.callbackKey: %w", err)
	}
	if c.CallbackKeys = strings.Fields(keys); len(c.CallbackKeys) == 0 {
		return Config{}, fmt.Errorf("approvals.callbackKey: secret %s is empty: %w", s.CallbackKey, settings.ErrNoSecret)
	}
	ws, err := settings.WebhookSecrets(ctx, secrets, s.Secret)
	if err != nil {
		return Config{}, fmt.Errorf("approvals.secret: %w", err)
	}
	for _, w := range ws {
		c.Secrets = append(c.Secrets, w.Text())
	}
	return c, nil
}

// FromSettings returns the Settings and Posters options of a Service that
// reads each business unit's "approvals" section, resolves its secrets,
// and posts to the flow through a webhook client bound by the unit's
// outbound allow-list (built once per unit from the template client; it
// is Unsigned, as the Service signs itself). A unit without settings, or
// without the section, is ErrUnknownBU.
func FromSettings(src SettingsSource, secrets settings.SecretSource, client webhook.ClientOptions) (
	func(ctx context.Context, bu string) (Config, error), func(ctx context.Context, bu string) (Poster, error)) {
	section := func(bu string) (*settings.Settings, Section, error) {
		s, err := src.For(bu)
		if errors.Is(err, settings.ErrNotFound) {
			return nil, Section{}, fmt.Errorf("%w: %w", ErrUnknownBU, err)
		}
		if err != nil {
			return nil, Section{}, err
		}
		var sec Section
		ok, err := s.Section(SectionName, &sec)
		if err == nil && !ok {
			err = fmt.Errorf("business unit %s has no %s section: %w", bu, SectionName, ErrUnknownBU)
		}
		return s, sec, err
	}
	config := func(ctx context.Context, bu string) (Config, error) {
		_, sec, err := section(bu)
		if err != nil {
			return Config{}, err
		}
		return sec.Resolve(ctx, secrets)
	}
	var mu sync.Mutex
	posters := map[string]Poster{}
	poster := func(_ context.Context, bu string) (Poster, error) {
		mu.Lock()
		defer mu.Unlock()
		if p, ok := posters[bu]; ok {
			return p, nil
		}
		s, _, err := section(bu)
		if err != nil {
			return nil, err
		}
		opts := client
		if opts.Policy, err = s.Outbound.Policy(); err != nil {
			return nil, err
		}
		opts.Unsigned = true
		p, err := webhook.NewClient(opts)
		if err != nil {
			return nil, err
		}
		posters[bu] = p
		return p, nil
	}
	return config, poster
}
