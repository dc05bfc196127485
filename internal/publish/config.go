package publish

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/compile"
)

// Config is what a Publisher needs to know about the deployment.
type Config struct {
	// MachinePrefix starts every journey state machine's name; the
	// deployed functions' IAM rights are scoped to it, so it must be unique
	// per deployment: template.yaml sets MACHINE_NAME_PREFIX to
	// "<stack name>_" (a stack name holds no '_', so no stack's prefix
	// starts another's). Letters, digits, '-' and '_' (ValidMachinePrefix).
	// Default "journeys-" (the local runtime, which has one deployment).
	MachinePrefix string
	// Alias is the alias that follows the current version. Default "live".
	Alias string
	// RoleArn is the IAM role journey machines run under (required).
	RoleArn string
	// Functions maps each placeholder name of compile.Placeholders
	// ("SendFunctionArn") to the function's ARN. Only the placeholders a
	// machine uses must be present.
	Functions map[string]string
	// Keep is how many of the newest versions pruning always keeps, so a
	// rollback has somewhere to go. Default 10.
	Keep int
	// ApprovalTTL is how long a publish approval waits. Default 7 days.
	ApprovalTTL time.Duration
	// PublishMachineArn is the journey-publish state machine that holds
	// approval waits; empty to wait without one (OnDecision activates).
	PublishMachineArn string
	// MaxEnrolmentScan bounds how many active enrolments pruning reads to
	// learn which versions are in use; past it nothing is pruned. Default
	// 200,000.
	MaxEnrolmentScan int
}

// Defaults.
const (
	DefaultMachinePrefix    = "journeys-"
	DefaultAlias            = "live"
	DefaultKeep             = 10
	DefaultApprovalTTL      = 7 * 24 * time.Hour
	DefaultMaxEnrolmentScan = 200_000
	// MaxVersions is how many versions Step Functions keeps per machine.
	MaxVersions = 1000
)

func (c Config) withDefaults() Config {
	if c.MachinePrefix == "" {
		c.MachinePrefix = DefaultMachinePrefix
	}
	if c.Alias == "" {
		c.Alias = DefaultAlias
	}
	if c.Keep <= 0 {
		c.Keep = DefaultKeep
	}
	if c.ApprovalTTL <= 0 {
		c.ApprovalTTL = DefaultApprovalTTL
	}
	if c.MaxEnrolmentScan <= 0 {
		c.MaxEnrolmentScan = DefaultMaxEnrolmentScan
	}
	return c
}

// PlaceholderEnv names the environment variable a function main reads each
// placeholder's ARN from: SendFunctionArn → SEND_FUNCTION_ARN.
func PlaceholderEnv() map[string]string {
	out := make(map[string]string, len(compile.Placeholders))
	for name := range compile.Placeholders {
		out[name] = envName(name)
	}
	return out
}

var upper = regexp.MustCompile(`([a-z0-9])([A-Z])`)

func envName(placeholder string) string {
	return strings.ToUpper(upper.ReplaceAllString(placeholder, "${1}_${2}"))
}

var buName = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// prefixRE is what a machine name prefix may hold: the characters Step
// Functions allows in state machine names that are also no IAM wildcard
// or ARN separator.
var prefixRE = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

// MaxMachinePrefix leaves a machine name at least 20 characters for its
// business unit and journey id within Step Functions' 80.
const MaxMachinePrefix = 60

// ValidMachinePrefix reports, as an ErrConfig error, why prefix cannot
// start state machine names; nil if it can.
func ValidMachinePrefix(prefix string) error {
	if !prefixRE.MatchString(prefix) {
		return fmt.Errorf("machine name prefix %q: state machine names allow letters, digits, '-' and '_': %w", prefix, ErrConfig)
	}
	if len(prefix) > MaxMachinePrefix {
		return fmt.Errorf("machine name prefix %q is %d characters, more than %d (state machine names have at most 80; use a shorter stack name): %w",
			prefix, len(prefix), MaxMachinePrefix, ErrConfig)
	}
	return nil
}

// MachineName is the state machine name of a journey:
// <prefix><bu>_<journey>. Journey ids never hold '_', and business units
// used with Step Functions may not either, so two journeys never share a
// name. Names are at most 80 characters.
func (c Config) MachineName(bu, journeyID string) (string, error) {
	c = c.withDefaults()
	if !buName.MatchString(bu) {
		return "", fmt.Errorf("business unit %q: state machine names allow letters, digits and '-': %w", bu, ErrInvalid)
	}
	name := c.MachinePrefix + bu + "_" + journeyID
	if len(name) > 80 {
		return "", fmt.Errorf("state machine name %s is %d characters, more than 80 (shorten the journey id or the business unit): %w", name, len(name), ErrInvalid)
	}
	return name, nil
}

// substitute writes the configured function ARNs over the placeholders of
// a compiled definition and fails, naming them, if any is not configured.
func (c Config) substitute(def []byte) (string, error) {
	s := string(def)
	var missing []string
	for name := range compile.Placeholders {
		ph := "${" + name + "}"
		if !strings.Contains(s, ph) {
			continue
		}
		arn := c.Functions[name]
		if arn == "" {
			missing = append(missing, name+" ("+envName(name)+")")
			continue
		}
		s = strings.ReplaceAll(s, ph, arn)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return "", fmt.Errorf("no function ARN configured for %s: %w", strings.Join(missing, ", "), ErrConfig)
	}
	if i := strings.Index(s, "${"); i >= 0 {
		end := min(len(s), i+40)
		return "", fmt.Errorf("unknown placeholder at %q: %w", s[i:end], ErrConfig)
	}
	return s, nil
}
