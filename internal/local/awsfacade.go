package local

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/workflow"
)

// An AWSFacade is the AWS endpoint the built Lambda bootstraps talk to in
// the local runtime (their AWS_ENDPOINT_URL): Step Functions calls (the
// JSON 1.0 protocol, X-Amz-Target AWSStepFunctions.*) are answered by the
// local Workflow, so a function that resumes a wait with SendTaskSuccess
// resumes the local engine's execution; every other call (DynamoDB) is
// passed to the upstream endpoint, a moto server. It is safe for
// concurrent use.
type AWSFacade struct {
	wf       *Workflow
	upstream http.Handler
}

// NewAWSFacade returns the facade over wf, passing other services to
// upstream.
func NewAWSFacade(wf *Workflow, upstream *url.URL) *AWSFacade {
	return &AWSFacade{wf: wf, upstream: httputil.NewSingleHostReverseProxy(upstream)}
}

const sfnTarget = "AWSStepFunctions."

// ServeHTTP implements http.Handler.
func (f *AWSFacade) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), sfnTarget)
	if !ok {
		f.upstream.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		sfnError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	var in struct {
		TaskToken       string `json:"taskToken"`
		Output          string `json:"output"`
		Error           string `json:"error"`
		Cause           string `json:"cause"`
		ExecutionArn    string `json:"executionArn"`
		StateMachineArn string `json:"stateMachineArn"`
		Name            string `json:"name"`
		Input           string `json:"input"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		sfnError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	ctx := r.Context()
	var out any = struct{}{}
	switch op {
	case "SendTaskSuccess":
		err = f.wf.SendTaskSuccess(ctx, in.TaskToken, in.Output)
	case "SendTaskFailure":
		err = f.wf.SendTaskFailure(ctx, in.TaskToken, in.Error, in.Cause)
	case "SendTaskHeartbeat":
		err = f.wf.SendTaskHeartbeat(ctx, in.TaskToken)
	case "StopExecution":
		err = f.wf.Stop(ctx, in.ExecutionArn, in.Error, in.Cause)
		out = map[string]float64{"stopDate": epoch(f.wf.now())}
	case "StartExecution":
		var arn string
		if arn, err = f.wf.Start(ctx, in.StateMachineArn, in.Name, in.Input); err == nil {
			out = map[string]any{"executionArn": arn, "startDate": epoch(f.wf.now())}
		}
	case "DescribeExecution":
		var info workflow.ExecutionInfo
		if info, err = f.wf.Describe(ctx, in.ExecutionArn); err == nil {
			out = describeOutput(info)
		}
	default:
		sfnError(w, http.StatusBadRequest, "UnknownOperationException", "the local Step Functions does not serve "+op)
		return
	}
	if err != nil {
		status, code := sfnCode(err)
		sfnError(w, status, code, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func describeOutput(i workflow.ExecutionInfo) map[string]any {
	out := map[string]any{"executionArn": i.Arn, "name": i.Name, "status": i.Status,
		"stateMachineArn": machineArnOf(i.VersionArn), "stateMachineVersionArn": i.VersionArn, "startDate": epoch(i.StartedAt)}
	if !i.StoppedAt.IsZero() {
		out["stopDate"] = epoch(i.StoppedAt)
	}
	for k, v := range map[string]string{"output": i.Output, "error": i.Error, "cause": i.Cause} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

func machineArnOf(versionArn string) string {
	if i := strings.LastIndexByte(versionArn, ':'); i > 0 {
		return versionArn[:i]
	}
	return versionArn
}

// sfnCode names an error as the Step Functions API does, so the AWS SDK
// (and workflow.AWS's mapping) sees what it would see from AWS.
func sfnCode(err error) (int, string) {
	switch {
	case errors.Is(err, workflow.ErrTaskGone):
		return http.StatusBadRequest, "TaskDoesNotExist"
	case errors.Is(err, workflow.ErrExecutionExists):
		return http.StatusBadRequest, "ExecutionAlreadyExists"
	case errors.Is(err, workflow.ErrNotFound):
		return http.StatusBadRequest, "ExecutionDoesNotExist"
	}
	return http.StatusInternalServerError, "InternalFailure"
}

func sfnError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.states#" + code, "message": msg})
}
