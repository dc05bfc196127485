// Package approval asks a person for a decision through a Power
// Automate-style flow and acts on the answer.
//
// Asking: Service.Request stores an approval (store.Approvals) under an id
// derived from what is being approved, and, for a journey step, the Step
// Functions task token under the same opaque, single-use id
// (store.Callbacks); then it POSTs the request to the business unit's flow
// URL (a secret: Power Automate HTTP-trigger URLs carry sig=) through the
// SSRF-safe retrying webhook client, signed with Standard Webhooks headers
// and with an idempotency key. The request carries a callback URL signed
// like Power Automate's own (an HMAC over the business unit, the approval
// id and the expiry, in its sig parameter), so the token never travels. A
// retried invocation finds the approval and the completed post record and
// neither creates nor posts again. Service.Task is the approval-request
// task function (op "approval"); content and publication approvals call
// Request directly.
//
// Answering: Service.Callback is the http.Handler the flow posts the
// approval outcome to ({"outcome": "Approve"|"Reject", "responses": [...]},
// outcomes case-sensitive). It checks the URL signature before anything
// (401), the expiry in the URL (410), the Standard Webhooks headers when
// present (401), the body size (413) and shape (400); then the first
// decision wins (409 for later ones, 404 unknown, 410 expired). Only the
// responder's display name and comments are stored. A step approval
// resumes its execution: Approve is SendTaskSuccess
// {"outcome":"approved","approval":id}, Reject is SendTaskFailure with the
// error Approval.Rejected. Other kinds go to the DecisionHook registered
// for them (the publisher moves a journey's alias on approval).
//
// Personal data (the lead's name and company, which a reviewer needs) goes
// only to the flow over HTTPS: never into Step Functions, logs or errors.
package approval
