package rie_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/journeys-oss/journeys/internal/rie"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// buildHello builds the hello-world bootstrap for this machine.
func buildHello(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, "./testdata/hello")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build hello: %v\n%s", err, b)
	}
	return out
}

func TestInvoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Lambda emulator")
	}
	e, err := rie.Start(context.Background(), rie.Config{
		RIE:       testsvc.Tool(t, "bin/aws-lambda-rie"),
		Bootstrap: buildHello(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })

	res, err := e.Invoke(context.Background(), []byte(`{"name":"world"}`))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(res.Payload, &got); err != nil || got["hello"] != "world" || res.ErrorType != "" {
		t.Fatalf("invoke = %s (error type %q), want {\"hello\":\"world\"}", res.Payload, res.ErrorType)
	}

	// A returned errors.New value reaches the caller named after its Go type,
	// as aws-lambda-go reports it in Lambda.
	res, err = e.Invoke(context.Background(), []byte(`{"fail":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.ErrorType != "errorString" || res.ErrorMessage != "asked to fail" {
		t.Fatalf("error invoke = type %q message %q payload %s", res.ErrorType, res.ErrorMessage, res.Payload)
	}
}
