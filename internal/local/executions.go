package local

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// resolve returns the machine name and version number a start target (a
// machine ARN: its latest version; a version ARN; an alias ARN) runs.
func (w *Workflow) resolve(targetArn string) (string, int, error) {
	t, err := w.arns.parse(targetArn)
	if err != nil {
		return "", 0, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	m, ok := w.machines[t.machine]
	if !ok {
		return "", 0, fmt.Errorf("state machine %s: %w", t.machine, workflow.ErrNotFound)
	}
	switch {
	case t.alias != "":
		n, ok := m.Aliases[t.alias]
		if !ok {
			return "", 0, fmt.Errorf("alias %s: %w", targetArn, workflow.ErrNotFound)
		}
		return m.Name, n, nil
	case t.version != 0:
		if v, ok := m.find(t.version); !ok || v.Deleted {
			return "", 0, fmt.Errorf("state machine version %s: %w", targetArn, workflow.ErrNotFound)
		}
		return m.Name, t.version, nil
	}
	live := m.live()
	if len(live) == 0 {
		return "", 0, fmt.Errorf("state machine %s has no version: %w", m.Name, workflow.ErrNotFound)
	}
	return m.Name, live[0].Version, nil
}

// Start starts an execution of target (a machine ARN runs its latest
// version). Names are unique per machine, across its versions, as on AWS:
// the same name and input of a running execution returns it; any other
// reuse is workflow.ErrExecutionExists. The execution ARN is
// arn:...:execution:<machine>:<name> whatever version it runs.
func (w *Workflow) Start(ctx context.Context, targetArn, name, input string) (string, error) {
	machine, version, err := w.resolve(targetArn)
	if err != nil {
		return "", fmt.Errorf("start execution %s: %w", name, err)
	}
	versionArn := w.versionArn(machine, version)
	m, err := w.machineOfVersion(versionArn)
	if err != nil {
		return "", fmt.Errorf("start execution %s: %w", name, err)
	}
	arn := w.arns.execution(machine, name)
	w.startMu.Lock()
	defer w.startMu.Unlock()
	if d, err := w.engine.Describe(arn); err == nil {
		if d.Status == asl.StatusRunning && sameJSON(d.Input, input) {
			return arn, nil
		}
		return "", fmt.Errorf("start execution %s: %w", name, workflow.ErrExecutionExists)
	}
	got, err := w.engine.Start(ctx, asl.StartRequest{
		Machine: m, StateMachineArn: versionArn, StateMachineName: machine,
		Name: name, ExecutionArn: arn, Input: []byte(input),
	})
	if errors.Is(err, asl.ErrExecutionAlreadyExists) {
		return "", fmt.Errorf("start execution %s: %w", name, errors.Join(workflow.ErrExecutionExists, err))
	}
	if err != nil && got == "" {
		return "", fmt.Errorf("start execution %s: %w", name, err)
	}
	// A persistence failure after the start leaves a running execution;
	// the caller sees the error and may start again (same name and input).
	return got, err
}

// sameJSON reports whether the stored input (the engine's JSON) and a
// start's input are the same JSON text once parsed.
func sameJSON(stored []byte, input string) bool {
	if input == "" {
		input = "{}"
	}
	v, err := jsonv.ParseString(input)
	if err != nil {
		return false
	}
	return string(stored) == jsonv.String(v)
}

// Describe describes an execution; VersionArn is the version it runs.
func (w *Workflow) Describe(_ context.Context, executionArn string) (workflow.ExecutionInfo, error) {
	d, err := w.engine.Describe(executionArn)
	if err != nil {
		return workflow.ExecutionInfo{}, fmt.Errorf("describe execution %s: %w", executionArn, mapEngineErr(err))
	}
	return info(d), nil
}

func info(d asl.Description) workflow.ExecutionInfo {
	return workflow.ExecutionInfo{
		Arn: d.ExecutionArn, Name: d.Name, Status: string(d.Status), VersionArn: d.StateMachineArn,
		Output: string(d.Output), Error: d.Error, Cause: d.Cause, StartedAt: d.StartDate, StoppedAt: d.StopDate,
	}
}

// Running lists up to limit running executions of a machine (any
// version) or of one version, oldest first.
func (w *Workflow) Running(_ context.Context, machineOrVersionArn string, limit int) ([]workflow.ExecutionInfo, error) {
	t, err := w.arns.parse(machineOrVersionArn)
	if err != nil || t.alias != "" {
		return nil, fmt.Errorf("list running executions of %s: %w", machineOrVersionArn, workflow.ErrNotFound)
	}
	w.mu.Lock()
	_, ok := w.machines[t.machine]
	w.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("list running executions of %s: %w", machineOrVersionArn, workflow.ErrNotFound)
	}
	prefix := w.arns.machine(t.machine) + ":"
	var out []workflow.ExecutionInfo
	for _, d := range w.engine.Executions() {
		if len(out) >= limit {
			break
		}
		if d.Status != asl.StatusRunning {
			continue
		}
		if t.version != 0 && d.StateMachineArn != machineOrVersionArn {
			continue
		}
		if t.version == 0 && !strings.HasPrefix(d.StateMachineArn, prefix) {
			continue
		}
		out = append(out, info(d))
	}
	return out, nil
}

// Stop aborts a running execution with an error name and cause.
func (w *Workflow) Stop(ctx context.Context, executionArn, errName, cause string) error {
	if err := w.engine.Stop(ctx, executionArn, errName, cause); err != nil {
		return fmt.Errorf("stop execution %s: %w", executionArn, mapEngineErr(err))
	}
	return nil
}

// SendTaskSuccess resumes the task waiting on token with output.
func (w *Workflow) SendTaskSuccess(ctx context.Context, token, output string) error {
	if err := w.engine.SendTaskSuccess(ctx, token, []byte(output)); err != nil {
		return fmt.Errorf("send task success: %w", mapEngineErr(err))
	}
	return nil
}

// SendTaskFailure fails the task waiting on token.
func (w *Workflow) SendTaskFailure(ctx context.Context, token, errName, cause string) error {
	if err := w.engine.SendTaskFailure(ctx, token, errName, cause); err != nil {
		return fmt.Errorf("send task failure: %w", mapEngineErr(err))
	}
	return nil
}

// SendTaskHeartbeat restarts the heartbeat countdown of the task of token.
func (w *Workflow) SendTaskHeartbeat(ctx context.Context, token string) error {
	if err := w.engine.SendTaskHeartbeat(ctx, token); err != nil {
		return fmt.Errorf("send task heartbeat: %w", mapEngineErr(err))
	}
	return nil
}

// mapEngineErr turns the engine's API errors into workflow's sentinels,
// keeping the original in the chain, as the AWS implementation does with
// the service's error codes.
func mapEngineErr(err error) error {
	switch {
	case errors.Is(err, asl.ErrExecutionDoesNotExist):
		return errors.Join(workflow.ErrNotFound, err)
	case errors.Is(err, asl.ErrExecutionAlreadyExists):
		return errors.Join(workflow.ErrExecutionExists, err)
	case errors.Is(err, asl.ErrInvalidToken), errors.Is(err, asl.ErrTaskDoesNotExist), errors.Is(err, asl.ErrTaskTimedOut):
		return errors.Join(workflow.ErrTaskGone, err)
	}
	return err
}
