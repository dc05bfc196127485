package asl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/asl/intrinsic"
	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// A TaskInvoker runs the work of Task states: Lambda functions (by direct
// ARN or through arn:aws:states:::lambda:invoke) and other service
// integrations. It is the only way the engine reaches outside itself; the
// local runtime implements it for in-process Go handlers and for built
// Lambda bootstraps under the Runtime Interface Emulator.
//
// Invoke returns the result payload (JSON text; for a Lambda function, what
// the function returned). Errors it may return, and what the state machine
// sees:
//   - *FunctionError: the function failed; Error is its type, Cause the
//     error document, as Lambda reports a function error;
//   - an error wrapping ErrResourceNotFound: no such function or resource;
//   - *TaskFailure: an integration failed with a named error;
//   - context.DeadlineExceeded: the task timed out (States.Timeout);
//   - anything else: States.TaskFailed with the error text as cause.
type TaskInvoker interface {
	Invoke(ctx context.Context, req *TaskRequest) ([]byte, error)
}

// A TaskRequest is one invocation of a Task state.
type TaskRequest struct {
	Resource     string // the Task's Resource, as written
	Service      string // "lambda" for Lambda functions, else the integration's service ("sqs", ...)
	Action       string // "invoke" for Lambda functions, else the integration's action
	FunctionName string // Lambda: the function's name, ARN or partial ARN
	Qualifier    string // Lambda: version or alias, if given
	Payload      []byte // the Lambda payload, or the integration's parameters (JSON text)
	TaskToken    string // for .waitForTaskToken tasks
	ExecutionArn string
	StateName    string
	RetryCount   int64
}

// A FunctionError is a Lambda function's error: Type is its errorType and
// Payload the error document the function returned
// ({"errorMessage":...,"errorType":...}).
type FunctionError struct {
	Type    string
	Payload []byte
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Payload)
}

// A TaskFailure is a named error of a service integration.
type TaskFailure struct {
	Name  string
	Cause string
}

func (e *TaskFailure) Error() string { return e.Name + ": " + e.Cause }

// ErrResourceNotFound is what an invoker wraps when a task's function or
// resource does not exist.
var ErrResourceNotFound = errors.New("resource not found")

// A taskRun is one attempt of a Task state.
type taskRun struct {
	req       *TaskRequest
	token     string
	timeout   time.Duration
	heartbeat time.Duration
	tTimer    *timer
	hTimer    *timer
	submitted bool
	result    []byte
	ierr      error
	pending   *outcome // a callback that came while the task was being invoked
	outcome   *outcome
}

// An outcome is what SendTaskSuccess or SendTaskFailure delivered.
type outcome struct {
	output any
	err    *Error
}

// attemptTask starts an attempt of a Task state.
func (e *Engine) attemptTask(ctx context.Context, t *thread, s *state) {
	spec := s.task
	run := &taskRun{}
	t.task = run
	if spec.waitForToken {
		run.token = e.newToken(t.x)
		e.tokens[run.token] = t
	}
	env := t.env(t.eff)
	params := t.eff
	args := s.parameters
	if s.jsonata {
		args = s.jx.arguments
	}
	if args != nil {
		var err *Error
		if params, err = args.eval(env); err != nil {
			e.stateFailed(t, err)
			return
		}
	}
	var err *Error
	if run.timeout, err = seconds(env, spec.timeoutSeconds, spec.timeoutPath, "TimeoutSecondsPath"); err == nil {
		run.heartbeat, err = seconds(env, spec.heartbeat, spec.heartbeatPath, "HeartbeatSecondsPath")
	}
	if err == nil && s.jsonata {
		if f, has, jerr := jnumber(s.jx.timeout, env); jerr != nil {
			err = jerr
		} else if has {
			run.timeout = time.Duration(f) * time.Second
		}
		if f, has, jerr := jnumber(s.jx.heartbeat, env); jerr != nil {
			err = jerr
		} else if has {
			run.heartbeat = time.Duration(f) * time.Second
		}
	}
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	req, err := e.taskRequest(t, s, params)
	if err != nil {
		e.stateFailed(t, err)
		return
	}
	run.req = req
	e.taskScheduled(t, s, params)
	if spec.waitForToken && run.timeout > 0 {
		run.tTimer = e.addTimer(&timer{due: e.now().Add(run.timeout), kind: timerTaskTimeout, t: t})
	}
	e.invoke(ctx, t, run)
}

