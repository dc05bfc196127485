// Package asl defines Amazon States Language state machines and runs them
// as AWS Step Functions does, to the event: the same data flow (InputPath,
// Parameters, ResultSelector, ResultPath, OutputPath, Assign and
// variables), intrinsic functions, Choice rules, Retry and Catch, Wait
// states, Parallel and Map states, .waitForTaskToken callbacks, timeouts,
// error names and causes, and the execution history GetExecutionHistory
// returns. It calls no AWS API: Task states go through the TaskInvoker it is
// given, and time through the Clock it is given.
//
// Load parses and checks a definition into an immutable *Machine (Validate
// lists a definition's problems without loading it). An Engine runs
// executions of Machines: Start, SendTaskSuccess, SendTaskFailure,
// SendTaskHeartbeat, Stop, Describe and History, as the Step Functions API
// does. An engine on a VirtualClock is driven by RunUntil (months of
// journey time in milliseconds, deterministically); on a RealClock, by Run.
// With a Persistence, executions survive a restart (Restore). Run is the
// one-shot form: one execution to its end on a virtual clock.
//
// Task states reach Lambda functions and other integrations through the
// one-method TaskInvoker. Functions is the in-process invoker: it runs
// LambdaHandlers (aws-lambda-go's lambda.Handler fits) and reports their
// errors and panics exactly as aws-lambda-go's runtime would (LambdaError).
// States whose QueryLanguage is JSONata evaluate their {% %} expressions
// with github.com/xiatechs/jsonata-go.
//
// A Machine is safe for concurrent use by any number of engines and
// executions; an Engine's methods are safe for concurrent use.
//
// The subpackages parse and evaluate what definitions contain: jsonv (JSON
// values that keep key order and number text), jsonpath (Jayway-compatible
// JSONPath) and intrinsic (the States.* functions).
package asl
