// Package launch enrols the members of a segment into a journey at scale:
// the segment-launch state machine (statemachines/segment-launch.asl.json)
// and the function behind its tasks, the scheduler that launches recurring
// segment journeys, and the watcher that enrols contacts who join a
// segment later.
//
// A launch reads the business unit's contacts in parallel scan segments
// (store.ContactScan: up to 32, one Map iteration each), page by page.
// For each contact of a page it evaluates the journey's segment (the one
// the current version was published with) and enrols the members through
// internal/enrol, under the launch id as the entry: the enrolment record
// guards against enrolling anyone twice (a re-run of the same launch finds
// them enrolled; another launch meets the journey's re-entry policy), and
// the deterministic execution name is the second guard. What the enroller
// would read per member is read once per page and handed to it
// (enrol.Known): the journey's record, and the page's enrolments in the
// journey (store.Enrolments.EnrolmentsOf, a few index queries), so a
// member costs its writes (the enrolment, the start, the execution
// recorded) and, when the segment reads interactions, one query; a pause
// takes effect from the next page. Starts are paced by a token bucket
// (Config.Rate starts per second for the whole launch, shared by the
// segments); throttling and the account's open-execution
// quota (workflow.ErrThrottled, workflow.ErrExecutionLimit) are absorbed
// with backoff. Each iteration stops after MaxPages pages, which keeps the
// execution's history under the 25,000-event quota; the report task then
// continues the launch in a new execution with the remaining cursors, and
// the final report (enrolled, skipped by reason, failed, the open-execution
// budget left) goes to the audit log.
//
// The same steps run without Step Functions through Run, which the local
// runtime and the tests use: it calls Plan, Page and Report exactly as the
// machine does.
package launch
