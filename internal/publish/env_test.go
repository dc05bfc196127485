package publish_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/publish"
)

func TestConfigFromEnv(t *testing.T) {
	full := map[string]string{
		"JOURNEY_ROLE_ARN": role, "SEND_FUNCTION_ARN": "arn:send", "FINISH_FUNCTION_ARN": "arn:finish",
		"PUBLISH_MACHINE_ARN": "arn:publish", "MACHINE_NAME_PREFIX": "journeys-prod_",
	}
	without := func(key string, set ...string) map[string]string {
		out := map[string]string{}
		for k, v := range full {
			if k != key {
				out[k] = v
			}
		}
		for i := 0; i+1 < len(set); i += 2 {
			out[set[i]] = set[i+1]
		}
		return out
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		want []string // substrings of the error; none: no error
	}{
		{"complete", full, nil},
		{"nothing", map[string]string{}, []string{"JOURNEY_ROLE_ARN", "SEND_FUNCTION_ARN", "MACHINE_NAME_PREFIX"}},
		// Falling back to the local default would share machines (and
		// IAM rights) with every other deployment in the account.
		{"no prefix", without("MACHINE_NAME_PREFIX"), []string{"missing environment variable MACHINE_NAME_PREFIX"}},
		{"prefix with a wildcard", without("", "MACHINE_NAME_PREFIX", "journeys-*"), []string{`MACHINE_NAME_PREFIX: machine name prefix "journeys-*"`}},
		{"prefix with a colon", without("", "MACHINE_NAME_PREFIX", "a:b_"), []string{"letters, digits, '-' and '_'"}},
		{"prefix too long", without("", "MACHINE_NAME_PREFIX", strings.Repeat("s", 61)+"_"), []string{"62 characters, more than 60"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := publish.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if len(tt.want) == 0 {
				if err != nil || c.RoleArn != role || c.PublishMachineArn != "arn:publish" || c.MachinePrefix != "journeys-prod_" ||
					c.Functions["SendFunctionArn"] != "arn:send" || len(c.Functions) != 2 {
					t.Fatalf("%+v, %v", c, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; want one naming %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to say %q", err, w)
				}
			}
		})
	}
}

// TestNewRefusesBadPrefix: a Publisher never starts naming machines with
// a prefix IAM or Step Functions would read differently.
func TestNewRefusesBadPrefix(t *testing.T) {
	for _, prefix := range []string{"journeys/", "a b", "x*", strings.Repeat("p", 61)} {
		_, err := publish.New(nil, nil, publish.Config{RoleArn: role, MachinePrefix: prefix}, nil, publish.Options{})
		if !errors.Is(err, publish.ErrConfig) {
			t.Errorf("prefix %q: err = %v, want ErrConfig", prefix, err)
		}
	}
}
