package lambdamain

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

// Config is what a function reads from its environment.
type Config struct {
	// Table is the DynamoDB table (TABLE_NAME, required).
	Table string
	// SettingsDir holds <bu>.settings.yaml (SETTINGS_DIR, required;
	// relative to LAMBDA_TASK_ROOT, where sam build puts them).
	SettingsDir string
	// SecretPrefix prefixes Secrets Manager secret names (SECRET_PREFIX,
	// required unless SecretsFile is set).
	SecretPrefix string
	// SecretsFile serves secrets from a local YAML file instead
	// (SECRETS_FILE; local runs only).
	SecretsFile string
	// SuppressionSecret names the secret of the suppression hash key
	// (SUPPRESSION_KEY_SECRET, default suppression-key).
	SuppressionSecret string
	// TrackingBaseURL is the tracking endpoint for units whose settings
	// name none (TRACKING_BASE_URL).
	TrackingBaseURL string
	// StatusURL is where channel providers post status callbacks
	// (STATUS_URL; default TrackingBaseURL + /status).
	StatusURL string
	// Outbox delivers every channel to files in this folder (OUTBOX_DIR;
	// local invokes).
	Outbox string
	// ContentDir serves templates from files instead of the store
	// (CONTENT_DIR).
	ContentDir string
	// StateMachinePrefix is arn:aws:states:<region>:<account>:stateMachine:
	// (STATE_MACHINE_ARN_PREFIX, optional).
	StateMachinePrefix string
	// ContentTTL is how long a function serves a business unit's latest
	// content from one read before reading it again (CONTENT_CACHE_TTL, a
	// Go duration; default DefaultContentTTL; 0 reads the store on every
	// lookup).
	ContentTTL time.Duration
	// InteractionRetention and StepLogRetention (Go durations, optional).
	InteractionRetention, StepLogRetention time.Duration
	// LogLevel is debug, info, warn or error (LOG_LEVEL, default info).
	LogLevel slog.Level
}

// FromEnv reads the Config. The error names every missing or malformed
// variable at once.
func FromEnv(getenv func(string) string) (Config, error) {
	var missing, bad []string
	need := func(name string) string {
		v := getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	or := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	dur := func(name string) time.Duration {
		v := getenv(name)
		if v == "" {
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			bad = append(bad, name+"="+v+" (a Go duration like 8760h)")
		}
		return d
	}
	c := Config{
		Table:                need("TABLE_NAME"),
		SettingsDir:          need("SETTINGS_DIR"),
		SecretsFile:          getenv("SECRETS_FILE"),
		SuppressionSecret:    or("SUPPRESSION_KEY_SECRET", "suppression-key"),
		TrackingBaseURL:      strings.TrimRight(getenv("TRACKING_BASE_URL"), "/"),
		StatusURL:            getenv("STATUS_URL"),
		Outbox:               getenv("OUTBOX_DIR"),
		ContentDir:           getenv("CONTENT_DIR"),
		StateMachinePrefix:   getenv("STATE_MACHINE_ARN_PREFIX"),
		InteractionRetention: dur("INTERACTION_RETENTION"),
		StepLogRetention:     dur("STEP_LOG_RETENTION"),
		ContentTTL:           DefaultContentTTL,
	}
	if getenv("CONTENT_CACHE_TTL") != "" {
		c.ContentTTL = dur("CONTENT_CACHE_TTL")
	}
	if c.SecretsFile == "" {
		c.SecretPrefix = need("SECRET_PREFIX")
	}
	if err := c.LogLevel.UnmarshalText([]byte(or("LOG_LEVEL", "info"))); err != nil {
		bad = append(bad, "LOG_LEVEL="+getenv("LOG_LEVEL"))
	}
	if root := getenv("LAMBDA_TASK_ROOT"); root != "" {
		for _, p := range []*string{&c.SettingsDir, &c.ContentDir} {
			if *p != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(root, *p)
			}
		}
	}
	if c.StatusURL == "" && c.TrackingBaseURL != "" {
		c.StatusURL = c.TrackingBaseURL + "/status"
	}
	var errs []error
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("missing environment variables: %s", strings.Join(missing, ", ")))
	}
	if len(bad) > 0 {
		errs = append(errs, fmt.Errorf("malformed environment variables: %s", strings.Join(bad, ", ")))
	}
	return c, errors.Join(errs...)
}
