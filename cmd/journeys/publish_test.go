package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

// apiServer serves the management API over an embedded store and the
// local Step Functions (not run: nothing drives its virtual clock), with an API key of northwind in the
// environment.
func apiServer(t *testing.T) (string, *embedded.Store) {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Millisecond); return now }
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: clock}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	api := local.NewWorkflow(local.WorkflowConfig{Clock: asl.NewVirtualClock(now), Logger: slog.New(slog.DiscardHandler)})
	fns := map[string]string{}
	for name, fn := range compile.Placeholders {
		fns[name] = "arn:aws:lambda:us-east-1:123456789012:function:journeys-" + fn
	}
	quiet := slog.New(slog.DiscardHandler)
	pub, err := publish.New(st, api, publish.Config{RoleArn: "arn:aws:iam::123456789012:role/j", Functions: fns}, clock,
		publish.Options{Approvals: publish.StoreApprovals{Store: st}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc := manage.NewService(st, api, pub, manage.Config{}, manage.Options{Launcher: startLaunches{}, Now: clock, Logger: quiet})
	srv := httptest.NewServer(manage.NewHandler(svc, manage.HandlerOptions{}))
	t.Cleanup(srv.Close)
	secret, key := manage.NewAPIKey("northwind", "cli", nil, clock())
	if err := st.PutAPIKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envAPIKey, secret)
	t.Setenv(envAPI, "")
	return srv.URL, st
}

// startLaunches answers launches without running them.
type startLaunches struct{}

func (startLaunches) StartLaunch(_ context.Context, _, _, launchID, _ string) (string, error) {
	return "exec-" + launchID, nil
}

// TestManagementCommands runs publish, versions, status, pause, resume,
// stop, rollback and launch against the management API.
func TestManagementCommands(t *testing.T) {
	url, st := apiServer(t)
	welcome := "../../journeys/welcome.journey.yaml"
	for _, tt := range []struct {
		name string
		args []string
		exit int
		out  []string
	}{
		{"publish", []string{"publish", welcome, "--by", "alice", "--api", url}, 0,
			[]string{"welcome v1 published", "journeys-northwind_welcome:1", "alias arn:aws:states:us-east-1:123456789012:stateMachine:journeys-northwind_welcome:live -> v1", "Lambda invocations (typical)"}},
		{"publish again", []string{"publish", "--api", url, welcome}, 0, []string{"welcome v2 published"}},
		{"versions", []string{"versions", "--api", url, "welcome"}, 0, []string{"v1", "alice via key:cli", "v2", "current"}},
		{"status", []string{"status", "--api", url, "welcome"}, 0, []string{"welcome (Welcome series for LinkedIn leads): active", "version    v2", "active     0 enrolments"}},
		{"pause", []string{"pause", "--api", url, "--reason", "copy review", "welcome"}, 0, []string{"welcome paused"}},
		{"status paused", []string{"status", "--api", url, "welcome"}, 0, []string{"paused (copy review)"}},
		{"resume", []string{"resume", "--api", url, "welcome"}, 0, []string{"welcome is active again"}},
		{"rollback", []string{"rollback", "--api", url, "--to", "1", "welcome"}, 0, []string{"welcome rolled back to v1"}},
		{"launch", []string{"launch", "--api", url, "--launch", "spring", "welcome"}, 0, []string{"launch spring of welcome started (exec-spring)"}},
		{"stop", []string{"stop", "--api", url, "--reason", "wrong offer", "welcome"}, 0, []string{"welcome stopped: 0 running executions stopped"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(tt.args...)
			if code != tt.exit {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.exit, out, errOut)
			}
			for _, s := range tt.out {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
		})
	}
	code, out, _ := runCLI("status", "--api", url, "--json", "welcome")
	var status manage.JourneyStatus
	if code != 0 || json.Unmarshal([]byte(out), &status) != nil || status.Journey.Status != store.JourneyStopped || status.Journey.Current != 1 {
		t.Fatalf("status --json: %d %s", code, out)
	}
	v, err := st.GetVersion(context.Background(), "northwind", "welcome", 1)
	if err != nil || !strings.Contains(string(v.ASL), "generated from journeys/welcome.journey.yaml") {
		t.Errorf("the bundle's files should be named from the journeys folder: %v", err)
	}
}

func TestManagementCommandsRefuse(t *testing.T) {
	url, _ := apiServer(t)
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		exit int
		err  string
	}{
		{"no API", []string{"status", "welcome"}, nil, exitUsage, "no management API: give --api URL or set JOURNEYS_API"},
		{"no key", []string{"status", "--api", url, "welcome"}, map[string]string{envAPIKey: ""}, exitUsage, "no API key: set JOURNEYS_API_KEY"},
		{"bad key", []string{"status", "--api", url, "welcome"}, map[string]string{envAPIKey: "jk_wrong"}, exitFailed, "HTTP 401"},
		{"iam without bu", []string{"status", "--api", url, "--iam", "welcome"}, nil, exitUsage, "--iam needs --bu BU"},
		{"unknown journey", []string{"status", "--api", url, "ghost"}, nil, exitFailed, "HTTP 404 not_found"},
		{"two journeys", []string{"pause", "--api", url, "a", "b"}, nil, exitUsage, "give one journey id"},
		{"stop without reason", []string{"stop", "--api", url, "welcome"}, nil, exitUsage, "give --reason"},
		{"rollback without version", []string{"rollback", "--api", url, "welcome"}, nil, exitUsage, "give --to VERSION"},
		{"publish an invalid journey", []string{"publish", "--api", url, "--root", "../../journeys", "testdata/cli-bad.journey.yaml"}, nil, exitInvalid,
			`testdata/cli-bad.journey.yaml:7:21: step "hello": unknown channel "emial"`},
		{"publish nothing", []string{"publish", "--api", url}, nil, exitUsage, "give one journey file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			code, out, errOut := runCLI(tt.args...)
			if code != tt.exit || !strings.Contains(errOut, tt.err) {
				t.Fatalf("exit %d, want %d; stderr %q, want it to hold %q (stdout %q)", code, tt.exit, errOut, tt.err, out)
			}
		})
	}
}
