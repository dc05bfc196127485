package compile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// examples returns the example journey files, relative to the root.
func examples(t testing.TB, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "journeys", "*.journey.yaml"))
	if err != nil || len(files) < 5 {
		t.Fatalf("want the five example journeys, found %v (%v)", files, err)
	}
	sort.Strings(files)
	return files
}

// TestExamplesUpToDate compiles every example journey as `make
// statemachines` does and fails when statemachines/<id>.asl.json differs.
func TestExamplesUpToDate(t *testing.T) {
	root := testsvc.Root(t)
	lib := loadLib(t, filepath.Join(root, "journeys"))
	t.Chdir(root)
	for _, file := range examples(t, ".") {
		res := compileFile(t, file, lib)
		t.Run(res.Journey, func(t *testing.T) {
			checkMachine(t, res)
			path := filepath.Join("statemachines", res.Journey+".asl.json")
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run make statemachines)", err)
			}
			if !bytes.Equal(got, res.Definition) {
				t.Errorf("%s is out of date: run make statemachines", path)
			}
			if !bytes.Contains(res.Definition[:300], []byte("generated from "+file+" by `make statemachines`")) {
				t.Errorf("%s: the Comment does not name %s and make statemachines", path, file)
			}
		})
	}
}

// machines returns every state machine the validators must accept: all of
// statemachines/ (generated and hand-written) and the golden files.
func machines(t *testing.T) []string {
	root := testsvc.Root(t)
	a, _ := filepath.Glob(filepath.Join(root, "statemachines", "*.asl.json"))
	b, _ := filepath.Glob(filepath.Join("testdata", "*.asl.json"))
	all := append(a, b...)
	if len(a) < 5 {
		t.Fatalf("found %d machines in statemachines/, want the examples at least", len(a))
	}
	return all
}

// TestASLValidator runs the npm package asl-validator on every machine.
func TestASLValidator(t *testing.T) {
	if testing.Short() {
		t.Skip("runs asl-validator")
	}
	tool := testsvc.Tool(t, "node_modules/.bin/asl-validator")
	var args []string
	for _, m := range machines(t) {
		args = append(args, "--json-path", m)
	}
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Errorf("asl-validator: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "is valid"); n != len(args)/2 {
		t.Errorf("asl-validator accepted %d of %d machines:\n%s", n, len(args)/2, out)
	}
}

// TestCfnLint embeds every machine inline in a generated CloudFormation
// template (cfn-lint does not read files behind DefinitionUri) and lints
// it, so rule E3601 checks each definition.
func TestCfnLint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs cfn-lint")
	}
	tool := testsvc.Tool(t, ".venv/bin/cfn-lint")
	subs := map[string]string{}
	for p, fn := range compile.Placeholders {
		subs[p] = "arn:aws:lambda:eu-west-1:123456789012:function:journeys-" + fn
	}
	resources := map[string]any{}
	names := map[string]string{}
	for i, m := range machines(t) {
		raw, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		var def any
		if err := json.Unmarshal(raw, &def); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		id := fmt.Sprintf("Machine%d", i)
		names[id] = m
		resources[id] = map[string]any{
			"Type": "AWS::StepFunctions::StateMachine",
			"Properties": map[string]any{
				"RoleArn":                 "arn:aws:iam::123456789012:role/journeys-states",
				"Definition":              def,
				"DefinitionSubstitutions": subs,
			},
		}
	}
	tpl, _ := json.MarshalIndent(map[string]any{"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, "", "  ")
	path := filepath.Join(t.TempDir(), "machines.template.json")
	if err := os.WriteFile(path, tpl, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, path).CombinedOutput()
	if err != nil {
		text := string(out)
		for id, m := range names {
			text = strings.ReplaceAll(text, "Resources/"+id+"/", "Resources/"+id+" ("+filepath.Base(m)+")/")
		}
		t.Errorf("cfn-lint: %v\n%s", err, text)
	}
}

// TestCfnLintCatchesBadDefinitions makes sure the lint above can fail.
func TestCfnLintCatchesBadDefinitions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs cfn-lint")
	}
	tool := testsvc.Tool(t, ".venv/bin/cfn-lint")
	tpl := `{"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"RoleArn": "arn:aws:iam::123456789012:role/r",
	  "Definition": {"StartAt": "A", "States": {"A": {"Type": "Taskk", "End": true}}}}}}}`
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "E3601") {
		t.Fatalf("cfn-lint accepted a bad definition: %v\n%s", err, out)
	}
}