// seconds resolves TimeoutSeconds(Path) or HeartbeatSeconds(Path).
func seconds(env *evalEnv, fixed int64, p *jsonpath.Path, field string) (time.Duration, *Error) {
	if p == nil {
		return time.Duration(fixed) * time.Second, nil
	}
	v, ok := env.Lookup(p)
	if !ok {
		return 0, errorf(ErrorRuntime, "The %s parameter does not reference an input value: %s", field, p)
	}
	n, _ := v.(jsonv.Number)
	i, isInt := n.Int64()
	if !isInt || i <= 0 {
		return 0, errorf(ErrorRuntime, "The %s parameter must reference a positive integer: %s == %s", field, p, plain(v))
	}
	return time.Duration(i) * time.Second, nil
}

// taskRequest builds the invocation of a Task state from its parameters.
func (e *Engine) taskRequest(t *thread, s *state, params any) (*TaskRequest, *Error) {
	spec := s.task
	req := &TaskRequest{
		Resource: spec.resource, Service: spec.service, Action: spec.action, TaskToken: t.task.token,
		ExecutionArn: t.x.arn, StateName: s.name, RetryCount: t.retryCount,
	}
	switch {
	case spec.kind == resourceLambdaARN || spec.kind == resourceOther:
		req.Service, req.Action, req.FunctionName = "lambda", "invoke", spec.resource
		req.Payload = jsonv.Marshal(params)
	case spec.service == "lambda" && strings.HasPrefix(spec.action, "invoke"):
		p, _ := params.(*jsonv.Object)
		fn, _ := p.Get("FunctionName")
		name, ok := fn.(string)
		if !ok || name == "" {
			return nil, errorf(ErrorRuntime, "The Parameters of a lambda:invoke task need a FunctionName string")
		}
		req.FunctionName = name
		if q, ok := p.Get("Qualifier"); ok {
			req.Qualifier, _ = q.(string)
		}
		payload, _ := p.Get("Payload")
		req.Payload = lambdaPayload(payload, p.Has("Payload"))
	default:
		req.Payload = jsonv.Marshal(params)
	}
	return req, nil
}

// lambdaPayload is the payload lambda:invoke sends: the Payload parameter;
// a string holding JSON is sent as that JSON.
func lambdaPayload(v any, present bool) []byte {
	if !present || v == nil {
		return []byte("{}")
	}
	if s, ok := v.(string); ok {
		if _, err := jsonv.ParseString(s); err == nil {
			return []byte(s)
		}
	}
	return jsonv.Marshal(v)
}

// taskScheduled records the events that start a task.
func (e *Engine) taskScheduled(t *thread, s *state, params any) {
	x, spec, run := t.x, s.task, t.task
	if spec.kind == resourceLambdaARN || spec.kind == resourceOther {
		if ev := e.event(x, t, EventLambdaScheduled, s.name, nil); ev != nil {
			ev.LambdaScheduledEventDetails = &LambdaScheduledDetails{Resource: spec.resource, Input: jsonv.String(params), InputDetails: noTruncation}
			if run.timeout > 0 {
				ev.LambdaScheduledEventDetails.TimeoutInSeconds = secondsPtr(run.timeout)
			}
		}
		e.event(x, t, EventLambdaStarted, s.name, nil)
		return
	}
	if ev := e.event(x, t, EventTaskScheduled, s.name, nil); ev != nil {
		d := &TaskScheduledDetails{ResourceType: spec.service, Resource: spec.action, Region: e.opts.region, Parameters: jsonv.String(params)}
		if run.timeout > 0 {
			d.TimeoutInSeconds = secondsPtr(run.timeout)
		}
		if run.heartbeat > 0 {
			d.HeartbeatInSeconds = secondsPtr(run.heartbeat)
		}
		ev.TaskScheduledEventDetails = d
	}
	if ev := e.event(x, t, EventTaskStarted, s.name, nil); ev != nil {
		ev.TaskStartedEventDetails = &TaskResourceDetails{ResourceType: spec.service, Resource: spec.action}
	}
}

