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
// every contact that waits on a timer or a task token.
//
// Subpackages: sim runs journeys on a virtual clock and reports funnels
// (journeys run); journeytest runs journey test files (journeys test);
// devserver serves the HTTP API, runs the journeys on a real or scaled
// clock and keeps an outbox (journeys dev, journeys demo).
package local
