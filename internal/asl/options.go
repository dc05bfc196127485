package asl

import (
	"log/slog"
	"time"
)

// An Option configures an Engine (and the one-shot Run).
type Option func(*options)

type options struct {
	invoker          TaskInvoker
	clock            Clock
	persistence      Persistence
	maxTransitions   int64
	maxHistoryEvents int64
	trace            func(TraceEvent)
	history          bool
	seed             uint64
	seeded           bool
	region           string
	account          string
	logger           *slog.Logger
	taskConcurrency  int
}

func defaultOptions() options {
	return options{
		history:          true,
		maxHistoryEvents: DefaultMaxHistoryEvents,
		region:           "us-east-1",
		account:          "123456789012",
		taskConcurrency:  64,
	}
}

// DefaultMaxHistoryEvents is Step Functions' limit on the events of one
// execution; an execution that reaches it fails.
const DefaultMaxHistoryEvents = 25000

// WithInvoker sets what runs Task states. Without one, every task fails as
// an unknown resource does.
func WithInvoker(inv TaskInvoker) Option { return func(o *options) { o.invoker = inv } }

// WithClock sets the engine's clock. A *VirtualClock makes the engine
// virtual-time (driven by RunUntil); a *RealClock (the default) makes it
// real-time (driven by Run).
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithPersistence makes executions durable: the engine saves a snapshot of
// each execution whenever it changes and Restore brings them back.
func WithPersistence(p Persistence) Option { return func(o *options) { o.persistence = p } }

// WithMaxTransitions fails an execution (States.Runtime) that enters more
// than n states; 0 (the default) means no limit. Fuzzing and untrusted
// definitions set it so that no execution loops forever.
func WithMaxTransitions(n int64) Option { return func(o *options) { o.maxTransitions = n } }

// WithMaxHistoryEvents sets the event limit of one execution (default
// 25,000, as on AWS); 0 means no limit. Events count whether or not the
// history is kept.
func WithMaxHistoryEvents(n int64) Option { return func(o *options) { o.maxHistoryEvents = n } }

// WithTrace calls fn for every event of every execution, in order, on the
// engine's driving goroutine. It must not call the engine.
func WithTrace(fn func(TraceEvent)) Option { return func(o *options) { o.trace = fn } }

// WithHistory sets whether executions keep their history by default
// (true). StartRequest.History overrides it per execution.
func WithHistory(keep bool) Option { return func(o *options) { o.history = keep } }

// WithSeed makes every random choice (task tokens, request ids, UUIDs,
// States.MathRandom, retry jitter) reproducible.
func WithSeed(seed uint64) Option { return func(o *options) { o.seed, o.seeded = seed, true } }

// WithRegion and WithAccount set the region and account of generated ARNs
// (default us-east-1 and 123456789012).
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithAccount sets the account id of generated ARNs.
func WithAccount(account string) Option { return func(o *options) { o.account = account } }

// WithLogger sets where the engine logs (persistence failures); default
// slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithTaskConcurrency bounds the task invocations a real-time engine runs
// at once (default 64). A virtual-time engine runs them one at a time.
func WithTaskConcurrency(n int) Option { return func(o *options) { o.taskConcurrency = n } }

// payloadLimit is the largest payload Step Functions carries: 256 KiB.
const payloadLimit = 262144

// maxTaskTimeout is a task's timeout when none is given.
const maxTaskTimeout = 99999999 * time.Second
