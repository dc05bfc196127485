package intake

import (
	"context"
	"errors"
	"fmt"

	"github.com/journeys-oss/journeys/internal/settings"
)

// SectionName is the settings file section the intake reads.
const SectionName = "events"

// Section is the "events" section of a business unit's settings file:
//
//	events:
//	  secret: events-signing   # names the Standard Webhooks secret(s), whsec_ or raw
//
// Without it (or without a secret) the unit takes events with API keys only.
type Section struct {
	Secret string `yaml:"secret,omitempty"`
}

// SettingsSource gives a business unit's settings (*settings.Dir).
type SettingsSource interface {
	For(bu string) (*settings.Settings, error)
}

// FromSettings returns the Settings option of a Handler that reads each
// business unit's "events" section and resolves its secret. A unit
// without settings is ErrUnknownBU.
func FromSettings(src SettingsSource, secrets settings.SecretSource) func(ctx context.Context, bu string) (Config, error) {
	return func(ctx context.Context, bu string) (Config, error) {
		s, err := src.For(bu)
		if errors.Is(err, settings.ErrNotFound) {
			return Config{}, fmt.Errorf("%w: %w", ErrUnknownBU, err)
		}
		if err != nil {
			return Config{}, err
		}
		var sec Section
		if _, err := s.Section(SectionName, &sec); err != nil || sec.Secret == "" {
			return Config{}, err
		}
		ws, err := settings.WebhookSecrets(ctx, secrets, sec.Secret)
		if err != nil {
			return Config{}, fmt.Errorf("events.secret: %w", err)
		}
		var c Config
		for _, w := range ws {
			c.Secrets = append(c.Secrets, w.Text())
		}
		return c, nil
	}
}
