package leads

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/journeys-oss/journeys/internal/settings"
)

// SectionName is the settings file section the pipeline reads (Config).
const SectionName = "linkedin"

// SettingsSource gives a business unit's settings (*settings.Dir).
type SettingsSource interface {
	For(bu string) (*settings.Settings, error)
}

// ErrNoSection: the business unit's settings have no linkedin section.
var ErrNoSection = errors.New("leads: no linkedin section in the settings")

// FromSettings returns the Settings option of a Processor: each business
// unit's checked "linkedin" section.
func FromSettings(src SettingsSource) func(ctx context.Context, bu string) (Config, error) {
	return func(_ context.Context, bu string) (Config, error) {
		s, err := src.For(bu)
		if err != nil {
			return Config{}, err
		}
		var c Config
		ok, err := s.Section(SectionName, &c)
		if err == nil && !ok {
			err = fmt.Errorf("business unit %s: %w", bu, ErrNoSection)
		}
		if err == nil {
			err = c.Check()
		}
		return c, err
	}
}

// LoadConfigs reads the "linkedin" section of every <bu>.settings.yaml in
// dir (units without one are left out), for NewRoutes.
func LoadConfigs(dir string, src SettingsSource) (map[string]Config, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.settings.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	out := map[string]Config{}
	read := FromSettings(src)
	for _, f := range files {
		bu := strings.TrimSuffix(filepath.Base(f), ".settings.yaml")
		c, err := read(context.Background(), bu)
		if errors.Is(err, ErrNoSection) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[bu] = c
	}
	return out, nil
}

// SecretToken is a linkedin.TokenSource reading the access token from a
// secret on every call (the secret source caches it), so a rotated token
// is picked up without a restart.
type SecretToken struct {
	Secrets settings.SecretSource
	Name    string
}

// Token implements linkedin.TokenSource.
func (s SecretToken) Token(ctx context.Context) (string, error) {
	v, err := s.Secrets.Secret(ctx, s.Name)
	if err != nil {
		return "", fmt.Errorf("linkedin access token: %w", err)
	}
	return strings.TrimSpace(v), nil
}
