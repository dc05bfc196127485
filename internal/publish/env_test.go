package publish_test

import (
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/publish"
)

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"JOURNEY_ROLE_ARN": role, "SEND_FUNCTION_ARN": "arn:send", "FINISH_FUNCTION_ARN": "arn:finish",
		"PUBLISH_MACHINE_ARN": "arn:publish",
	}
	c, err := publish.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || c.RoleArn != role || c.PublishMachineArn != "arn:publish" || c.Functions["SendFunctionArn"] != "arn:send" || len(c.Functions) != 2 {
		t.Fatalf("%+v, %v", c, err)
	}
	_, err = publish.ConfigFromEnv(func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "JOURNEY_ROLE_ARN") || !strings.Contains(err.Error(), "SEND_FUNCTION_ARN") {
		t.Fatalf("err = %v, want it to name what is missing", err)
	}
}
