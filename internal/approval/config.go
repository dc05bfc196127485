package approval

import (
	"errors"
	"fmt"

	"github.com/journeys-oss/journeys/internal/webhook"
)

// Config is one business unit's approval settings (YAML key "approvals");
// the settings file holds secret references, resolved before this is built.
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
