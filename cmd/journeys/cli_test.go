package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// cliCase is one case of testdata/cli.yaml.
type cliCase struct {
	Name           string   `yaml:"name"`
	Args           []string `yaml:"args"`
	Stdin          string   `yaml:"stdin"`
	Exit           int      `yaml:"exit"`
	Stdout         *string  `yaml:"stdout"`
	Stderr         *string  `yaml:"stderr"`
	StdoutContains []string `yaml:"stdout_contains"`
	StderrContains []string `yaml:"stderr_contains"`
}

func TestCLI(t *testing.T) {
	src, err := os.ReadFile("testdata/cli.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []cliCase
	if err := yaml.Unmarshal(src, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.Args, strings.NewReader(tc.Stdin), &stdout, &stderr)
			if code != tc.Exit {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.Exit, stdout.String(), stderr.String())
			}
			if tc.Stdout != nil && stdout.String() != *tc.Stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), *tc.Stdout)
			}
			if tc.Stderr != nil && stderr.String() != *tc.Stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), *tc.Stderr)
			}
			for _, s := range tc.StdoutContains {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tc.StderrContains {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
		})
	}
}

// TestCompileOut writes machines with --out as `make statemachines` does
// and compares them with the committed ones.
func TestCompileOut(t *testing.T) {
	dir := t.TempDir()
	files, _ := filepath.Glob("../../journeys/*.journey.yaml")
	t.Chdir("../..")
	for i := range files {
		files[i] = strings.TrimPrefix(files[i], "../../")
	}
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"compile", "--out", dir}, files...), nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".journey.yaml")
		got, err := os.ReadFile(filepath.Join(dir, id+".asl.json"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("statemachines", id+".asl.json"))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("statemachines/%s.asl.json differs from `journeys compile --out` (run make statemachines)", id)
		}
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Log("make not found; the make target itself is not exercised")
	}
}
