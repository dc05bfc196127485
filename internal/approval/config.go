package approval

import (
	"errors"
	"fmt"

	"github.com/journeys-oss/journeys/internal/webhook"
)

// Config is one business unit's approval configuration, secrets resolved
// (Section is how the settings file names them).
type Config struct {
	// FlowURL is the flow's HTTP trigger URL. It is a secret.
	FlowURL string
	// Secrets are whsec_ secrets: all of them sign requests to the flow
	// (a rotation); callbacks carrying Standard Webhooks headers must be
	// signed with one of them.
	Secrets []string
	// CallbackKey keys the HMAC in callback URLs (at least 32 bytes).
	CallbackKey string
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
