package asl

import (
	"time"

	"github.com/journeys-oss/journeys/internal/asl/intrinsic"
	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
)

// A Machine is a loaded state machine definition: every Next resolved and
// every JSONPath, intrinsic function and Choice rule parsed once. A Machine
// is immutable: one Machine may run any number of executions from any number
// of goroutines at once.
type Machine struct {
	comment        string
	timeoutSeconds int64
	root           *graph
	definition     []byte
	stateCount     int
}

// Comment returns the definition's top-level Comment.
func (m *Machine) Comment() string { return m.comment }

// TimeoutSeconds returns the execution timeout, 0 if none.
func (m *Machine) TimeoutSeconds() int64 { return m.timeoutSeconds }

// Definition returns the definition text the machine was loaded from.
func (m *Machine) Definition() []byte { return m.definition }

// StateNames returns the names of the top-level states in definition order.
func (m *Machine) StateNames() []string {
	names := make([]string, len(m.root.states))
	for i, s := range m.root.states {
		names[i] = s.name
	}
	return names
}

// A graph is a set of states with a start: the machine itself, a Parallel
// branch or a Map item processor.
type graph struct {
	startAt int
	states  []*state
	byName  map[string]int
	path    string // JSON path of the graph in the definition, for snapshots
	jsonata bool
}

type stateType uint8

const (
	typePass stateType = iota + 1
	typeTask
	typeChoice
	typeWait
	typeSucceed
	typeFail
	typeParallel
	typeMap
)

var stateTypeNames = map[string]stateType{
	"Pass": typePass, "Task": typeTask, "Choice": typeChoice, "Wait": typeWait,
	"Succeed": typeSucceed, "Fail": typeFail, "Parallel": typeParallel, "Map": typeMap,
}

func (t stateType) String() string {
	for n, v := range stateTypeNames {
		if v == t {
			return n
		}
	}
	return "Unknown"
}

// A pathField is an InputPath or OutputPath: nil means "$", null means the
// field was JSON null (the value becomes {}).
type pathField struct {
	path *jsonpath.Path
	null bool
}

// A resultPath is nil for the default "$" (the result replaces the input).
type resultPath struct {
	path    *jsonpath.Path
	discard bool // ResultPath: null keeps the input
}

type state struct {
	name    string
	typ     stateType
	next    int // index in the graph, -1 when End
	end     bool
	jsonata bool

	inputPath      *pathField
	outputPath     *pathField
	resultPath     *resultPath
	parameters     *template
	resultSelector *template
	assign         *template
	result         any // Pass: Result
	hasResult      bool

	task     *taskSpec
	choice   *choiceSpec
	wait     *waitSpec
	fail     *failSpec
	parallel *parallelSpec
	mapper   *mapSpec
	retry    []*retrier
	catch    []*catcher
	jx       *jsonataFields
}

type taskSpec struct {
	resource       string
	kind           resourceKind
	service        string // resourceType in history: "lambda", "sqs", ...
	action         string // resource in history: "invoke", "invoke.waitForTaskToken", ...
	function       string // direct Lambda ARN
	waitForToken   bool
	sync           bool
	timeoutSeconds int64 // 0: none given
	timeoutPath    *jsonpath.Path
	heartbeat      int64
	heartbeatPath  *jsonpath.Path
	// payloadOnly: the state reads nothing of a lambda:invoke result but
	// Payload, StatusCode and ExecutedVersion, so the HTTP metadata need
	// not be built unless the history records it.
	payloadOnly bool
}

type resourceKind uint8

const (
	resourceLambdaARN resourceKind = iota + 1 // arn:aws:lambda:...:function:name
	resourceService                           // arn:aws:states:::service:action
	resourceActivity                          // arn:aws:states:...:activity:name
	resourceOther                             // anything else (e.g. an unsubstituted placeholder)
)

type waitSpec struct {
	seconds       int64
	hasSeconds    bool
	timestamp     time.Time
	hasTimestamp  bool
	secondsPath   *jsonpath.Path
	timestampPath *jsonpath.Path
}

type failSpec struct {
	errorName string
	hasError  bool
	cause     string
	hasCause  bool
	errorPath *dynString
	causePath *dynString
}

// A dynString is a Fail state's ErrorPath or CausePath: a path or an
// intrinsic function.
type dynString struct {
	text string
	path *jsonpath.Path
	call *intrinsic.Call
}

type parallelSpec struct {
	branches []*graph
}

type mapSpec struct {
	itemsPath          *jsonpath.Path
	itemSelector       *template
	processor          *graph
	maxConcurrency     int64
	maxConcurrencyPath *jsonpath.Path
	toleratedCount     int64
	toleratedCountPath *jsonpath.Path
	toleratedPercent   float64
	toleratedPctPath   *jsonpath.Path
	hasToleratedCount  bool
	hasToleratedPct    bool
	distributed        bool
}

type retrier struct {
	errorEquals     []string
	intervalSeconds int64
	maxAttempts     int64
	backoffRate     float64
	maxDelaySeconds int64
	jitterFull      bool
}

type catcher struct {
	errorEquals []string
	next        int
	resultPath  *resultPath
	assign      *template
	output      *template // JSONata
}