func secondsPtr(d time.Duration) *int64 {
	s := int64(d / time.Second)
	return &s
}

// invoke calls the invoker: inline on a virtual clock (deterministic), on a
// goroutine on a real one. The lock is released while the invoker runs.
func (e *Engine) invoke(ctx context.Context, t *thread, run *taskRun) {
	inv := e.opts.invoker
	if inv == nil {
		inv = noInvoker{}
	}
	req := run.req
	t.phase = phInvoking
	t.x.pendingRuns++
	if e.virtual() {
		e.mu.Unlock()
		res, err := callInvoker(ctx, inv, req)
		e.mu.Lock()
		e.invoked(t, run, res, err)
		return
	}
	spec := t.state().task
	timeout := run.timeout
	if spec.waitForToken || timeout == 0 {
		timeout = maxTaskTimeout
	}
	if rc, ok := e.opts.clock.(*RealClock); ok {
		timeout = rc.RealDuration(timeout)
	}
	go func() {
		e.sem <- struct{}{}
		ictx, cancel := context.WithTimeout(ctx, timeout)
		res, err := callInvoker(ictx, inv, req)
		cancel()
		<-e.sem
		e.mu.Lock()
		e.invoked(t, run, res, err)
		if t.phase == phTaskResult {
			e.enqueue(t)
		}
		e.mu.Unlock()
	}()
}

// callInvoker calls the invoker, turning a panic into a task failure.
func callInvoker(ctx context.Context, inv TaskInvoker, req *TaskRequest) (res []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("task invoker panicked: %v", r)
		}
	}()
	return inv.Invoke(ctx, req)
}

// invoked records an invocation's result; the thread goes on with it.
func (e *Engine) invoked(t *thread, run *taskRun, res []byte, err error) {
	t.x.pendingRuns--
	run.req.Payload = nil // sent; no need to keep it
	if t.dead || !t.x.running() || t.task != run {
		return
	}
	run.result, run.ierr = res, err
	t.phase = phTaskResult
}

// taskResult handles the result of an invocation.
func (e *Engine) taskResult(t *thread) {
	s, run := t.state(), t.task
	spec := s.task
	res, ierr := run.result, run.ierr
	run.result, run.ierr = nil, nil
	defer func() { run.req = nil }()
	if ierr != nil {
		e.taskFailed(t, s, ierr)
		return
	}
	payload := parsePayload(res)
	lambdaARN := spec.kind == resourceLambdaARN || spec.kind == resourceOther
	if jsonv.Size(payload, payloadLimit) > payloadLimit {
		what := spec.service
		if lambdaARN {
			what = spec.resource
		}
		e.failTask(t, s, errorf(ErrorDataLimitExceeded,
			"The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", what))
		return
	}
	result := payload
	if spec.service == "lambda" && !lambdaARN && strings.HasPrefix(spec.action, "invoke") {
		full := t.x.keepHistory || !spec.waitForToken && !spec.payloadOnly
		result = e.invokeResponse(t.x, run.req, payload, len(res), full)
	}
	if spec.waitForToken {
		if ev := e.event(t.x, t, EventTaskSubmitted, s.name, nil); ev != nil {
			ev.TaskSubmittedEventDetails = &TaskOutputDetails{ResourceType: spec.service, Resource: spec.action, Output: jsonv.String(result), OutputDetails: noTruncation}
		}
		run.submitted = true
		t.phase = phCallback
		if run.heartbeat > 0 {
			run.hTimer = e.addTimer(&timer{due: e.now().Add(run.heartbeat), kind: timerHeartbeat, t: t})
		}
		if run.pending != nil {
			run.outcome, run.pending = run.pending, nil
			t.phase = phCallbackDone
		}
		return
	}
	e.taskSucceeded(t, s, result)
}

