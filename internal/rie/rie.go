// Package rie runs built Lambda bootstraps under the AWS Lambda Runtime
// Interface Emulator (RIE) and invokes them, as `sam local invoke` would
// without Docker. The emulator serves one invoke at a time, so an Emulator
// serialises its invokes; run one Emulator per function for parallelism.
package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// Config says which emulator runs which bootstrap.
type Config struct {
	RIE       string    // path of the aws-lambda-rie binary
	Bootstrap string    // path of the function's bootstrap, built for this machine
	Env       []string  // extra environment for the function (KEY=value)
	Timeout   int       // function timeout in seconds; 0 means 30
	Log       io.Writer // the emulator's and function's output; nil discards it
}

// An Emulator is one running emulator with one function. It is safe for
// concurrent use; invokes are served one at a time.
type Emulator struct {
	cmd    *exec.Cmd
	exited <-chan struct{}
	url    string
	client *http.Client
	mu     sync.Mutex
}

// Result is what one invoke returned. For a function error, ErrorType and
// ErrorMessage are set (as the Lambda Invoke API's X-Amz-Function-Error
// reports them) and Payload holds the raw error document.
type Result struct {
	Payload      []byte
	ErrorType    string
	ErrorMessage string
	Duration     time.Duration
}

// Start starts the emulator with the function on two free loopback ports and
// waits until it accepts connections. The function itself starts lazily, on
// the first invoke, as in Lambda.
func Start(ctx context.Context, cfg Config) (*Emulator, error) {
	for _, p := range []string{cfg.RIE, cfg.Bootstrap} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("rie: %w (run `make tools build-host`)", err)
		}
	}
	apiPort, err := freePort()
	if err != nil {
		return nil, err
	}
	rieAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 30
	}
	cmd := exec.Command(cfg.RIE,
		"--runtime-interface-emulator-address", rieAddr,
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort),
		cfg.Bootstrap)
	cmd.Env = append(os.Environ(), fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", timeout))
	cmd.Env = append(cmd.Env, cfg.Env...)
	if cfg.Log != nil {
		cmd.Stdout, cmd.Stderr = cfg.Log, cfg.Log
	}
	e := &Emulator{
		cmd:    cmd,
		url:    "http://" + rieAddr + "/2015-03-31/functions/function/invocations",
		client: &http.Client{Timeout: time.Duration(timeout+5) * time.Second},
	}
	exited, err := StartOwned(cmd)
	if err != nil {
		return nil, fmt.Errorf("rie: start %s: %w", cfg.Bootstrap, err)
	}
	e.exited = exited
	if err := waitListening(ctx, rieAddr, 10*time.Second); err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("rie: emulator for %s: %w", cfg.Bootstrap, err)
	}
	return e, nil
}

// Invoke sends one event to the function and returns its answer. An error
// means the invoke did not complete (emulator down, timeout); a function error
// is a Result with ErrorType set.
func (e *Emulator) Invoke(ctx context.Context, event []byte) (Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(event))
	if err != nil {
		return Result{}, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("rie: invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, fmt.Errorf("rie: read answer: %w", err)
	}
	res := Result{Payload: body, Duration: time.Since(start)}
	if resp.StatusCode >= 300 {
		return res, fmt.Errorf("rie: invoke answered %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	res.ErrorType, res.ErrorMessage = functionError(resp.Header, body)
	return res, nil
}

// Pid returns the emulator's process id, for memory measurements.
func (e *Emulator) Pid() int { return e.cmd.Process.Pid }

// Close stops the emulator and its function.
func (e *Emulator) Close() error {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(3 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.exited
	}
	return nil
}

// StartOwned starts cmd so that it is killed when this process exits, even
// if nothing calls Close (a test binary that fails, a CLI that is
// interrupted): the child gets SIGKILL through Pdeathsig when the thread that
// started it ends, and that thread is kept alive until the child exits. The
// returned channel is closed once the child has exited and been reaped.
func StartOwned(cmd *exec.Cmd) (<-chan struct{}, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return exited, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("rie: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func freeAddr() (string, error) {
	p, err := freePort()
	return fmt.Sprintf("127.0.0.1:%d", p), err
}

func waitListening(ctx context.Context, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening on %s after %s", addr, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// functionError tells a function error from a result. The Lambda Invoke API
// says so in the X-Amz-Function-Error header, but the emulator passes no
// header through, so an answer whose only keys are aws-lambda-go's error
// document (errorType, errorMessage and optionally stackTrace) is taken as
// one. The project's handlers never return that shape as a result.
func functionError(h http.Header, body []byte) (typ, msg string) {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return "", ""
	}
	for k := range doc {
		if k != "errorType" && k != "errorMessage" && k != "stackTrace" {
			return "", ""
		}
	}
	if _, ok := doc["errorType"]; !ok && h.Get("X-Amz-Function-Error") == "" {
		return "", ""
	}
	_ = json.Unmarshal(doc["errorType"], &typ)
	_ = json.Unmarshal(doc["errorMessage"], &msg)
	if typ == "" {
		typ = h.Get("X-Amz-Function-Error")
	}
	return typ, msg
}
