// Package testsvc finds the pinned tools that `make tools` installs and starts
// the real local services that tests run against: a moto server for the
// DynamoDB and Step Functions APIs, and built Lambda bootstraps under the AWS
// Lambda Runtime Interface Emulator. A missing tool fails the test with the
// command that installs it; it never skips silently.
package testsvc

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/journeys-oss/journeys/internal/rie"
	"strings"
	"sync"
	"testing"
	"time"
)

// Root returns the repository root: the nearest folder above the working
// directory that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testsvc: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("testsvc: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Shared returns the team's shared folder, which sits beside the repository.
func Shared(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(Root(t), "..", "shared")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("testsvc: the shared folder %s is missing: %v", dir, err)
	}
	return dir
}

// Tool returns the path of a pinned tool, given relative to the repository
// root (e.g. "bin/aws-lambda-rie", ".venv/bin/cfn-lint",
// "node_modules/.bin/asl-validator"). It fails the test if it is missing.
func Tool(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Root(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testsvc: %s is missing: run `make tools`", rel)
	}
	return p
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testsvc: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

var moto struct {
	once     sync.Once
	endpoint string
	err      error
}

// Moto returns the endpoint of a moto server. `make test` starts one and sets
// MOTO_ENDPOINT; without it (go test run by hand), the first call starts one
// from .venv on a free port that lives until the test binary exits. Tests
// isolate themselves with unique table and state machine names, not servers.
func Moto(t testing.TB) string {
	t.Helper()
	if ep := os.Getenv("MOTO_ENDPOINT"); ep != "" {
		return ep
	}
	server := Tool(t, ".venv/bin/moto_server")
	moto.once.Do(func() {
		port := FreePort(t)
		cmd := exec.Command(server, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if _, err := rie.StartOwned(cmd); err != nil {
			moto.err = err
			return
		}
		ep := fmt.Sprintf("http://127.0.0.1:%d", port)
		if err := waitHTTP(ep+"/moto-api/", 20*time.Second); err != nil {
			_ = cmd.Process.Kill()
			moto.err = fmt.Errorf("%v: %s", err, out.String())
			return
		}
		moto.endpoint = ep
	})
	if moto.err != nil {
		t.Fatalf("testsvc: start moto server: %v", moto.err)
	}
	return moto.endpoint
}

// UniqueName returns a name for a table or state machine that no other test in
// this run uses: the test's name, cleaned, and a time-based suffix.
func UniqueName(t testing.TB, prefix string) string {
	var b strings.Builder
	for _, r := range t.Name() {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return fmt.Sprintf("%s-%s-%d", prefix, name, time.Now().UnixNano()%1e9)
}

func waitHTTP(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %s: %w", url, limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
