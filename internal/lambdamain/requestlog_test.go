package lambdamain_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/wire"
)

// invokeCtx is the context the Lambda runtime gives an invoke.
func invokeCtx(id string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id})
}

// records decodes JSON log lines into msg → requestId.
func records(t *testing.T, out string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		id, _ := rec[lambdamain.RequestIDKey].(string)
		got[rec["msg"].(string)] = id
	}
	return got
}

// TestRequestLogTask invokes a task function as the Lambda runtime does:
// every line logged during the invoke carries its request id, with or
// without a context; lines outside an invoke carry none.
func TestRequestLogTask(t *testing.T) {
	var buf bytes.Buffer
	rl := &lambdamain.RequestLog{}
	log := slog.New(rl.Handler(slog.NewJSONHandler(&buf, nil))).With("journey", "welcome")
	task := lambdamain.Task(func(ctx context.Context, req wire.StepRequest) (wire.StepResult, error) {
		log.InfoContext(ctx, "with context", "step", req.Step)
		log.Info("without context")
		return wire.StepResult{Status: "sent"}, nil
	})
	h := rl.Wrap(lambda.NewHandler(task))
	out, err := h.Invoke(invokeCtx("req-task-1"), []byte(`{"v":1,"op":"send","step":"hello"}`))
	if err != nil || string(out) != `{"status":"sent"}` {
		t.Fatalf("invoke: %s, %v", out, err)
	}
	log.Info("after the invoke")
	want := map[string]string{"with context": "req-task-1", "without context": "req-task-1", "after the invoke": ""}
	if diff := cmp.Diff(want, records(t, buf.String())); diff != "" {
		t.Errorf("request ids by line (-want +got):\n%s", diff)
	}
}

// TestRequestLogHTTP does the same for an HTTP function behind the API
// Gateway adapter, over two invokes.
func TestRequestLogHTTP(t *testing.T) {
	var buf bytes.Buffer
	rl := &lambdamain.RequestLog{}
	log := slog.New(rl.Handler(slog.NewJSONHandler(&buf, nil)))
	fn := lambdamain.HTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "request "+r.URL.Path)
		log.Warn("no context " + r.URL.Path)
		w.WriteHeader(http.StatusNoContent)
	}), log)
	h := rl.Wrap(lambda.NewHandler(fn))
	for _, id := range []string{"req-http-1", "req-http-2"} {
		ev, _ := json.Marshal(events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/" + id,
			RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "apigw-" + id,
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/" + id}}})
		if _, err := h.Invoke(invokeCtx(id), ev); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"request /req-http-1": "req-http-1", "no context /req-http-1": "req-http-1",
		"request /req-http-2": "req-http-2", "no context /req-http-2": "req-http-2"}
	if diff := cmp.Diff(want, records(t, buf.String())); diff != "" {
		t.Errorf("request ids by line (-want +got):\n%s", diff)
	}
}
