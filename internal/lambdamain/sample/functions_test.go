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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/journeys-oss/journeys/internal/lambdamain/sample"
	"github.com/journeys-oss/journeys/internal/rie"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
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

// Figures measured by TestFunctionsUnderEmulator, for the benchmark script.
type figure struct {
	Function string  `json:"function"`
	InvokeMS float64 `json:"invokeMs"`
	PeakKB   int     `json:"peakRssKb"`
}

// TestFunctionsUnderEmulator builds every function in functions/ for this
// machine and invokes each with its events/<name>.json under the Lambda
// Runtime Interface Emulator (one emulator per function, its own ports),
// against moto seeded by Seed; the HTTP samples that need credentials run
// again signed (sample.Signer). Every answer meets its check.
func TestFunctionsUnderEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every function")
	}
	root := testsvc.Root(t)
	rieBin := testsvc.Tool(t, "bin/aws-lambda-rie")
	ctx := context.Background()
	name := testsvc.UniqueName(t, "journeys")
	cfg := testsvc.AWSConfig(t)
	o := sample.Options{Root: root, Table: name, SecretPrefix: name + "/", Outbox: t.TempDir(), Endpoint: testsvc.Moto(t)}
	env, err := sample.Seed(ctx, cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	p := newProbe(t, cfg, o, env)
	signer := sample.NewSigner(root, cfg, o.SecretPrefix)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bin+"/", "./functions/...")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build functions: %v\n%s", err, out)
	}
	var figures []figure
	for _, fn := range storyOrder(t, root) {
		t.Run(fn, func(t *testing.T) {
			event, err := os.ReadFile(filepath.Join(root, "events", fn+".json"))
			if err != nil {
				t.Fatalf("function %s has no sample event: %v", fn, err)
			}
			committed := checks[fn]
			if committed == nil {
				t.Fatalf("function %s has no check: add one to checks", fn)
			}
			var log bytes.Buffer
			em, err := rie.Start(ctx, rie.Config{RIE: rieBin, Bootstrap: filepath.Join(bin, fn), Env: env, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			defer em.Close()
			f := figure{Function: fn}
			invoke := func(kind string, event []byte, want check) {
				res, err := em.Invoke(ctx, event)
				if err != nil {
					t.Fatalf("invoke %s: %v\n%s", kind, err, log.String())
				}
				if f.InvokeMS == 0 {
					f.InvokeMS = float64(res.Duration.Microseconds()) / 1000
				}
				t.Logf("%s %s answered %s %s", kind, fn, res.ErrorType, res.Payload)
				var out map[string]any
				json.Unmarshal(res.Payload, &out)
				if err := want(p, answer{out: out, errType: res.ErrorType}); err != nil {
					t.Errorf("%s %s: %v\nanswer: %s %s\nlog:\n%s", kind, fn, err, res.ErrorMessage, res.Payload, log.String())
				}
			}
			invoke("sample", event, committed)
			if want := signedChecks[fn]; want != nil {
				signed, err := signer.Sign(ctx, event)
				if err != nil {
					t.Fatal(err)
				}
				invoke("signed", signed, want)
			}
			f.PeakKB = peakRSS(em.Pid())
			figures = append(figures, f)
		})
	}
	sort.Slice(figures, func(i, j int) bool { return figures[i].Function < figures[j].Function })
	for _, f := range figures {
		t.Logf("%-18s first invoke %7.1f ms  peak RSS %6d kB", f.Function, f.InvokeMS, f.PeakKB)
	}
	if out := os.Getenv("FUNCTION_FIGURES"); out != "" {
		b, _ := json.MarshalIndent(figures, "", "  ")
		os.WriteFile(out, b, 0o644)
	}
}

// storyOrder lists the functions in the order their samples tell one story
// on one seeded table: the contact waits for the welcome email to be
// opened (wait-register), then opens it (track), which resumes the wait;
// approval is asked (approval-request), then given (approval-callback).
func storyOrder(t *testing.T, root string) []string {
	dirs, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if len(dirs) < len(checks) {
		t.Fatalf("found %d functions, want at least %d", len(dirs), len(checks))
	}
	first := map[string]int{"wait-register": 1, "approval-request": 2}
	var fns []string
	for _, d := range dirs {
		fns = append(fns, filepath.Base(filepath.Dir(d)))
	}
	sort.SliceStable(fns, func(i, j int) bool {
		a, b := first[fns[i]], first[fns[j]]
		return a != 0 && (b == 0 || a < b)
	})
	return fns
}

func newProbe(t *testing.T, cfg aws.Config, o sample.Options, env []string) *probe {
	p := &probe{ctx: context.Background(), sqs: sqs.NewFromConfig(cfg), env: map[string]string{}, outbox: o.Outbox}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		p.env[k] = v
	}
	key, err := settings.NewAWSSecrets(secretsmanager.NewFromConfig(cfg), o.SecretPrefix, 0, nil).Secret(p.ctx, "suppression-key")
	if err != nil {
		t.Fatal(err)
	}
	if p.st, err = dynamo.New(dynamodb.NewFromConfig(cfg), o.Table, store.Config{SuppressionKey: []byte(key)}); err != nil {
		t.Fatal(err)
	}
	return p
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
