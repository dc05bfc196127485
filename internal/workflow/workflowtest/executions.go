package workflowtest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/journeys-oss/journeys/internal/workflow"
)

// executionPrefix is what an execution ARN starts with.
const executionPrefix = "arn:aws:states:us-east-1:123456789012:execution:"

// Start implements workflow.Executions. target is a machine, version or
// alias ARN; the execution records the version it resolved to.
func (m *Memory) Start(_ context.Context, target, name, input string) (string, error) {
	m.mu.Lock()
	m.starts++
	n := m.starts
	m.mu.Unlock()
	if m.StartFault != nil {
		if err := m.StartFault(n); err != nil {
			return "", fmt.Errorf("start execution %s: %w", name, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, version, err := m.machineOf(target)
	if err != nil {
		return "", fmt.Errorf("start execution %s: %w", name, err)
	}
	if name == "" || len(name) > 80 {
		return "", fmt.Errorf("start execution %q: the name must be 1 to 80 characters", name)
	}
	arn := executionPrefix + mc.name + ":" + name
	if old, ok := m.execs[arn]; ok {
		if old.Status == workflow.StatusRunning && m.inputs[arn] == input {
			return arn, nil
		}
		return "", fmt.Errorf("start execution %s: %w", name, workflow.ErrExecutionExists)
	}
	m.execs[arn] = &workflow.ExecutionInfo{Arn: arn, Name: name, Status: workflow.StatusRunning, VersionArn: version, StartedAt: m.now()}
	m.inputs[arn] = input
	return arn, nil
}

// Describe implements workflow.Executions.
func (m *Memory) Describe(_ context.Context, executionArn string) (workflow.ExecutionInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.execs[executionArn]
	if !ok {
		return workflow.ExecutionInfo{}, fmt.Errorf("describe execution %s: %w", executionArn, workflow.ErrNotFound)
	}
	return *e, nil
}

// Running implements workflow.Executions: running executions of a machine
// (any version) or of one version, oldest first.
func (m *Memory) Running(_ context.Context, machineOrVersionArn string, limit int) ([]workflow.ExecutionInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, version, err := m.machineOf(machineOrVersionArn)
	if err != nil {
		return nil, err
	}
	var out []workflow.ExecutionInfo
	for arn, e := range m.execs {
		if e.Status != workflow.StatusRunning || !strings.HasPrefix(arn, executionPrefix+mc.name+":") {
			continue
		}
		if version != "" && e.VersionArn != version {
			continue
		}
		out = append(out, *e)
	}
	sortExecutions(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Stop implements workflow.Executions. Stopping a closed execution is a
// no-op, as in Step Functions.
func (m *Memory) Stop(_ context.Context, executionArn, errName, cause string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.execs[executionArn]
	if !ok {
		return fmt.Errorf("stop execution %s: %w", executionArn, workflow.ErrNotFound)
	}
	if e.Status == workflow.StatusRunning {
		e.Status, e.Error, e.Cause, e.StoppedAt = workflow.StatusAborted, errName, cause, m.now()
	}
	return nil
}

// AwaitToken makes a task token valid, as if a task were waiting on it:
// the memory API runs no tasks, so tests register the tokens they hand out.
func (m *Memory) AwaitToken(token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tokens == nil {
		m.tokens = map[string]bool{}
	}
	m.tokens[token] = true
}

// answer records a response to an awaited token, once.
func (m *Memory) answer(r TaskResponse) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.tokens[r.Token] {
		return workflow.ErrTaskGone
	}
	delete(m.tokens, r.Token)
	m.responses = append(m.responses, r)
	return nil
}

// Responses returns the task responses received, in order.
func (m *Memory) Responses() []TaskResponse {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]TaskResponse(nil), m.responses...)
}

// SendTaskSuccess implements workflow.Executions: ErrTaskGone unless the
// token is awaited (AwaitToken) and unanswered.
func (m *Memory) SendTaskSuccess(_ context.Context, token, output string) error {
	if err := m.answer(TaskResponse{Token: token, Success: true, Output: output}); err != nil {
		return fmt.Errorf("send task success: %w", err)
	}
	return nil
}

// SendTaskFailure implements workflow.Executions (see SendTaskSuccess).
func (m *Memory) SendTaskFailure(_ context.Context, token, errName, cause string) error {
	if err := m.answer(TaskResponse{Token: token, Error: errName, Cause: cause}); err != nil {
		return fmt.Errorf("send task failure: %w", err)
	}
	return nil
}

// SendTaskHeartbeat implements workflow.Executions: ErrTaskGone unless the
// token is awaited.
func (m *Memory) SendTaskHeartbeat(_ context.Context, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.tokens[token] {
		return fmt.Errorf("send task heartbeat: %w", workflow.ErrTaskGone)
	}
	return nil
}

// Finish closes a running execution with a status, as if it ended.
func (m *Memory) Finish(executionArn, status string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.execs[executionArn]
	if !ok {
		return fmt.Errorf("finish %s: %w", executionArn, workflow.ErrNotFound)
	}
	e.Status, e.StoppedAt = status, m.now()
	return nil
}

// Executions returns every execution, oldest first (then by name).
func (m *Memory) Executions() []workflow.ExecutionInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]workflow.ExecutionInfo, 0, len(m.execs))
	for _, e := range m.execs {
		out = append(out, *e)
	}
	sortExecutions(out)
	return out
}

// Input returns the input an execution was started with.
func (m *Memory) Input(executionArn string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inputs[executionArn]
}

// Starts returns how many starts were attempted, failed ones included.
func (m *Memory) Starts() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.starts
}

func sortExecutions(es []workflow.ExecutionInfo) {
	sort.Slice(es, func(i, j int) bool {
		if !es[i].StartedAt.Equal(es[j].StartedAt) {
			return es[i].StartedAt.Before(es[j].StartedAt)
		}
		return es[i].Arn < es[j].Arn
	})
}

// A TaskResponse is a SendTaskSuccess or SendTaskFailure the memory API
// received for a token it was told to await.
type TaskResponse struct {
	Token   string
	Success bool
	Output  string // success
	Error   string // failure
	Cause   string // failure
}
