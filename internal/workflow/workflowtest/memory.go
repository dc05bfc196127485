// Package workflowtest is an in-memory implementation of workflow.API for
// tests. It stands in where the moto server falls short: moto does not run
// executions, cannot start through a version or alias ARN, and does not
// implement ListStateMachineVersions or DeleteStateMachineVersion. It is a
// test double of the Step Functions API, not an engine: executions are
// records that a test finishes by hand (Finish). The local runtime's
// engine replaces it where a test needs executions to run.
//
// It keeps the rules of the API that publishing, launching and stopping
// depend on:
//   - publish=true makes a new numbered version, except that a definition
//     and role unchanged since the latest version return that version
//     (PublishStateMachineVersion's idempotency);
//   - an alias routes to one version; a version an alias points at cannot
//     be deleted;
//   - an execution name is unique per machine: starting it again with the
//     same input while it runs returns it, anything else is
//     ErrExecutionExists;
//   - a start can be made to fail (throttling, the open-execution quota)
//     through StartFault.
package workflowtest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/workflow"
)

// Prefix is the machine ARN prefix the memory API uses.
const Prefix = "arn:aws:states:us-east-1:123456789012:stateMachine:"

// Memory is an in-memory workflow.API. It is safe for concurrent use.
type Memory struct {
	// StartFault, when set, is called before every start with the
	// number of starts attempted so far (from 1); a non-nil error fails
	// that start. Set it before use.
	StartFault func(n int) error

	now       func() time.Time
	mu        sync.Mutex
	machines  map[string]*machine // by name
	execs     map[string]*workflow.ExecutionInfo
	inputs    map[string]string // execution ARN → input
	starts    int
	deleted   []string
	tokens    map[string]bool
	responses []TaskResponse
}

type machine struct {
	name     string
	versions []memVersion
	aliases  map[string]string // alias name → version ARN
}

type memVersion struct {
	workflow.Version
	asl, role string
}

var _ workflow.API = (*Memory)(nil)

// New returns an empty API; now is the clock for creation and start times.
func New(now func() time.Time) *Memory {
	return &Memory{now: now, machines: map[string]*machine{}, execs: map[string]*workflow.ExecutionInfo{}, inputs: map[string]string{}}
}

// Publish implements workflow.Machines.
func (m *Memory) Publish(_ context.Context, def workflow.Definition) (workflow.Published, error) {
	if def.Name == "" || len(def.Name) > 80 || def.ASL == "" || def.RoleArn == "" {
		return workflow.Published{}, fmt.Errorf("publish %q: name, definition and role are required (name at most 80 characters)", def.Name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, ok := m.machines[def.Name]
	if !ok {
		mc = &machine{name: def.Name, aliases: map[string]string{}}
		m.machines[def.Name] = mc
	}
	arn := Prefix + def.Name
	if n := len(mc.versions); n > 0 {
		last := mc.versions[n-1]
		if last.asl == def.ASL && last.role == def.RoleArn {
			return workflow.Published{MachineArn: arn, VersionArn: last.Arn, Version: last.Version.Version}, nil
		}
	}
	next := 1
	if n := len(mc.versions); n > 0 {
		next = mc.versions[n-1].Version.Version + 1
	}
	v := memVersion{Version: workflow.Version{Arn: arn + ":" + strconv.Itoa(next), Version: next, Created: m.now()}, asl: def.ASL, role: def.RoleArn}
	mc.versions = append(mc.versions, v)
	return workflow.Published{MachineArn: arn, VersionArn: v.Arn, Version: next}, nil
}

// machineOf finds the machine of a machine, version or alias ARN, and the
// version ARN it resolves to ("" for an unqualified machine ARN).
func (m *Memory) machineOf(arn string) (*machine, string, error) {
	rest, ok := strings.CutPrefix(arn, Prefix)
	if !ok {
		return nil, "", fmt.Errorf("%s: %w", arn, workflow.ErrNotFound)
	}
	name, qual, qualified := strings.Cut(rest, ":")
	mc, ok := m.machines[name]
	if !ok {
		return nil, "", fmt.Errorf("state machine %s: %w", name, workflow.ErrNotFound)
	}
	if !qualified {
		return mc, "", nil
	}
	if target, ok := mc.aliases[qual]; ok {
		return mc, target, nil
	}
	for _, v := range mc.versions {
		if v.Arn == arn {
			return mc, arn, nil
		}
	}
	return nil, "", fmt.Errorf("%s: %w", arn, workflow.ErrNotFound)
}

// SetAlias implements workflow.Machines.
func (m *Memory) SetAlias(_ context.Context, machineArn, alias, versionArn string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, _, err := m.machineOf(machineArn)
	if err != nil {
		return "", err
	}
	if vm, v, err := m.machineOf(versionArn); err != nil || vm != mc || v == "" {
		return "", fmt.Errorf("alias %s: version %s: %w", alias, versionArn, workflow.ErrNotFound)
	}
	mc.aliases[alias] = versionArn
	return Prefix + mc.name + ":" + alias, nil
}

// AliasTarget implements workflow.Machines.
func (m *Memory) AliasTarget(_ context.Context, aliasArn string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := strings.LastIndexByte(aliasArn, ':')
	mc, _, err := m.machineOf(aliasArn[:max(i, 0)])
	if err != nil {
		return "", err
	}
	target, ok := mc.aliases[aliasArn[i+1:]]
	if !ok {
		return "", fmt.Errorf("alias %s: %w", aliasArn, workflow.ErrNotFound)
	}
	return target, nil
}

// Versions implements workflow.Machines: newest first.
func (m *Memory) Versions(_ context.Context, machineArn string) ([]workflow.Version, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, _, err := m.machineOf(machineArn)
	if err != nil {
		return nil, err
	}
	out := make([]workflow.Version, 0, len(mc.versions))
	for i := len(mc.versions) - 1; i >= 0; i-- {
		out = append(out, mc.versions[i].Version)
	}
	return out, nil
}

// DeleteVersion implements workflow.Machines. Like Step Functions, it
// refuses a version an alias points at.
func (m *Memory) DeleteVersion(_ context.Context, versionArn string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, v, err := m.machineOf(versionArn)
	if err != nil || v == "" || v != versionArn {
		return fmt.Errorf("delete version %s: %w", versionArn, workflow.ErrNotFound)
	}
	for alias, target := range mc.aliases {
		if target == versionArn {
			return fmt.Errorf("delete version %s: alias %s points at it (ConflictException)", versionArn, alias)
		}
	}
	for i, x := range mc.versions {
		if x.Arn == versionArn {
			mc.versions = append(mc.versions[:i], mc.versions[i+1:]...)
			break
		}
	}
	m.deleted = append(m.deleted, versionArn)
	return nil
}

// Deleted returns the version ARNs deleted so far, in order.
func (m *Memory) Deleted() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.deleted...)
}

// Definition returns the definition a version was published with.
func (m *Memory) Definition(versionArn string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, v, err := m.machineOf(versionArn)
	if err != nil {
		return "", err
	}
	for _, x := range mc.versions {
		if x.Arn == v {
			return x.asl, nil
		}
	}
	return "", fmt.Errorf("%s: %w", versionArn, workflow.ErrNotFound)
}
