package lambdamain_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"go.yaml.in/yaml/v3"
)

// resources reads a template's Resources with CloudFormation's short
// tags (!Ref, !Sub, ...) kept as tagged values.
func resources(t *testing.T, file string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]yaml.Node `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[string]any{}
	for k, n := range doc.Resources {
		var v any
		n.Decode(&v)
		out[k] = v
	}
	return out
}

// TestTemplateTableIsTheFragment: the table in template.yaml is the one of
// template-fragments/store.yaml, which the DynamoDB adapter is tested on.
func TestTemplateTableIsTheFragment(t *testing.T) {
	root := testsvc.Root(t)
	tpl := resources(t, filepath.Join(root, "template.yaml"))
	frag := resources(t, filepath.Join(root, "template-fragments", "store.yaml"))
	if diff := cmp.Diff(frag["JourneysTable"], tpl["JourneysTable"]); diff != "" {
		t.Errorf("template.yaml's JourneysTable differs from the fragment (-fragment +template):\n%s", diff)
	}
}

// TestTemplateFunctions: every function folder has a <Name>Function built
// with the makefile builder, and every such resource has a folder.
func TestTemplateFunctions(t *testing.T) {
	root := testsvc.Root(t)
	tpl := resources(t, filepath.Join(root, "template.yaml"))
	dirs, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	want := map[string]bool{}
	for _, d := range dirs {
		var id strings.Builder
		for _, part := range strings.Split(filepath.Base(filepath.Dir(d)), "-") {
			id.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
		want[id.String()+"Function"] = true
	}
	for id := range want {
		r, ok := tpl[id].(map[string]any)
		if !ok {
			t.Errorf("functions/ has a folder for %s, template.yaml no resource", id)
			continue
		}
		if md, _ := r["Metadata"].(map[string]any); md["BuildMethod"] != "makefile" {
			t.Errorf("%s is not built with BuildMethod: makefile", id)
		}
	}
	for id, r := range tpl {
		if m, _ := r.(map[string]any); m["Type"] == "AWS::Serverless::Function" && !want[id] {
			t.Errorf("template.yaml's %s has no functions/ folder", id)
		}
	}
}

func TestCfnLint(t *testing.T) {
	root := testsvc.Root(t)
	cmd := exec.Command(testsvc.Tool(t, ".venv/bin/cfn-lint"), "template.yaml")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

func TestSamBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("sam build compiles every function for arm64")
	}
	root := testsvc.Root(t)
	out := t.TempDir()
	cmd := exec.Command(testsvc.Tool(t, ".venv/bin/sam"), "build", "--build-in-source", "--parallel", "--build-dir", out, "--template-file", "template.yaml")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "SAM_CLI_TELEMETRY=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sam build: %v\n%s", err, b)
	}
	for _, fn := range []string{"SendFunction", "TrackFunction"} {
		for _, f := range []string{"bootstrap", "settings/northwind.settings.yaml"} {
			if _, err := os.Stat(filepath.Join(out, fn, f)); err != nil {
				t.Errorf("sam build output lacks %s/%s", fn, f)
			}
		}
	}
	// make build's rule, into a folder of its own, gives the same bytes:
	// one build rule, the same tags and flags.
	mk := t.TempDir()
	cmd = exec.Command("make", "--no-print-directory", "BUILD="+mk, mk+"/arm64/send/bootstrap")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make: %v\n%s", err, b)
	}
	if a, b := fileSum(t, filepath.Join(out, "SendFunction", "bootstrap")), fileSum(t, filepath.Join(mk, "arm64", "send", "bootstrap")); a != b {
		t.Errorf("sam build's send bootstrap (sha256 %s) differs from make build's (%s)", a, b)
	}
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}
