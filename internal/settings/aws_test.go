package settings_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// countingSM counts the calls that reach Secrets Manager (moto).
type countingSM struct {
	*secretsmanager.Client
	calls int
}

func (c *countingSM) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.calls++
	return c.Client.GetSecretValue(ctx, in, opts...)
}

func TestAWSSecretsOnMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("needs moto")
	}
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(testsvc.AWSConfig(t))
	prefix := testsvc.UniqueName(t, "journeys") + "/"
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(prefix + "channel-email"), SecretString: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	c := &countingSM{Client: sm}
	src := settings.NewAWSSecrets(c, prefix, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if v, err := src.Secret(ctx, "channel-email"); err != nil || v != "v1" {
			t.Fatalf("Secret = %q, %v", v, err)
		}
	}
	if c.calls != 1 {
		t.Errorf("%d calls for three reads within the TTL, want 1", c.calls)
	}
	sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(prefix + "channel-email"), SecretString: aws.String("v2")})
	now = now.Add(2 * time.Minute)
	if v, _ := src.Secret(ctx, "channel-email"); v != "v2" || c.calls != 2 {
		t.Errorf("after the TTL: %q with %d calls, want v2 with 2", v, c.calls)
	}
	if _, err := src.Secret(ctx, "absent"); !errors.Is(err, settings.ErrNoSecret) {
		t.Errorf("absent secret: %v", err)
	}
}
