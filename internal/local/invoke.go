package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/rie"
	"github.com/journeys-oss/journeys/internal/wire"
)

// A StepFunc is a task function of compiled journeys, as internal/handler
// writes them.
type StepFunc func(ctx context.Context, req wire.StepRequest) (wire.StepResult, error)

var _ asl.LambdaHandler = StepFunc(nil)

// Invoke runs the function as its Lambda does: the payload decoded into a
// wire.StepRequest (a decoding error is returned as aws-lambda-go returns
// it), the result encoded, an error turned into a named Lambda error by
// wire.LambdaError, the one boundary both hosts share. Put StepFuncs in an
// asl.Functions, which reports errors and panics as Lambda does.
func (f StepFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var req wire.StepRequest
	if err := decodeRequest(payload, &req); err != nil {
		return nil, err
	}
	res, err := f(ctx, req)
	if err != nil {
		return nil, wire.LambdaError(err)
	}
	return encodeResult(res)
}

// RIEConfig says how to run the built bootstraps under the Lambda Runtime
// Interface Emulator.
type RIEConfig struct {
	// RIE is the aws-lambda-rie binary (bin/aws-lambda-rie).
	RIE string
	// BuildDir holds <function>/bootstrap for this machine's architecture
	// (build/host, made by `make build-host`).
	BuildDir string
	// Functions lists the function folders to run ("send", "evaluate", ...).
	Functions []string
	// Env is every function's environment (KEY=value): how it reaches the
	// store and the other services.
	Env []string
	// Log receives the emulators' and functions' output (writes are
	// serialised); nil discards it.
	Log io.Writer
}

// RIEInvoker runs Task states' Lambda functions as their built bootstraps
// under the emulator: one emulator per function, one invoke at a time
// each, as rie serves them. It is safe for concurrent use.
type RIEInvoker struct {
	emulators map[string]*rie.Emulator
	closeOnce sync.Once
}

var _ asl.TaskInvoker = (*RIEInvoker)(nil)

// StartRIE starts one emulator per function. Missing binaries name the
// make target that builds them.
func StartRIE(ctx context.Context, cfg RIEConfig) (*RIEInvoker, error) {
	r := &RIEInvoker{emulators: map[string]*rie.Emulator{}}
	var log *lockedWriter
	if cfg.Log != nil {
		log = &lockedWriter{w: cfg.Log} // every emulator writes to it
	}
	for _, fn := range cfg.Functions {
		bootstrap := filepath.Join(cfg.BuildDir, fn, "bootstrap")
		if _, err := os.Stat(bootstrap); err != nil {
			r.Close()
			return nil, fmt.Errorf("function %s: %w (run `make build-host`)", fn, err)
		}
		rc := rie.Config{RIE: cfg.RIE, Bootstrap: bootstrap, Env: cfg.Env}
		if log != nil {
			rc.Log = log
		}
		e, err := rie.Start(ctx, rc)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("function %s: %w", fn, err)
		}
		r.emulators[fn] = e
	}
	return r, nil
}

// Functions lists the functions it runs, sorted.
func (r *RIEInvoker) Functions() []string {
	out := make([]string, 0, len(r.emulators))
	for fn := range r.emulators {
		out = append(out, fn)
	}
	sort.Strings(out)
	return out
}

// Invoke sends the task's payload to its function's emulator. A function
// error comes back as the *asl.FunctionError Lambda reports; an unknown
// function wraps asl.ErrResourceNotFound.
func (r *RIEInvoker) Invoke(ctx context.Context, req *asl.TaskRequest) ([]byte, error) {
	if req.Service != "lambda" {
		return nil, fmt.Errorf("invoke %s: %w", req.Resource, asl.ErrResourceNotFound)
	}
	e, ok := r.emulators[asl.FunctionName(req.FunctionName)]
	if !ok {
		return nil, fmt.Errorf("invoke function %s: %w", req.FunctionName, asl.ErrResourceNotFound)
	}
	res, err := e.Invoke(ctx, req.Payload)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		// The emulator failed, not the function: Lambda's service error,
		// which compiled machines retry.
		return nil, &asl.TaskFailure{Name: asl.ErrorLambdaServiceException, Cause: strings.TrimSpace(err.Error())}
	}
	if res.ErrorType != "" {
		return nil, &asl.FunctionError{Type: res.ErrorType, Payload: res.Payload}
	}
	return res.Payload, nil
}

// Close stops every emulator.
func (r *RIEInvoker) Close() error {
	r.closeOnce.Do(func() {
		for _, e := range r.emulators {
			_ = e.Close()
		}
	})
	return nil
}

// lockedWriter serialises the writes of several emulators.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
