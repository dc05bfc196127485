package local

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/wire"
)

var codecRequests = []string{
	`{"v":1,"op":"send","bu":"northwind","journey":"welcome","version":3,"contact":"c-0001-g000001","entry":"sim","execution":"arn:aws:states:us-east-1:123456789012:execution:welcome:abc","step":"send-intro"}`,
	` { "v" : 1 , "op" : "finish" , "outcome" : "exited" , "error" : "Journey.Exited" , "cause" : "{\"errorMessage\":\"exit criterion unsubscribed\"}" } `,
	`{"v":1,"op":"attrs","attrs":["leadScore","plan"],"step":""}`,
	`{"v":1,"op":"waitTimeout","step":"wait-open","since":"2026-11-30T10:00:00.123Z"}`,
	`{"v":1,"attrs":[]}`,
	`{"v":1,"attrs":["a"],"attrs":[]}`,
	`{"v":1,"Op":"send"}`,
	`{"v":1,"op":null}`,
	`{"v":1.0}`,
	`{"v":01}`,
	`{"v":-0,"version":-12}`,
	`{"v":99999999999999999999}`,
	`{"v":1,"step":"héllo"}`,
	"{\"v\":1,\"step\":\"bad \xff utf-8\"}",
	`{"v":1,"extra":{"x":[1,2]}}`,
	`{"v":1}trailing`,
	`{"v":1,}`,
	`[]`,
	``,
	`{"token":"AAAA+/=="}`,
	`{"v":"1"}`,
}

// TestDecodeRequestAsJSON: the fast decoder's outcome is
// json.Unmarshal's, error or value, for payloads it reads and payloads it
// hands on.
func TestDecodeRequestAsJSON(t *testing.T) {
	for _, p := range codecRequests {
		checkDecode(t, []byte(p))
	}
}

func FuzzDecodeRequest(f *testing.F) {
	for _, p := range codecRequests {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, p []byte) { checkDecode(t, p) })
}

func checkDecode(t *testing.T, p []byte) {
	t.Helper()
	var want, got wire.StepRequest
	werr := json.Unmarshal(p, &want)
	gerr := decodeRequest(p, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: error %v, encoding/json's %v", p, gerr, werr)
	}
	if diff := cmp.Diff(want, got); werr == nil && diff != "" {
		t.Errorf("%q (-encoding/json +fast):\n%s", p, diff)
	}
	var fast wire.StepRequest
	if (&reqDecoder{b: p}).object(&fast) && werr != nil {
		t.Errorf("%q: the fast path took a payload encoding/json refuses (%v)", p, werr)
	}
}

// TestEncodeResultAsJSON: results encode byte for byte as json.Marshal
// encodes them.
func TestEncodeResultAsJSON(t *testing.T) {
	yes, no := true, false
	var zero, left int64 = 0, 86400
	for _, res := range []wire.StepResult{
		{Remaining: &zero},
		{Remaining: &left, Status: "x"},
		{},
		{Status: "sent"},
		{Result: &yes},
		{Result: &no, Status: "x"},
		{Case: "gold", Until: "2026-12-01T08:00:00Z", Status: "deferred"},
		{Status: "a<b&c>"},
		{Status: "héllo"},
		{Status: "quote\" and \\"},
		{Attrs: map[string]any{"plan": "pro", "leadScore": 80.0}, Status: "sent"},
		{Attrs: map[string]any{}},
	} {
		want, werr := json.Marshal(res)
		got, gerr := encodeResult(res)
		if werr != nil || gerr != nil {
			t.Fatalf("%+v: %v, %v", res, werr, gerr)
		}
		if string(got) != string(want) {
			t.Errorf("%+v: %s, want %s", res, got, want)
		}
	}
}
