package approval

import (
	"errors"
	"fmt"
	"time"

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
	// CallbackKeys key the HMAC in callback URLs, newest first, each at
	// least MinCallbackKey bytes. The newest signs new URLs and any of
	// them verifies, so a key rotates without breaking the URLs of
	// approvals still waiting (they wait for days): add the new key in
	// front, retire the old one once its URLs have expired.
	CallbackKeys []string
	// CallbackKey is the single-key form: the same as CallbackKeys
	// holding it alone. Set one of the two.
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
	// keys are the callback keys, newest (signing) first.
	keys [][]byte
}

func (c Config) parse() (parsed, error) {
	if c.FlowURL == "" {
		return parsed{}, errors.New("approvals.flowUrl is empty")
	}
	keys, err := c.callbackKeys()
	if err != nil {
		return parsed{}, err
	}
	secrets, err := webhook.ParseSecrets(c.Secrets...)
	if err != nil {
		return parsed{}, fmt.Errorf("approvals.secrets: %w", err)
	}
	if len(secrets) == 0 {
		return parsed{}, errors.New("approvals.secrets is empty")
	}
	return parsed{flowURL: c.FlowURL, secrets: secrets, keys: keys}, nil
}

// SignCallback returns base as the callback URL of approval id of bu,
// valid until exp, signed with the newest callback key.
func (c Config) SignCallback(base, bu, id string, exp time.Time) (string, error) {
	keys, err := c.callbackKeys()
	if err != nil {
		return "", err
	}
	return CallbackURL(base, keys[0], bu, id, exp)
}

// callbackKeys checks the callback keys, newest first.
func (c Config) callbackKeys() ([][]byte, error) {
	texts := c.CallbackKeys
	switch {
	case c.CallbackKey != "" && len(texts) > 0:
		return nil, errors.New("approvals: set callbackKey or callbackKeys, not both")
	case c.CallbackKey != "":
		texts = []string{c.CallbackKey}
	case len(texts) == 0:
		return nil, errors.New("approvals.callbackKey is empty")
	}
	keys := make([][]byte, len(texts))
	for i, k := range texts {
		if len(k) < MinCallbackKey {
			return nil, fmt.Errorf("approvals.callbackKey %d of %d has %d bytes, want at least %d", i+1, len(texts), len(k), MinCallbackKey)
		}
		keys[i] = []byte(k)
	}
	return keys, nil
}
