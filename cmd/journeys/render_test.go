package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRenderCommand(t *testing.T) {
	code, out, errOut := runCLI("render", "--template", "testdata/render/greeting.liquid",
		"--blocks", "testdata/render/blocks", "--data", "testdata/render/data.json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "Hello, Ada & Co!\n- ONE;\n- TWO.\n-- Grace <Northwind>\n\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestRenderRepeat(t *testing.T) {
	code, out, errOut := runCLI("render", "--template", "testdata/render/greeting.liquid",
		"--blocks", "testdata/render/blocks", "--data", "testdata/render/data.json", "--repeat", "25")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Renders int     `json:"renders"`
		Seconds float64 `json:"seconds"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if got.Renders != 25 || got.Seconds <= 0 {
		t.Errorf("got %+v", got)
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no template", []string{"render"}, exitUsage, "give --template FILE"},
		{"invalid template", []string{"render", "--template", "testdata/render/broken.liquid"}, exitInvalid,
			`testdata/render/broken.liquid:1:1: if is not closed (add {% endif %})` + "\n" +
				`testdata/render/broken.liquid:2:18: unknown filter "nosuchfilter"`},
		{"unknown block", []string{"render", "--template", "testdata/render/greeting.liquid"}, exitInvalid,
			`testdata/render/greeting.liquid:3:23: unknown block "signature"`},
		{"missing file", []string{"render", "--template", "testdata/render/nope.liquid"}, exitFailed, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.inStderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errOut, tc.code, tc.inStderr)
			}
		})
	}
}

// TestRenderIsolation: as with Shopify's render, a block does not see the
// including file's assigns or loop variables, only the data and its
// parameters.
func TestRenderIsolation(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("t.liquid", `{% assign secret = "s" %}{% for item in (1..2) %}{% render 'b', n: item %}{% endfor %}`)
	write("b.liquid", `[{{ n }}{{ item }}{{ secret }}{{ company }}]`)
	write("data.json", `{"company": "Northwind"}`)
	code, out, errOut := runCLI("render", "--template", filepath.Join(dir, "t.liquid"), "--blocks", dir, "--data", filepath.Join(dir, "data.json"))
	if code != exitOK || out != "[1Northwind][2Northwind]" {
		t.Errorf("exit %d, output %q, stderr %s", code, out, errOut)
	}
}
