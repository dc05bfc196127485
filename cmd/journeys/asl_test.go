package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestASLCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // exact stdout, or a JSON document compared as such when it starts with {
		wantErr  string // substring of stderr
	}{
		{"exec with a bound function and context names",
			[]string{"asl", "exec", "--definition", "testdata/asl-invoke.json", "--input", `{"a":1}`, "--resource", "send=echo", "--context", `{"executionName":"contact-1"}`},
			exitOK, `{"status":"SUCCEEDED","output":{"execution":"contact-1","echoed":{"a":1}},"error":null,"cause":null}`, ""},
		{"exec with input from a file",
			[]string{"asl", "exec", "--definition", "testdata/asl-invoke.json", "--input", "@testdata/asl-input.json", "--resource", "arn:aws:lambda:us-east-1:123456789012:function:send=echo"},
			exitOK, "", ""},
		{"exec of an unbound function fails as AWS does",
			[]string{"asl", "exec", "--definition", "testdata/asl-invoke.json"},
			exitFailed, "", ""},
		{"exec on a virtual clock: a day passes at once",
			[]string{"asl", "exec", "--definition", "testdata/asl-wait-fail.json"},
			exitFailed, `{"status":"FAILED","output":null,"error":"Journey.Failed","cause":"a day later"}`, ""},
		{"exec of an invalid definition",
			[]string{"asl", "exec", "--definition", "testdata/asl-invalid.json"},
			exitInvalid, "", `$.StartAt: StartAt names the state "Missing"`},
		{"exec rejects an unknown context field",
			[]string{"asl", "exec", "--definition", "testdata/asl-invoke.json", "--context", `{"bogus":1}`},
			exitUsage, "", `--context: json: unknown field "bogus"`},
		{"exec rejects a context that is not an object",
			[]string{"asl", "exec", "--definition", "testdata/asl-invoke.json", "--context", `[1]`},
			exitUsage, "", `--context: not a JSON object`},
		{"exec rejects two context objects",
			[]string{"asl", "exec", "--definition", "testdata/asl-invoke.json", "--context", `{} {}`},
			exitUsage, "", `--context: more than one JSON value`},
		{"exec without a definition", []string{"asl", "exec"}, exitUsage, "", "--definition FILE is required"},
		{"exec with a bad resource binding", []string{"asl", "exec", "--definition", "x", "--resource", "send=nope"}, exitUsage, "", "unknown handler"},
		{"exec --help", []string{"asl", "exec", "--help"}, exitOK, "", ""},
		{"validate a valid file", []string{"asl", "validate", "testdata/asl-invoke.json"}, exitOK, "testdata/asl-invoke.json: valid\n", ""},
		{"validate an invalid file", []string{"asl", "validate", "testdata/asl-invalid.json"}, exitInvalid,
			"testdata/asl-invalid.json: $.StartAt: StartAt names the state \"Missing\", which does not exist\n", ""},
		{"unknown subcommand", []string{"asl", "frobnicate"}, exitUsage, "", "unknown subcommand"},
		{"no subcommand", []string{"asl"}, exitUsage, "", "Usage: journeys asl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, strings.NewReader(""), &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, stdout.String(), stderr.String())
			}
			switch {
			case strings.HasPrefix(tc.wantOut, "{"):
				var got, want any
				if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
					t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
				}
				_ = json.Unmarshal([]byte(tc.wantOut), &want)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("stdout (-want +got):\n%s", diff)
				}
			case tc.wantOut != "" && stdout.String() != tc.wantOut:
				t.Errorf("stdout %q, want %q", stdout.String(), tc.wantOut)
			}
			if !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tc.wantErr)
			}
		})
	}
}

func TestASLExecHistoryAndRepeat(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"asl", "exec", "--definition", "testdata/asl-invoke.json", "--resource", "send=echo", "--history"}, nil, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out struct {
		Status string
		Events []struct {
			Type            string `json:"type"`
			ID              int    `json:"id"`
			PreviousEventID int    `json:"previousEventId"`
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range out.Events {
		types = append(types, ev.Type)
	}
	want := []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded",
		"TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	stdout.Reset()
	code = run([]string{"asl", "exec", "--definition", "testdata/asl-invoke.json", "--resource", "send=echo", "--repeat", "50"}, nil, &stdout, &stderr)
	var totals struct {
		Executions, Transitions int
		Seconds                 float64
	}
	if err := json.Unmarshal(stdout.Bytes(), &totals); err != nil || code != exitOK {
		t.Fatalf("repeat: %v %d %s", err, code, stdout.String())
	}
	if totals.Executions != 50 || totals.Transitions != 100 {
		t.Errorf("totals %+v", totals)
	}
}
