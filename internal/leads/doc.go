// Package leads is the LinkedIn lead pipeline: from a verified Lead Sync
// notification to a contact enrolled in the journeys its form triggers,
// exactly once per lead whatever LinkedIn repeats, reorders or fails.
//
// Receiving side: Inbox implements linkedin.Inbox. It routes the
// notification to a business unit by its owner (Config.Owners), claims the
// notification's dedupe key (leadGenFormResponse + leadAction) in the
// store, stores the raw notification (RawKey), enqueues a small message
// carrying ids only, then completes the claim, and answers: a 2xx always
// means the notification is kept, and nothing is queued that is not. A repeat finds the claim
// and is reported as a duplicate; a claim left by a crash expires (its
// lease) and the next delivery takes it over and enqueues again, which the
// worker's own guard makes harmless.
//
// Worker side: Processor.Handle (a queue.Handler) processes one message
// under a per-lead lock (an idempotency lease), so a CREATED and a DELETED
// of the same lead never run at once:
//   - CREATED: unless a tombstone exists, and unless the lead was synced
//     before, fetch the lead (linkedin.Client retries 429 and 5xx), resolve
//     its exact form version (cached), map it (linkedin.Mapping), apply the
//     business unit's policies, upsert the contact, record a formSubmitted
//     interaction and enrol the contact into the journeys whose current
//     version has a linkedinForm trigger naming that form (or any form),
//     with the lead id as the entry; executions of the contact waiting
//     for form.submitted of that form (or of any) are resumed
//     (intake.ResumeWaits; a wait that could not be resumed waits again
//     and the lead fails, so the queue's retry resumes it). The outcome is
//     stored under the lead's sync key: a repeat does nothing.
//   - DELETED: record a tombstone (so a late CREATED is ignored) and, if
//     the lead was synced, remove what it brought per Config.OnDelete.
//
// Policies (Config): test leads (testLead: true) never reach production
// journeys: they are recorded (audit entry and sync record) and, only when
// TestJourneys lists journeys, a contact is made and enrolled into those
// alone. Consent comes only from accepted consentResponses mapped in the
// configuration, never from anything else. A lead without an email
// address creates no contact unless MissingEmail is "create" (the reason
// is recorded). Contacts are matched by email within the business unit
// (Match "email") or always created (Match "create", one contact per
// lead). Upserts merge: nothing the contact had is dropped. The contact's
// Source is the versioned form URN when the lead creates it.
//
// Deletion policy (OnDelete "erase", the default): a contact the lead
// created is erased (store.Erase: profile, interactions, enrolments; its
// address stays suppressed) and its running executions are stopped; a
// contact that existed before keeps its profile, but consents the lead
// granted are withdrawn (status unknown) and executions the lead started
// are stopped. OnDelete "keep" only records the tombstone.
//
// Every step is idempotent (deterministic contact ids in "create" mode,
// deterministic interaction and audit ids, the enroller's enrolment
// guard), so a worker that dies mid-lead and is replaced by another
// produces the same end state.
package leads
