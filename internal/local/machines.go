package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// ErrAliasTarget: a version an alias points at cannot be deleted (Step
// Functions' ConflictException).
var ErrAliasTarget = errors.New("an alias points at this version")

// machineNameRE is Step Functions' rule for state machine and alias names.
var machineNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// Publish creates or updates the machine and publishes the definition as
// a new version. Placeholders left in the definition get the configured
// function ARNs; an invalid definition is an *asl.ValidationError. An
// unchanged definition and role return the latest version.
func (w *Workflow) Publish(ctx context.Context, def workflow.Definition) (workflow.Published, error) {
	if !machineNameRE.MatchString(def.Name) {
		return workflow.Published{}, fmt.Errorf("publish %q: a state machine name is 1 to 80 letters, digits, '-' or '_'", def.Name)
	}
	if def.RoleArn == "" {
		return workflow.Published{}, fmt.Errorf("publish %s: a role ARN is required", def.Name)
	}
	text, err := substitute(def.ASL, w.funcs)
	if err != nil {
		return workflow.Published{}, fmt.Errorf("publish %s: %w", def.Name, err)
	}
	m, err := asl.Load([]byte(text))
	if err != nil {
		return workflow.Published{}, fmt.Errorf("publish %s: %w", def.Name, err)
	}
	sum := sha256.Sum256([]byte(text + "\x00" + def.RoleArn))
	digest := hex.EncodeToString(sum[:])

	w.mu.Lock()
	defer w.mu.Unlock()
	machineArn := w.arns.machine(def.Name)
	rec, ok := w.machines[def.Name]
	if ok {
		if live := rec.live(); len(live) > 0 && live[0].Digest == digest {
			return workflow.Published{MachineArn: machineArn, VersionArn: w.arns.version(def.Name, live[0].Version), Version: live[0].Version}, nil
		}
		rec = cloneMachine(rec)
	} else {
		rec = &machineRecord{Name: def.Name, Created: w.now().UTC(), Next: 1}
	}
	n := rec.Next
	rec.Next++
	rec.Versions = append(rec.Versions, versionRecord{Version: n, Created: w.now().UTC(), Role: def.RoleArn, Description: def.Description, Digest: digest})
	if err := w.saveDefinition(ctx, def.Name, n, text); err != nil {
		return workflow.Published{}, err
	}
	if err := w.saveMachine(ctx, rec); err != nil {
		return workflow.Published{}, err
	}
	versionArn := w.arns.version(def.Name, n)
	w.loaded[versionArn] = m
	return workflow.Published{MachineArn: machineArn, VersionArn: versionArn, Version: n}, nil
}

func cloneMachine(m *machineRecord) *machineRecord {
	c := *m
	c.Versions = append([]versionRecord(nil), m.Versions...)
	c.Aliases = maps.Clone(m.Aliases)
	return &c
}

// saveDefinition and saveMachine write through to the KV store (when
// there is one) and then to memory. The lock is held.
func (w *Workflow) saveDefinition(ctx context.Context, machine string, version int, text string) error {
	k := versionKey(machine, version)
	if w.kv == nil {
		w.defs[k] = text
		return nil
	}
	if err := w.kv.PutKV(ctx, k, []byte(text)); err != nil {
		return fmt.Errorf("store state machine %s version %d: %w", machine, version, err)
	}
	return nil
}

func (w *Workflow) saveMachine(ctx context.Context, m *machineRecord) error {
	if w.kv != nil {
		raw, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := w.kv.PutKV(ctx, kvMachine+m.Name, raw); err != nil {
			return fmt.Errorf("store state machine %s: %w", m.Name, err)
		}
	}
	w.machines[m.Name] = m
	return nil
}

