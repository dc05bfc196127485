package devserver_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/local/devserver"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

const rieJourney = `id: rie-check
name: Built functions check
businessUnit: northwind
trigger:
  linkedinForm: {}
steps:
  - id: hello
    send: {channel: email, template: welcome-intro}
  - id: opened
    waitFor:
      events: [{event: email.opened, send: hello, next: done}]
      timeout: 3d
  - id: done
    end: true
`

// buildFunctions builds task functions for this machine, as make
// build-host does.
func buildFunctions(t *testing.T, fns ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, fn := range fns {
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, fn, "bootstrap"), "../../../functions/"+fn)
		cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", fn, err, b)
		}
	}
	return dir
}

// TestRIEMode runs the task functions as built bootstraps under the
// Lambda emulator, against DynamoDB in moto: the send function delivers to
// the outbox, wait-register stores the token, the open through the
// tracking pixel resumes the execution through the local Step Functions
// endpoint, and the finish function records the end.
func TestRIEMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds functions, starts moto and the Lambda emulator")
	}
	ctx := context.Background()
	root := t.TempDir()
	for _, sub := range []string{"schema", "segments", "content", "settings"} {
		copyDir(t, filepath.Join("../../../journeys", sub), filepath.Join(root, sub))
	}
	if err := os.WriteFile(filepath.Join(root, "rie-check.journey.yaml"), []byte(rieJourney), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cfg := devserver.Config{
		Root: root, DataDir: t.TempDir(), Addr: freeAddr(t),
		Contacts: []string{"../../../journeys/contacts/northwind.contacts.yaml"},
		RIE: &devserver.RIEConfig{
			RIE: testsvc.Tool(t, "bin/aws-lambda-rie"), BuildDir: buildFunctions(t, "send", "wait-register", "finish"),
			Endpoint: testsvc.Moto(t), Template: filepath.Join(testsvc.Root(t), "template-fragments", "store.yaml"),
			Table: testsvc.UniqueName(t, "journeys"), Log: &log,
		},
	}
	s, _ := startServer(t, cfg, t0)
	enrolIn(t, s, "rie-check", "c-0005")
	advance(t, s, 0)
	if code := get(t, pixel(t, s, "c-0005", "hello")); code != http.StatusOK {
		t.Fatalf("pixel: %d\n%s", code, log.String())
	}
	advance(t, s, time.Minute)
	if e := enrolment(t, s, "rie-check", "c-0005", "test"); e.Status != store.EnrolmentCompleted {
		t.Fatalf("enrolment %+v\n%s", e, log.String())
	}
	logs, err := s.System().Store.ListStepLogs(ctx, "northwind", "c-0005", "")
	if err != nil || len(logs) < 3 {
		t.Fatalf("step logs written by the built functions: %+v, %v", logs, err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(to, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
