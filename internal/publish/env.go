package publish

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Environment variables a deployment configures a Publisher with (the
// function mains read them; nothing below functions/ reads the
// environment itself).
const (
	EnvRoleArn        = "JOURNEY_ROLE_ARN"    // the role journey machines run under
	EnvPublishMachine = "PUBLISH_MACHINE_ARN" // the journey-publish state machine (optional)
	EnvMachinePrefix  = "MACHINE_NAME_PREFIX" // the deployment's machine name prefix (template.yaml: <stack>_)
)

// ConfigFromEnv reads a Publisher's Config through getenv: the role, every
// task function's ARN (PlaceholderEnv: SEND_FUNCTION_ARN, ...; a missing
// one only fails publications that need it), the journey-publish machine
// and the name prefix. The prefix is required here, unlike in Config: a
// deployment that fell back to the local default would share its machines
// with every other deployment in the account and region. The error names
// every missing required variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{RoleArn: getenv(EnvRoleArn), PublishMachineArn: getenv(EnvPublishMachine),
		MachinePrefix: getenv(EnvMachinePrefix), Functions: map[string]string{}}
	names := make([]string, 0, len(PlaceholderEnv()))
	for name, env := range PlaceholderEnv() {
		if v := getenv(env); v != "" {
			c.Functions[name] = v
		} else {
			names = append(names, env)
		}
	}
	var errs []error
	if c.RoleArn == "" {
		errs = append(errs, fmt.Errorf("missing environment variable %s", EnvRoleArn))
	}
	if c.MachinePrefix == "" {
		errs = append(errs, fmt.Errorf("missing environment variable %s (the deployment's state machine name prefix, <stack name>_ in template.yaml)", EnvMachinePrefix))
	} else if err := ValidMachinePrefix(c.MachinePrefix); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", EnvMachinePrefix, err))
	}
	if len(c.Functions) == 0 {
		sort.Strings(names)
		errs = append(errs, fmt.Errorf("no task function ARN is set (%s)", strings.Join(names, ", ")))
	}
	return c, errors.Join(errs...)
}
