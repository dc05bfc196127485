// Package handler holds the task functions that compiled journey state
// machines call, as plain Go functions over small interfaces:
// func(ctx, wire.StepRequest) (wire.StepResult, error). The Lambda mains
// (functions/<name>) and the local runtime's in-process invoker call the
// same methods; both turn errors into named Lambda errors with
// wire.LambdaError.
//
// Every task but finish first runs the journey-wide checks (guard): a
// stopped journey, an erased contact, the journey's end date or an exit
// criterion raise Journey.Exited; the journey's goal, met within its
// period, records a goal interaction and raises Journey.GoalReached; a
// paused journey raises Journey.Deferred until a re-check, so a paused
// contact is held at its next step and never advanced.
//
// Work that must happen once per step of an execution (a message, a
// webhook call, the finish record) is guarded by an idempotency record
// keyed by execution and step: an in-progress lease, then the completed
// result. A duplicate invocation that finds the lease held raises
// Journey.Transient (Step Functions retries it); one that finds the work
// completed returns the stored result.
//
// Handlers log with log/slog: business unit, journey, version, execution,
// step and op ids, never an address or a name. Step log entries in the
// store say what each step did and why (sent, skipped: no email consent,
// deferred: quiet hours until 08:00, ...).
//
// A *Handlers is safe for concurrent use.
package handler
