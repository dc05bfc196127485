package launch_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/launch"
)

func TestSettingsFromEnv(t *testing.T) {
	env := map[string]string{"SEGMENT_LAUNCH_MACHINE_ARN": "arn:m", "LAUNCH_RATE": "250", "LAUNCH_SEGMENTS": "32", "BUSINESS_UNITS": "northwind, contoso,"}
	s, err := launch.SettingsFromEnv(func(k string) string { return env[k] })
	if err != nil || s.MachineArn != "arn:m" || s.Rate != 250 || s.Segments != 32 || !cmp.Equal(s.BusinessUnits, []string{"northwind", "contoso"}) {
		t.Fatalf("%+v, %v", s, err)
	}
	env = map[string]string{"LAUNCH_RATE": "fast"}
	_, err = launch.SettingsFromEnv(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "LAUNCH_RATE=fast") {
		t.Fatalf("err = %v", err)
	}
}
