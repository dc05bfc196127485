package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"go.yaml.in/yaml/v3"
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
	stderr.Reset()
	code = run([]string{"invoke", "--rie", rieBin, "--bootstrap", bin, "--event", filepath.Join(root, "events", "evaluate.json"), "--sign",
		"--endpoint", testsvc.Moto(t), "--root", root, "--table", testsvc.UniqueName(t, "journeys"), "--outbox", t.TempDir()}, nil, &stdout, &stderr)
	if code != exitFailed || !strings.Contains(stderr.String(), "only the events, approval callback and LinkedIn webhook samples are signed") {
		t.Errorf("--sign of a task event: exit %d, %s", code, stderr.String())
	}
	if code := run([]string{"invoke", "--event", "x.json"}, nil, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "--bootstrap") {
		t.Errorf("usage: exit %d, %s", code, stderr.String())
	}
}

// TestInvokeWriteEnv: --write-env seeds a moto server and writes the `sam
// local invoke --env-vars` file naming, for every function of
// template.yaml, every variable the template declares for it (Globals
// included), with the seeded table and secret prefix.
func TestInvokeWriteEnv(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds moto")
	}
	root := testsvc.Root(t)
	table := testsvc.UniqueName(t, "journeys")
	file := filepath.Join(t.TempDir(), "local-env.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"invoke", "--endpoint", testsvc.Moto(t), "--root", root, "--table", table, "--secret-prefix", table + "/",
		"--outbox", t.TempDir(), "--write-env", file}, nil, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]string
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := templateVariables(t, filepath.Join(root, "template.yaml"))
	if len(want) < 20 {
		t.Fatalf("template.yaml: %d functions, want at least 20", len(want))
	}
	names := map[string][]string{}
	for fn, vars := range got {
		for v := range vars {
			names[fn] = append(names[fn], v)
		}
		slices.Sort(names[fn])
		if strings.Contains(vars["LEAD_QUEUE_URL"], "127.0.0.1") || vars["TABLE_NAME"] != table || vars["SECRET_PREFIX"] != table+"/" || vars["SETTINGS_DIR"] != "settings" {
			t.Errorf("%s: TABLE_NAME %q, SECRET_PREFIX %q, SETTINGS_DIR %q, LEAD_QUEUE_URL %q: want the seeded table and prefix, settings in the artifact, moto as a container reaches it",
				fn, vars["TABLE_NAME"], vars["SECRET_PREFIX"], vars["SETTINGS_DIR"], vars["LEAD_QUEUE_URL"])
		}
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("variables per function (-template +env file):\n%s", diff)
	}
	if code := run([]string{"invoke", "--write-env", file}, nil, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "--endpoint") {
		t.Errorf("--write-env without --endpoint: exit %d, %s", code, stderr.String())
	}
}

// templateVariables reads, per function of the SAM template, the names
// of the environment variables it gets (Globals and its own), sorted.
func templateVariables(t *testing.T, path string) map[string][]string {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type envVars struct {
		Environment struct {
			Variables map[string]yaml.Node `yaml:"Variables"`
		} `yaml:"Environment"`
	}
	var doc struct {
		Globals struct {
			Function envVars `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string  `yaml:"Type"`
			Properties envVars `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for id, r := range doc.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		set := map[string]bool{}
		for _, vars := range []map[string]yaml.Node{doc.Globals.Function.Environment.Variables, r.Properties.Environment.Variables} {
			for v := range vars {
				set[v] = true
			}
		}
		for v := range set {
			out[id] = append(out[id], v)
		}
		slices.Sort(out[id])
	}
	return out
}
