package launch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Environment variables of launches (read by the function mains).
const (
	EnvLaunchMachine = "SEGMENT_LAUNCH_MACHINE_ARN" // the segment-launch state machine
	EnvRate          = "LAUNCH_RATE"                // starts per second per launch (default 100)
	EnvSegments      = "LAUNCH_SEGMENTS"            // parallel scan segments (default 16)
	EnvOpenQuota     = "OPEN_EXECUTION_QUOTA"       // the account's open-execution quota (default 1000000)
	EnvBusinessUnits = "BUSINESS_UNITS"             // the scheduler's units, comma-separated
)

// Settings are a deployment's launch settings.
type Settings struct {
	Config
	MachineArn    string
	BusinessUnits []string
}

// SettingsFromEnv reads the launch settings through getenv; numbers must
// be positive. The machine ARN is optional here (the segment-launch
// function does not start launches); starters check it.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{MachineArn: getenv(EnvLaunchMachine)}
	var errs []error
	num := func(name string, set func(float64)) {
		v := getenv(name)
		if v == "" {
			return
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			errs = append(errs, fmt.Errorf("malformed environment variable %s=%s (a positive number)", name, v))
			return
		}
		set(f)
	}
	num(EnvRate, func(f float64) { s.Rate = f })
	num(EnvSegments, func(f float64) { s.Segments = int(f) })
	num(EnvOpenQuota, func(f float64) { s.OpenExecutionQuota = int64(f) })
	for _, bu := range strings.Split(getenv(EnvBusinessUnits), ",") {
		if bu = strings.TrimSpace(bu); bu != "" {
			s.BusinessUnits = append(s.BusinessUnits, bu)
		}
	}
	return s, errors.Join(errs...)
}