func parsePayload(res []byte) any {
	if len(strings.TrimSpace(string(res))) == 0 {
		return nil
	}
	v, err := jsonv.Parse(res)
	if err != nil {
		return string(res)
	}
	return v
}

// taskSucceeded records the task's success and completes the state.
func (e *Engine) taskSucceeded(t *thread, s *state, result any) {
	spec := s.task
	if spec.kind == resourceLambdaARN || spec.kind == resourceOther {
		if ev := e.event(t.x, t, EventLambdaSucceeded, s.name, nil); ev != nil {
			ev.LambdaSucceededEventDetails = &OutputDetails{Output: jsonv.String(result), OutputDetails: noTruncation}
		}
	} else if ev := e.event(t.x, t, EventTaskSucceeded, s.name, nil); ev != nil {
		ev.TaskSucceededEventDetails = &TaskOutputDetails{ResourceType: spec.service, Resource: spec.action, Output: jsonv.String(result), OutputDetails: noTruncation}
	}
	e.dropTask(t)
	e.finishAttempt(t, s, result)
}

// taskFailed maps an invoker error to the error Step Functions reports.
func (e *Engine) taskFailed(t *thread, s *state, ierr error) {
	var fe *FunctionError
	var tf *TaskFailure
	switch {
	case errors.As(ierr, &fe):
		name := fe.Type
		if name == "" {
			if doc, ok := parsePayload(fe.Payload).(*jsonv.Object); ok {
				if v, ok := doc.Get("errorType"); ok {
					name, _ = v.(string)
				}
			}
		}
		if name == "" {
			name = ErrorLambdaUnknown
		}
		e.failTask(t, s, newError(name, string(fe.Payload)))
	case errors.As(ierr, &tf):
		e.failTask(t, s, newError(tf.Name, tf.Cause))
	case errors.Is(ierr, ErrResourceNotFound):
		e.failTask(t, s, e.notFound(t.task.req))
	case errors.Is(ierr, context.DeadlineExceeded):
		e.timedOut(t, s, &Error{Name: ErrorTimeout})
	default:
		e.failTask(t, s, newError(ErrorTaskFailed, ierr.Error()))
	}
}

// notFound is the error AWS reports for a function that does not exist.
func (e *Engine) notFound(req *TaskRequest) *Error {
	if req.Service != "lambda" {
		return errorf(ErrorTaskFailed, "The resource %s does not exist.", req.Resource)
	}
	arn := req.FunctionName
	if !strings.HasPrefix(arn, "arn:") {
		arn = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", e.opts.region, e.opts.account, arn)
	}
	return errorf(ErrorLambdaResourceNotFound,
		"Function not found: %s (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: %s; Proxy: null)",
		arn, intrinsic.NewUUID(e.rng))
}

// failTask records a task's failure event and handles the error.
func (e *Engine) failTask(t *thread, s *state, err *Error) {
	spec := s.task
	if spec.kind == resourceLambdaARN || spec.kind == resourceOther {
		if ev := e.event(t.x, t, EventLambdaFailed, s.name, err); ev != nil {
			ev.LambdaFailedEventDetails = failure(err)
		}
	} else if ev := e.event(t.x, t, EventTaskFailed, s.name, err); ev != nil {
		f := failure(err)
		ev.TaskFailedEventDetails = &TaskFailureDetails{ResourceType: spec.service, Resource: spec.action, Error: f.Error, Cause: f.Cause}
	}
	e.dropTask(t)
	e.handleError(t, err)
}

