// Package local is the journeys runtime on one machine, without AWS: the
// Step Functions API over the internal/asl engine (Workflow), the task
// invokers that run the Lambda handlers in-process or as built bootstraps
// under the Lambda Runtime Interface Emulator, and the pieces the dev
// server, the simulator and journey tests share.
//
// Workflow implements workflow.API, so publishing, enrolment and the event
// endpoints are the same code locally as on AWS. State machines, their
// versions and aliases, and every execution's snapshot live in a store.KV
// (the embedded store's file under .journeys/), so a restart carries on
// every contact that waits on a timer or a task token. ClockKeeper keeps a
// sped-up clock's journey time in the same store, so a restart resumes it
// where it stood instead of moving it back to the wall clock.
//
// System assembles the rest as the deployed functions are: the catalog,
// the enroller, every task handler, the approval service, the event
// intake, the tracking endpoint, the publisher and (for the dev server)
// in-process segment launches. AWSFacade is the AWS endpoint the built
// functions use in the dev server's --rie mode.
//
// Subpackages: sim runs journeys on a virtual clock and reports funnels
// (journeys run); journeytest runs journey test files (journeys test);
// devserver serves the HTTP API, runs the journeys on a real or scaled
// clock and keeps an outbox (journeys dev); demo drives the dev server
// from outside with a local LinkedIn and a local approval flow (journeys
// demo, make run). docs/local.md describes them.
package local
