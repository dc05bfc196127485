package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// WorkflowConfig configures a Workflow. The zero value is a Workflow in
// memory on a real clock, whose tasks all fail (no invoker).
type WorkflowConfig struct {
	// Clock is the engine's clock: an *asl.VirtualClock (simulations,
	// tests; driven by RunUntil) or an *asl.RealClock (the dev server,
	// possibly sped up; driven by Run). Default: real time.
	Clock asl.Clock
	// Invoker runs Task states (an Invoker, or anything else).
	Invoker asl.TaskInvoker
	// KV, when set, keeps machines, versions, aliases and execution
	// snapshots, so Restore carries on after a restart.
	KV store.KV
	// Functions maps placeholder names (compile.Placeholders) to function
	// ARNs, for definitions published with ${...FunctionArn} left in.
	// Default: FunctionArns(Region, Account).
	Functions map[string]string
	// Region and Account of every ARN. Default us-east-1, 123456789012.
	Region, Account string
	// Seed makes task tokens and other random choices reproducible
	// (simulations); zero draws a random seed.
	Seed uint64
	// History keeps every execution's event history (off by default: a
	// journey run keeps only what it reports).
	History bool
	// Trace is called for every event of every execution (asl.WithTrace).
	Trace func(asl.TraceEvent)
	// TaskConcurrency bounds concurrent task invocations on a real clock.
	TaskConcurrency int
	// Logger: default slog.Default().
	Logger *slog.Logger
}

// Workflow is the local Step Functions: workflow.API over an asl.Engine.
// Publishing makes a new immutable version of a state machine (or returns
// the latest one when definition and role are unchanged, as
// PublishStateMachineVersion does); aliases route to one version; an
// execution starts on a machine (its latest version), a version or an
// alias, under a name unique per machine. Unlike moto it runs the
// executions, starts through aliases, lists and deletes versions and
// checks task tokens. It is safe for concurrent use.
type Workflow struct {
	engine *asl.Engine
	kv     store.KV
	arns   arns
	funcs  map[string]string
	now    func() time.Time

	mu       sync.Mutex
	machines map[string]*machineRecord // by name
	loaded   map[string]*asl.Machine   // by version ARN
	// arnStrings holds one copy of each version ARN (versionArn).
	arnStrings map[string]string
	defs       map[string]string // by versionKey, when there is no KV store

	startMu sync.Mutex // a start's check and create are one step
}

var _ workflow.API = (*Workflow)(nil)

// machineRecord is a state machine as stored: its versions (deleted ones
// kept, flagged, while executions may still run them) and aliases.
type machineRecord struct {
	Name     string          `json:"name"`
	Created  time.Time       `json:"created"`
	Next     int             `json:"next"` // the number the next version gets
	Versions []versionRecord `json:"versions"`
	Aliases  map[string]int  `json:"aliases,omitempty"` // alias → version
}

type versionRecord struct {
	Version     int       `json:"version"`
	Created     time.Time `json:"created"`
	Role        string    `json:"role"`
	Description string    `json:"description,omitempty"`
	Digest      string    `json:"digest"` // of the definition, for idempotent publishes
	Deleted     bool      `json:"deleted,omitempty"`
}

// NewWorkflow returns a Workflow on a new engine. Call Restore before
// driving the engine when cfg.KV holds data from an earlier run.
func NewWorkflow(cfg WorkflowConfig) *Workflow {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Account == "" {
		cfg.Account = DefaultAccount
	}
	if cfg.Clock == nil {
		cfg.Clock = asl.NewRealClock(1)
	}
	if cfg.Functions == nil {
		cfg.Functions = FunctionArns(cfg.Region, cfg.Account)
	}
	opts := []asl.Option{
		asl.WithClock(cfg.Clock), asl.WithRegion(cfg.Region), asl.WithAccount(cfg.Account),
		asl.WithHistory(cfg.History),
	}
	if cfg.Invoker != nil {
		opts = append(opts, asl.WithInvoker(cfg.Invoker))
	}
	if cfg.KV != nil {
		opts = append(opts, asl.WithPersistence(NewKVPersistence(cfg.KV)))
	}
	if cfg.Seed != 0 {
		opts = append(opts, asl.WithSeed(cfg.Seed))
	}
	if cfg.Trace != nil {
		opts = append(opts, asl.WithTrace(cfg.Trace))
	}
	if cfg.TaskConcurrency > 0 {
		opts = append(opts, asl.WithTaskConcurrency(cfg.TaskConcurrency))
	}
	if cfg.Logger != nil {
		opts = append(opts, asl.WithLogger(cfg.Logger))
	}
	return &Workflow{
		engine: asl.NewEngine(opts...), kv: cfg.KV, arns: arns{cfg.Region, cfg.Account},
		funcs: cfg.Functions, now: cfg.Clock.Now,
		machines: map[string]*machineRecord{}, loaded: map[string]*asl.Machine{}, defs: map[string]string{},
	}
}

