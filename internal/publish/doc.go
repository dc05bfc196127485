// Package publish turns a journey bundle into a live Step Functions state
// machine version, and moves journeys between their versions.
//
// Publishing checks the bundle (journey, contact schema, segments) exactly
// as the runtime will load it, compiles it, substitutes the task
// functions' ARNs for the ${...FunctionArn} placeholders, publishes the
// definition as a new immutable version of the journey's state machine
// (workflow.Machines, publish=true), records the journey version in the
// store (the bundle, the compiled ASL, the content versions it pins, who
// and when, the state machine version ARN) and then activates it: the
// journey's alias moves to the version and the store's journey record
// names it as current, so new enrolments start it (internal/enrol starts
// the version ARN recorded as current) while running executions keep the
// version they started on. Versions that no one runs any more are pruned
// (a machine holds at most 1,000 versions); the alias target, the current
// version, the newest Config.Keep versions and every version with running
// executions or active enrolments are kept.
//
// A publication may need an approval before it is activated: the version
// is prepared and recorded, a publish approval is requested, and the
// decision arrives through OnDecision (the approval package's hook). When
// the journey-publish state machine is configured, it holds the wait
// durably: its task token is stored as a callback, which OnDecision
// answers; otherwise OnDecision activates the version itself.
//
// Rollback moves the alias and the current version back to an earlier
// version. Every publication, approval, rejection and rollback is written
// to the audit log.
package publish
