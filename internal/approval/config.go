package approval

import (
	"errors"
	"fmt"

	"github.com/journeys-oss/journeys/internal/webhook"
)

// Config is one business unit's approval settings (YAML key "approvals").
// In the settings file every field is the name of a secret; Resolve turns
// the names into the values the Service uses.
type Config struct {
	// FlowURL is the flow's HTTP trigger URL. It is a secret.
	FlowURL string `yaml:"flowUrl"`
	// Secrets are whsec_ secrets: the first signs requests to the flow
	// (all of them during a rotation); callbacks carrying Standard
	// Webhooks headers must be signed with one of them.
	Secrets []string `yaml:"secrets"`
	// CallbackKey keys the HMAC in callback URLs (at least 32 bytes).
	CallbackKey string `yaml:"callbackKey"`
}

// Resolve returns c with every secret name replaced by its value.
func (c Config) Resolve(secret func(name string) (string, error)) (Config, error) {
	var out Config
	var err error
	if out.FlowURL, err = resolve(secret, "approvals.flowUrl", c.FlowURL); err != nil {
		return out, err
	}
	if out.CallbackKey, err = resolve(secret, "approvals.callbackKey", c.CallbackKey); err != nil {
		return out, err
	}
	for i, name := range c.Secrets {
		v, err := resolve(secret, fmt.Sprintf("approvals.secrets[%d]", i), name)
		if err != nil {
			return out, err
		}
		out.Secrets = append(out.Secrets, v)
	}
	return out, nil
}

func resolve(secret func(string) (string, error), field, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	v, err := secret(name)
	if err != nil {
		return "", fmt.Errorf("%s: secret %s: %w", field, name, err)
	}
	return v, nil
}

// ErrUnknownBU is what a Settings function wraps for a business unit that
// has no settings: a callback naming one cannot be verified (401).
var ErrUnknownBU = errors.New("approval: no settings for this business unit")

// MinCallbackKey is the shortest callback key accepted, in bytes.
const MinCallbackKey = 32

// parsed is a checked Config.
type parsed struct {
	flowURL string
	secrets []webhook.Secret
	key     []byte
}

func (c Config) parse() (parsed, error) {
	if c.FlowURL == "" {
		return parsed{}, errors.New("approvals.flowUrl is empty")
	}
	if len(c.CallbackKey) < MinCallbackKey {
		return parsed{}, fmt.Errorf("approvals.callbackKey has %d bytes, want at least %d", len(c.CallbackKey), MinCallbackKey)
	}
	secrets, err := webhook.ParseSecrets(c.Secrets...)
	if err != nil {
		return parsed{}, fmt.Errorf("approvals.secrets: %w", err)
	}
	if len(secrets) == 0 {
		return parsed{}, errors.New("approvals.secrets is empty")
	}
	return parsed{flowURL: c.FlowURL, secrets: secrets, key: []byte(c.CallbackKey)}, nil
}