// Engine returns the engine, to drive it: RunUntil on a virtual clock, Run
// on a real one.
func (w *Workflow) Engine() *asl.Engine { return w.engine }

// MachineArn returns the ARN of the state machine with this name.
func (w *Workflow) MachineArn(name string) string { return w.arns.machine(name) }

// Restore loads the machines and every execution snapshot from the KV
// store and carries on the executions: timers re-armed, task tokens valid.
// It returns how many running executions it restored.
func (w *Workflow) Restore(ctx context.Context) (int, error) {
	if w.kv == nil {
		return 0, errors.New("restore workflow: no KV store configured")
	}
	err := listKV(ctx, w.kv, kvMachine, func(p store.KVPair) error {
		var m machineRecord
		if err := json.Unmarshal(p.Value, &m); err != nil {
			return fmt.Errorf("decode state machine %s: %w", p.Key, err)
		}
		w.mu.Lock()
		w.machines[m.Name] = &m
		w.mu.Unlock()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("restore workflow: %w", err)
	}
	return w.engine.Restore(ctx, w.machineOfVersion)
}

// machineOfVersion loads the machine of a version ARN (deleted versions
// included: their executions run on), for starts and for Restore.
func (w *Workflow) machineOfVersion(versionArn string) (*asl.Machine, error) {
	w.mu.Lock()
	m, ok := w.loaded[versionArn]
	w.mu.Unlock()
	if ok {
		return m, nil
	}
	t, err := w.arns.parse(versionArn)
	if err != nil || t.version == 0 {
		return nil, fmt.Errorf("state machine version %s: %w", versionArn, workflow.ErrNotFound)
	}
	def, err := w.definition(context.Background(), t.machine, t.version)
	if err != nil {
		return nil, err
	}
	m, err = asl.Load([]byte(def))
	if err != nil {
		return nil, fmt.Errorf("load state machine version %s: %w", versionArn, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if old, ok := w.loaded[versionArn]; ok {
		return old, nil
	}
	w.loaded[versionArn] = m
	return m, nil
}

// versionArn returns the ARN of a machine version, one string per
// version however many executions keep it (each running execution holds
// its machine's ARN).
func (w *Workflow) versionArn(machine string, version int) string {
	arn := w.arns.version(machine, version)
	w.mu.Lock()
	defer w.mu.Unlock()
	if old, ok := w.arnStrings[arn]; ok {
		return old
	}
	if w.arnStrings == nil {
		w.arnStrings = map[string]string{}
	}
	w.arnStrings[arn] = arn
	return arn
}

// definition returns a version's definition: from the KV store, or from
// memory when there is none.
func (w *Workflow) definition(ctx context.Context, machine string, version int) (string, error) {
	if w.kv == nil {
		w.mu.Lock()
		defer w.mu.Unlock()
		def, ok := w.defs[versionKey(machine, version)]
		if !ok {
			return "", fmt.Errorf("state machine %s version %d: %w", machine, version, workflow.ErrNotFound)
		}
		return def, nil
	}
	raw, err := w.kv.GetKV(ctx, versionKey(machine, version))
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("state machine %s version %d: %w", machine, version, workflow.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read state machine %s version %d: %w", machine, version, err)
	}
	return string(raw), nil
}

// Definition returns the definition a version was published with
// (placeholders substituted).
func (w *Workflow) Definition(ctx context.Context, versionArn string) (string, error) {
	t, err := w.arns.parse(versionArn)
	if err != nil || t.version == 0 {
		return "", fmt.Errorf("state machine version %s: %w", versionArn, workflow.ErrNotFound)
	}
	return w.definition(ctx, t.machine, t.version)
}

func versionKey(machine string, version int) string {
	return fmt.Sprintf("%s%s/%010d", kvVersion, machine, version)
}

// live returns a machine's live versions, newest first.
func (m *machineRecord) live() []versionRecord {
	out := make([]versionRecord, 0, len(m.Versions))
	for _, v := range m.Versions {
		if !v.Deleted {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version > out[j].Version })
	return out
}

func (m *machineRecord) find(version int) (*versionRecord, bool) {
	for i := range m.Versions {
		if m.Versions[i].Version == version {
			return &m.Versions[i], true
		}
	}
	return nil, false
}
