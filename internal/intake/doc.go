// Package intake receives custom events: POST /events from a business
// unit's own systems (a webinar platform, a shop, a CRM).
//
// A caller authenticates either with a business-unit API key
// (Authorization: Bearer <key>; the store keeps only HashAPIKey(key)) or by
// signing the request with Standard Webhooks headers and one of the
// business unit's secrets (replays are dropped through SeenIDs, a
// store-backed webhook.SeenIDs). The event names a contact of the business
// unit by id or email, carries attributes, and optionally an event id
// (the same id twice is recognised: 200 with "duplicate": true and the
// first answer) and a correlation id.
//
// An accepted event
//   - records a custom interaction (detail: the event name and id only,
//     never attributes, which may be personal);
//   - starts the business unit's journeys whose current version has an
//     event trigger of that name, through the enroller (the entry and the
//     trigger event are the event id; the trigger's attribute filter and
//     condition see the attributes, and the enrolment keeps them for the
//     journey's templates and conditions), unless the event carries a
//     correlation id: a correlated event targets one running journey
//     instance and enrols the contact nowhere. An event that lacks an
//     attribute the trigger declares in carries is accepted: the answer
//     lists it under "missing" for that journey and a warning is logged
//     (as for attributes too large to keep, "dropped");
//   - resumes the contact's executions waiting for that event
//     (store.WaitingCallbacks, claim, SendTaskSuccess {"event": name}).
//     With a correlation id, only the wait of the execution it names (its
//     ARN or its name, enrol.ExecutionName) is resumed: one journey
//     instance. The narrowing wait-register keeps in a callback's
//     Correlation (a form for form.submitted) is honoured (ResumeWaits).
//     When an answer cannot be delivered (Step Functions throttles, the
//     network fails), the claim is given back and the event answered 503
//     with its id released: the poster's retry resumes the wait.
//
// The answer lists ids only: journeys started or skipped (with the
// enroller's reason), callbacks resumed.
package intake
