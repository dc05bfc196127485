package sample_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/lambdamain/sample"
	"github.com/journeys-oss/journeys/internal/rie"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

var update = flag.Bool("update", false, "rewrite events/track.json")

func TestTrackEvent(t *testing.T) {
	want, err := sample.TrackEvent()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(testsvc.Root(t), "events", "track.json")
	if *update {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("events/track.json is not the sample's signed open (run go test ./internal/lambdamain/sample -run TrackEvent -update): %v", err)
	}
}

// checks say what each of this package's functions must answer to its
// sample event. Functions without a check (added by others) must answer
// without an unnamed error.
var checks = map[string]func(out map[string]any, errType string) error{
	"evaluate":       field("result", true),
	"send":           either(field("status", "sent"), "Journey.Deferred"),
	"sales-task":     field("status", "created"),
	"webhook-action": field("status", "called"),
	"update-contact": field("status", "updated"),
	"wait-register":  field("status", "waiting"),
	"finish":         field("status", "completed"),
	"render": func(out map[string]any, errType string) error {
		if errType != "" || !strings.Contains(fmt.Sprint(out["subject"]), "Amelia") || !strings.Contains(fmt.Sprint(out["html"]), "/t/o?") {
			return fmt.Errorf("want a rendered, tracked welcome email for Amelia, got error %q and subject %v", errType, out["subject"])
		}
		return nil
	},
	"approval-request": field("status", "requested"),
	// The sample HTTP events carry no valid credentials: the endpoints
	// answer, and refuse them.
	"approval-callback": status(401),
	"events":            status(401),
	"linkedin-webhook":  status(401),
	"linkedin-sync":     noFailedMessage,
	// The sample job records an open of the sample welcome email in
	// DynamoDB and finds the wait resumed already (track runs first).
	"track-retry": noFailedMessage,
	"track": func(out map[string]any, errType string) error {
		h, _ := out["headers"].(map[string]any)
		if errType != "" || out["statusCode"] != 200.0 || h["Content-Type"] != "image/gif" || out["isBase64Encoded"] != true {
			return fmt.Errorf("want a 200 GIF, got error %q and %v", errType, out)
		}
		return nil
	},
}

func noFailedMessage(out map[string]any, errType string) error {
	if f, _ := out["batchItemFailures"].([]any); errType != "" || len(f) != 0 {
		return fmt.Errorf("want no failed message, got error %q and %v", errType, out)
	}
	return nil
}

func field(name string, want any) func(map[string]any, string) error {
	return func(out map[string]any, errType string) error {
		if errType != "" || out[name] != want {
			return fmt.Errorf("want %s %v, got error %q and %v", name, want, errType, out)
		}
		return nil
	}
}

func status(code float64) func(map[string]any, string) error {
	return func(out map[string]any, errType string) error {
		if errType != "" || out["statusCode"] != code {
			return fmt.Errorf("want status %v, got error %q and %v", code, errType, out)
		}
		return nil
	}
}

func either(ok func(map[string]any, string) error, errName string) func(map[string]any, string) error {
	return func(out map[string]any, errType string) error {
		if errType == errName {
			return nil
		}
		return ok(out, errType)
	}
}

// Figures measured by TestFunctionsUnderEmulator, for the benchmark script.
type figure struct {
	Function string  `json:"function"`
	InvokeMS float64 `json:"invokeMs"`
	PeakKB   int     `json:"peakRssKb"`
}

// TestFunctionsUnderEmulator builds every function in functions/ for this
// machine and invokes each with its events/<name>.json under the Lambda
// Runtime Interface Emulator (one emulator per function, its own ports),
// against moto seeded by Seed.
func TestFunctionsUnderEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every function")
	}
	root := testsvc.Root(t)
	rieBin := testsvc.Tool(t, "bin/aws-lambda-rie")
	ctx := context.Background()
	name := testsvc.UniqueName(t, "journeys")
	env, err := sample.Seed(ctx, testsvc.AWSConfig(t), sample.Options{Root: root, Table: name, SecretPrefix: name + "/",
		Outbox: t.TempDir(), Endpoint: testsvc.Moto(t)})
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bin+"/", "./functions/...")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build functions: %v\n%s", err, out)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if len(dirs) < len(checks) {
		t.Fatalf("found %d functions, want at least %d", len(dirs), len(checks))
	}
	// The samples tell one story on one seeded table: the contact waits for
	// the welcome email to be opened (wait-register), then opens it (track),
	// which resumes the wait. Run the waiting side first.
	sort.SliceStable(dirs, func(i, j int) bool {
		return strings.Contains(dirs[i], "wait-register") && !strings.Contains(dirs[j], "wait-register")
	})
	var figures []figure
	for _, d := range dirs {
		fn := filepath.Base(filepath.Dir(d))
		t.Run(fn, func(t *testing.T) {
			event, err := os.ReadFile(filepath.Join(root, "events", fn+".json"))
			if err != nil {
				t.Fatalf("function %s has no sample event: %v", fn, err)
			}
			var log bytes.Buffer
			em, err := rie.Start(ctx, rie.Config{RIE: rieBin, Bootstrap: filepath.Join(bin, fn), Env: env, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			defer em.Close()
			res, err := em.Invoke(ctx, event)
			if err != nil {
				t.Fatalf("invoke: %v\n%s", err, log.String())
			}
			var out map[string]any
			json.Unmarshal(res.Payload, &out)
			check := checks[fn]
			if check == nil {
				check = func(_ map[string]any, errType string) error {
					if errType != "" && !strings.HasPrefix(errType, "Journey.") && !strings.HasPrefix(errType, "Approval.") {
						return fmt.Errorf("unnamed function error %s", errType)
					}
					return nil
				}
			}
			if err := check(out, res.ErrorType); err != nil {
				t.Errorf("%s: %v\nanswer: %s %s\nlog:\n%s", fn, err, res.ErrorMessage, res.Payload, log.String())
			}
			figures = append(figures, figure{Function: fn, InvokeMS: float64(res.Duration.Microseconds()) / 1000, PeakKB: peakRSS(em.Pid())})
		})
	}
	sort.Slice(figures, func(i, j int) bool { return figures[i].Function < figures[j].Function })
	for _, f := range figures {
		t.Logf("%-16s first invoke %7.1f ms  peak RSS %6d kB", f.Function, f.InvokeMS, f.PeakKB)
	}
	if out := os.Getenv("FUNCTION_FIGURES"); out != "" {
		b, _ := json.MarshalIndent(figures, "", "  ")
		os.WriteFile(out, b, 0o644)
	}
}

// peakRSS returns the VmHWM (kB) of the emulator's child (the bootstrap).
func peakRSS(riePid int) int {
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", riePid))
		for _, f := range tasks {
			kids, _ := os.ReadFile(f)
			for _, k := range strings.Fields(string(kids)) {
				if kb := vmHWM(k); kb > 0 {
					return kb
				}
			}
		}
	}
	return 0
}

func vmHWM(pid string) int {
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	return 0
}
