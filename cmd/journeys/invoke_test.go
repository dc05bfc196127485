package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/testsvc"
)

// TestInvoke builds the evaluate function and runs it with its sample
// event through `journeys invoke`, against the test moto server.
func TestInvoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a function and runs the emulator")
	}
	root := testsvc.Root(t)
	rieBin := testsvc.Tool(t, "bin/aws-lambda-rie")
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./functions/evaluate")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"invoke", "--rie", rieBin, "--bootstrap", bin, "--event", filepath.Join(root, "events", "evaluate.json"),
		"--endpoint", testsvc.Moto(t), "--root", root, "--table", testsvc.UniqueName(t, "journeys"), "--outbox", t.TempDir()}, nil, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	var out map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || out["result"] != true {
		t.Errorf("stdout %q: %v", stdout.String(), err)
	}
	if code := run([]string{"invoke", "--event", "x.json"}, nil, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "--bootstrap") {
		t.Errorf("usage: exit %d, %s", code, stderr.String())
	}
}