// machine returns the record of a machine ARN (unqualified). The lock is
// held.
func (w *Workflow) machine(machineArn string) (*machineRecord, error) {
	t, err := w.arns.parse(machineArn)
	if err != nil {
		return nil, err
	}
	if t.version != 0 || t.alias != "" {
		return nil, fmt.Errorf("%s is not an unqualified state machine ARN: %w", machineArn, workflow.ErrNotFound)
	}
	m, ok := w.machines[t.machine]
	if !ok {
		return nil, fmt.Errorf("state machine %s: %w", t.machine, workflow.ErrNotFound)
	}
	return m, nil
}

// SetAlias points the alias at a live version of the machine, creating
// the alias if needed, and returns the alias ARN.
func (w *Workflow) SetAlias(ctx context.Context, machineArn, alias, versionArn string) (string, error) {
	if !machineNameRE.MatchString(alias) {
		return "", fmt.Errorf("alias %q: 1 to 80 letters, digits, '-' or '_'", alias)
	}
	if _, err := strconv.Atoi(alias); err == nil {
		return "", fmt.Errorf("alias %q: an alias name may not be a number", alias)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	m, err := w.machine(machineArn)
	if err != nil {
		return "", fmt.Errorf("set alias %s: %w", alias, err)
	}
	t, err := w.arns.parse(versionArn)
	if v, ok := m.find(t.version); err != nil || t.machine != m.Name || !ok || v.Deleted {
		return "", fmt.Errorf("set alias %s: version %s: %w", alias, versionArn, workflow.ErrNotFound)
	}
	m = cloneMachine(m)
	if m.Aliases == nil {
		m.Aliases = map[string]int{}
	}
	m.Aliases[alias] = t.version
	if err := w.saveMachine(ctx, m); err != nil {
		return "", err
	}
	return machineArn + ":" + alias, nil
}

// AliasTarget returns the version ARN the alias routes to.
func (w *Workflow) AliasTarget(_ context.Context, aliasArn string) (string, error) {
	t, err := w.arns.parse(aliasArn)
	if err != nil || t.alias == "" {
		return "", fmt.Errorf("alias %s: %w", aliasArn, workflow.ErrNotFound)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	m, ok := w.machines[t.machine]
	if !ok {
		return "", fmt.Errorf("alias %s: %w", aliasArn, workflow.ErrNotFound)
	}
	n, ok := m.Aliases[t.alias]
	if !ok {
		return "", fmt.Errorf("alias %s: %w", aliasArn, workflow.ErrNotFound)
	}
	return w.arns.version(t.machine, n), nil
}

// Versions lists the machine's versions, newest first.
func (w *Workflow) Versions(_ context.Context, machineArn string) ([]workflow.Version, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m, err := w.machine(machineArn)
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	live := m.live()
	out := make([]workflow.Version, len(live))
	for i, v := range live {
		out[i] = workflow.Version{Arn: w.arns.version(m.Name, v.Version), Version: v.Version, Created: v.Created}
	}
	return out, nil
}

// DeleteVersion deletes a version. A version an alias points at is
// refused (ErrAliasTarget). Executions already running on it carry on;
// new starts on it are ErrNotFound.
func (w *Workflow) DeleteVersion(ctx context.Context, versionArn string) error {
	t, err := w.arns.parse(versionArn)
	if err != nil || t.version == 0 {
		return fmt.Errorf("delete version %s: %w", versionArn, workflow.ErrNotFound)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	m, ok := w.machines[t.machine]
	if !ok {
		return fmt.Errorf("delete version %s: %w", versionArn, workflow.ErrNotFound)
	}
	if v, ok := m.find(t.version); !ok || v.Deleted {
		return fmt.Errorf("delete version %s: %w", versionArn, workflow.ErrNotFound)
	}
	for alias, n := range m.Aliases {
		if n == t.version {
			return fmt.Errorf("delete version %s: alias %s: %w", versionArn, alias, ErrAliasTarget)
		}
	}
	m = cloneMachine(m)
	v, _ := m.find(t.version)
	v.Deleted = true
	return w.saveMachine(ctx, m)
}
