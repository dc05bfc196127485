package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SecretPrefix starts every secret in its text form.
const SecretPrefix = "whsec_"

// Secret key sizes accepted by ParseSecret, in bytes after base64 decoding.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// ErrInvalidSecret is returned (wrapped) by ParseSecret for a secret that is
// not in the whsec_<base64> form or whose key has the wrong size.
var ErrInvalidSecret = errors.New("invalid webhook secret")

// A Secret is one HMAC key. Its String method never prints the key.
type Secret struct {
	key []byte
}

// ParseSecret reads a secret in the "whsec_<base64>" form. The key must decode
// to MinSecretBytes..MaxSecretBytes bytes. Errors wrap ErrInvalidSecret and
// never include the secret.
func ParseSecret(s string) (Secret, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), SecretPrefix)
	if !ok {
		return Secret{}, fmt.Errorf("%w: missing %q prefix", ErrInvalidSecret, SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		// Some issuers drop the padding; accept that form too.
		key, err = base64.RawStdEncoding.DecodeString(rest)
	}
	if err != nil {
		return Secret{}, fmt.Errorf("%w: key is not base64", ErrInvalidSecret)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return Secret{}, fmt.Errorf("%w: key has %d bytes, want %d to %d",
			ErrInvalidSecret, len(key), MinSecretBytes, MaxSecretBytes)
	}
	return Secret{key: key}, nil
}

// ParseSecrets parses each secret with ParseSecret; the first error stops it
// and says which position failed.
func ParseSecrets(ss ...string) ([]Secret, error) {
	out := make([]Secret, 0, len(ss))
	for i, s := range ss {
		sec, err := ParseSecret(s)
		if err != nil {
			return nil, fmt.Errorf("secret %d: %w", i+1, err)
		}
		out = append(out, sec)
	}
	return out, nil
}

// NewSecret draws a fresh 32-byte secret from r (crypto/rand.Reader when nil).
func NewSecret(r io.Reader) (Secret, error) {
	if r == nil {
		r = rand.Reader
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(r, key); err != nil {
		return Secret{}, fmt.Errorf("generate webhook secret: %w", err)
	}
	return Secret{key: key}, nil
}

// Text returns the secret in its "whsec_<base64>" form, for storing it.
func (s Secret) Text() string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(s.key)
}

// String hides the key so a secret never lands in a log by accident.
func (s Secret) String() string { return SecretPrefix + "…" }

// IsZero reports whether s holds no key.
func (s Secret) IsZero() bool { return len(s.key) == 0 }

// sign returns the raw HMAC-SHA256 of "<id>.<timestamp>.<body>".
func (s Secret) sign(id, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	io.WriteString(m, id)
	io.WriteString(m, ".")
	io.WriteString(m, timestamp)
	io.WriteString(m, ".")
	m.Write(body)
	return m.Sum(nil)
}
