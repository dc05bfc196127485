// Package store declares the data contract of the journeys project: the
// records (contacts, interactions, enrolments, step logs, journeys and their
// versions, content, segments, approvals, callback tokens, idempotency
// records, sales tasks, audit entries, API keys, suppressions), the Store
// interface that reads and writes them, and the sentinel errors callers
// decide on.
//
// Three adapters implement it: store/dynamo (Amazon DynamoDB, single table,
// aws-sdk-go-v2) for deployments, store/embedded (bbolt, in a project-local
// folder) for the local runtime, and store/memory (the process's memory) for
// simulations and fast tests. store/storetest is the one conformance suite
// all pass. The embedded and memory adapters also implement Queue (the work
// queue the local runtime uses where deployments use Amazon SQS) and KV (the
// local Step Functions engine's snapshots); the DynamoDB adapter does not.
//
// The rules that decide writes live here, so the adapters cannot drift:
// PlanUpsert (with Contact.Apply), PrepareJourney, Approval.Decide,
// Callback.Claim, BeginIdempotency, Enrolment.Apply, the Prepare functions
// that validate records, BatchItem for batch outcomes, and the keyed address
// hash (AddressHash, AddressHasher).
//
// Every record belongs to a business unit (bu). Every method takes the bu
// explicitly and builds its keys from it, so no operation of one business
// unit can read or change another's data. The only exception is GetAPIKey,
// whose answer is the bu.
//
// Rules every adapter keeps, and the suite proves:
//   - not found is ErrNotFound, never a zero value with a nil error;
//   - a conditional write that loses returns ErrExists, ErrConflict,
//     ErrExpired, ErrSuppressed or ErrEmailTaken (wrapped with context);
//   - contact upserts merge (ContactPatch): fields not given are kept,
//     consent entries merge per key and the newest wins (Contact.Apply);
//   - records with a retention or an expiry disappear from reads once
//     expired, whether or not the database has physically removed them;
//   - times are stored in UTC.
package store
