package settings

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/journeys-oss/journeys/internal/webhook"
	"go.yaml.in/yaml/v3"
)

// ErrNoSecret is returned (wrapped) for a secret that does not exist.
var ErrNoSecret = errors.New("settings: secret not found")

// A SecretSource resolves a secret's name to its value. Implementations are
// safe for concurrent use and never log values.
type SecretSource interface {
	Secret(ctx context.Context, name string) (string, error)
}

// EnvName is the environment variable LocalSecrets reads a secret from:
// JOURNEYS_SECRET_ and the name in upper case, other characters as _.
func EnvName(name string) string {
	var b strings.Builder
	b.WriteString("JOURNEYS_SECRET_")
	for _, r := range strings.ToUpper(name) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// LocalSecrets serves secrets on a developer's machine: from the
// environment (EnvName) first, then from a YAML file of name: value pairs
// (.journeys/secrets.yaml, git-ignored), where a missing secret is
// generated (32 random bytes, in the whsec_ form) and saved, so a fresh
// checkout works with no setup and values stay stable across runs.
type LocalSecrets struct {
	// File is the secrets file.
	File string
	// Getenv reads the environment; nil reads none.
	Getenv func(string) string
	// NoGenerate makes a missing secret ErrNoSecret instead.
	NoGenerate bool

	mu sync.Mutex
}

// Secret implements SecretSource.
func (l *LocalSecrets) Secret(_ context.Context, name string) (string, error) {
	if !secretRE.MatchString(name) {
		return "", fmt.Errorf("secret name %q: %w", name, ErrNoSecret)
	}
	if l.Getenv != nil {
		if v := l.Getenv(EnvName(name)); v != "" {
			return v, nil
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	all, err := l.read()
	if err != nil {
		return "", err
	}
	if v, ok := all[name]; ok && v != "" {
		return v, nil
	}
	if l.NoGenerate {
		return "", fmt.Errorf("secret %s (set %s or add it to %s): %w", name, EnvName(name), l.File, ErrNoSecret)
	}
	v, err := GenerateSecret()
	if err != nil {
		return "", err
	}
	all[name] = v
	return v, l.write(all)
}

func (l *LocalSecrets) read() (map[string]string, error) {
	all := map[string]string{}
	src, err := os.ReadFile(l.File)
	if errors.Is(err, os.ErrNotExist) {
		return all, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secrets file: %w", err)
	}
	if err := yaml.Unmarshal(src, &all); err != nil {
		return nil, fmt.Errorf("read secrets file %s: %w", l.File, err)
	}
	return all, nil
}

func (l *LocalSecrets) write(all map[string]string) error {
	if err := os.MkdirAll(filepath.Dir(l.File), 0o700); err != nil {
		return fmt.Errorf("write secrets file: %w", err)
	}
	out, err := yaml.Marshal(all)
	if err != nil {
		return err
	}
	head := "# Generated secrets of this checkout (git-ignored). Delete a line to make a new one.\n"
	tmp := l.File + ".tmp"
	if err := os.WriteFile(tmp, append([]byte(head), out...), 0o600); err != nil {
		return fmt.Errorf("write secrets file: %w", err)
	}
	return os.Rename(tmp, l.File)
}

// GenerateSecret returns a new random secret in the whsec_ form, usable
// both as a Standard Webhooks secret and as a tracking key.
func GenerateSecret() (string, error) {
	s, err := webhook.NewSecret(rand.Reader)
	if err != nil {
		return "", err
	}
	return s.Text(), nil
}

// SecretsManagerAPI is the one Secrets Manager call AWSSecrets makes.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// AWSSecrets reads secrets from AWS Secrets Manager, named Prefix+name
// (e.g. journeys/prod/channel-email), and keeps each value for TTL so a
// warm Lambda does not call Secrets Manager per invoke.
type AWSSecrets struct {
	client SecretsManagerAPI
	prefix string
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	value string
	until time.Time
}

// NewAWSSecrets returns a Secrets Manager source; ttl 0 means 5 minutes.
func NewAWSSecrets(client SecretsManagerAPI, prefix string, ttl time.Duration, now func() time.Time) *AWSSecrets {
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &AWSSecrets{client: client, prefix: prefix, ttl: ttl, now: now, cache: map[string]cached{}}
}

// Secret implements SecretSource.
func (a *AWSSecrets) Secret(ctx context.Context, name string) (string, error) {
	if !secretRE.MatchString(name) {
		return "", fmt.Errorf("secret name %q: %w", name, ErrNoSecret)
	}
	now := a.now()
	a.mu.Lock()
	c, ok := a.cache[name]
	a.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.value, nil
	}
	out, err := a.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(a.prefix + name)})
	if err != nil {
		var nf *smtypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return "", fmt.Errorf("secret %s%s: %w", a.prefix, name, ErrNoSecret)
		}
		return "", fmt.Errorf("get secret %s%s: %w", a.prefix, name, err)
	}
	v := aws.ToString(out.SecretString)
	if v == "" && out.SecretBinary != nil {
		v = string(out.SecretBinary)
	}
	a.mu.Lock()
	a.cache[name] = cached{value: v, until: now.Add(a.ttl)}
	a.mu.Unlock()
	return v, nil
}

// WebhookSecrets resolves a secret name into Standard Webhooks secrets. The
// value holds one or more secrets separated by white space (a rotation:
// all sign, any verifies), each in the whsec_<base64> form, or raw text of
// 24 to 64 bytes (what Secrets Manager's GenerateSecretString makes), used
// as the key bytes themselves.
func WebhookSecrets(ctx context.Context, src SecretSource, name string) ([]webhook.Secret, error) {
	v, err := src.Secret(ctx, name)
	if err != nil {
		return nil, err
	}
	var out []webhook.Secret
	for _, f := range strings.Fields(v) {
		if !strings.HasPrefix(f, webhook.SecretPrefix) {
			f = webhook.SecretPrefix + base64.StdEncoding.EncodeToString([]byte(f))
		}
		s, err := webhook.ParseSecret(f)
		if err != nil {
			return nil, fmt.Errorf("secret %s: %w", name, err)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("secret %s is empty: %w", name, ErrNoSecret)
	}
	return out, nil
}