// timedOut records a task's timeout (States.Timeout, of the task or of a
// missed heartbeat) and handles it.
func (e *Engine) timedOut(t *thread, s *state, err *Error) {
	spec := s.task
	if run := t.task; run != nil && run.token != "" {
		if t.x.expired == nil {
			t.x.expired = map[string]bool{}
		}
		t.x.expired[run.token] = true
	}
	if spec.kind == resourceLambdaARN || spec.kind == resourceOther {
		if ev := e.event(t.x, t, EventLambdaTimedOut, s.name, err); ev != nil {
			ev.LambdaTimedOutEventDetails = failure(err)
		}
	} else if ev := e.event(t.x, t, EventTaskTimedOut, s.name, err); ev != nil {
		f := failure(err)
		ev.TaskTimedOutEventDetails = &TaskFailureDetails{ResourceType: spec.service, Resource: spec.action, Error: f.Error, Cause: f.Cause}
	}
	e.dropTask(t)
	e.handleError(t, err)
}

// taskTimedOut handles a task or heartbeat timer.
func (e *Engine) taskTimedOut(t *thread, tm *timer) {
	if t.task == nil || t.phase != phCallback && t.phase != phInvoking {
		return
	}
	// A missed heartbeat is recorded as States.Timeout too (AWS's own
	// histories show it so); only matching tells the two apart.
	err := &Error{Name: ErrorTimeout, heartbeat: tm.kind == timerHeartbeat}
	e.timedOut(t, t.state(), err)
	if t.phase == phEnter {
		e.enqueue(t)
	}
}

// dropTask releases an attempt's timers and token.
func (e *Engine) dropTask(t *thread) {
	run := t.task
	if run == nil {
		return
	}
	e.cancelTimer(run.tTimer)
	e.cancelTimer(run.hTimer)
	run.tTimer, run.hTimer = nil, nil
	if run.token != "" {
		delete(e.tokens, run.token)
	}
}

// invokeResponse wraps a Lambda payload in the response lambda:invoke
// returns. Without full, it leaves out the HTTP metadata nobody will read.
func (e *Engine) invokeResponse(x *execution, req *TaskRequest, payload any, size int, full bool) *jsonv.Object {
	version := "$LATEST"
	if req.Qualifier != "" && !strings.EqualFold(req.Qualifier, "$LATEST") {
		version = req.Qualifier
	}
	out := jsonv.NewObject(5)
	out.Set("ExecutedVersion", version)
	out.Set("Payload", payload)
	if full {
		reqID := intrinsic.NewUUID(x.rng)
		date := strings.Replace(e.now().UTC().Format(time.RFC1123), "UTC", "GMT", 1)
		trace := fmt.Sprintf("Root=1-%08x-%012x%012x;Sampled=0", x.rng.Uint32(), x.rng.Uint64()>>16, x.rng.Uint64()>>16)
		headers := [8][2]string{
			{"Connection", "keep-alive"}, {"Content-Length", strconv.Itoa(size)}, {"Content-Type", "application/json"},
			{"Date", date}, {"X-Amz-Executed-Version", version}, {"x-amzn-Remapped-Content-Length", "0"},
			{"x-amzn-RequestId", reqID}, {"X-Amzn-Trace-Id", trace},
		}
		all := jsonv.NewObject(len(headers))
		one := jsonv.NewObject(len(headers))
		for _, h := range headers {
			all.Set(h[0], []any{h[1]})
			one.Set(h[0], h[1])
		}
		meta := jsonv.NewObject(3)
		meta.Set("AllHttpHeaders", all)
		meta.Set("HttpHeaders", one)
		meta.Set("HttpStatusCode", jsonv.Number("200"))
		rmeta := jsonv.NewObject(1)
		rmeta.Set("RequestId", reqID)
		out.Set("SdkHttpMetadata", meta)
		out.Set("SdkResponseMetadata", rmeta)
	}
	out.Set("StatusCode", jsonv.Number("200"))
	return out
}

// noInvoker is the invoker of an engine given none: every resource is
// unknown.
type noInvoker struct{}

func (noInvoker) Invoke(context.Context, *TaskRequest) ([]byte, error) {
	return nil, ErrResourceNotFound
}
