// Package compile turns a checked journey (journey.Checked) into an AWS
// Step Functions state machine in the Amazon States Language, JSONPath
// query language, following the runtime design: one lambda:invoke Task per
// Lambda-backed step carrying a wire.StepRequest payload (ids only, never
// personal data), named-error Catches for Journey.Exited, GoalReached,
// Deferred and DeliveryFailed, Retry with backoff and full jitter on
// transient errors, every other error caught and recorded by a finish task,
// native Choice rules for simple comparisons of declared non-personal
// attributes, deterministic random splits with States.Hash, and
// waitForTaskToken tasks for waits on events and approvals.
//
// Output is deterministic: the same journey gives byte-identical JSON
// (states in journey order, fixed key order, two-space indent). Function
// ARNs are ${...FunctionArn} placeholders that publishing substitutes.
// Compile keeps a table from every state name to the journey position it
// came from, so an interpreter failure can point at the journey file.
//
// Compile is safe for concurrent use; it never sees an unchecked journey.
package compile
