package local

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"sync"

	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// DerivedSecrets is a settings.SecretSource for simulations and tests:
// every secret is derived from a seed and its name (whsec_ and 32 bytes),
// so runs are repeatable and nothing is written anywhere. Values set with
// Set win. It is safe for concurrent use.
type DerivedSecrets struct {
	Seed    string
	mu      sync.Mutex
	set     map[string]string
	derived map[string]string // the values derived so far, by name
}

var _ settings.SecretSource = (*DerivedSecrets)(nil)

// Secret implements settings.SecretSource.
func (d *DerivedSecrets) Secret(_ context.Context, name string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.set[name]; ok {
		return v, nil
	}
	if v, ok := d.derived[name]; ok {
		return v, nil
	}
	// Every signed request asks again: derive each name once.
	sum := sha256.Sum256([]byte("journeys-secret\x00" + d.Seed + "\x00" + name))
	v := webhook.SecretPrefix + base64.StdEncoding.EncodeToString(sum[:])
	if d.derived == nil {
		d.derived = map[string]string{}
	}
	d.derived[name] = v
	return v, nil
}

// Set gives a secret a value.
func (d *DerivedSecrets) Set(name, value string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.set == nil {
		d.set = map[string]string{}
	}
	d.set[name] = value
}
