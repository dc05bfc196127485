// Package manage is the management API of the journeys project: an
// http.Handler (Handler) over the operations of a Service, and the Client
// the command line uses.
//
// Routes live under two prefixes. /manage/{bu}/... is for operators and
// deployment pipelines: API Gateway authorizes it with AWS_IAM, and the
// caller's identity comes from the request context (Options.Identity);
// IAM policies scope principals to business units through the route's
// resource ARN (execute-api:Invoke on .../manage/<bu>/*). /api/... is for
// per-business-unit API keys: "Authorization: Bearer <key>", looked up by
// the key's SHA-256 hash (HashKey) in store.APIKeys; the key's business
// unit is the only one its calls can touch, and its scopes limit what they
// may do. Some scopes are explicit-only (leads:write, content:share): a key holds them
// only when its record names them, never through "no scopes" or "*".
//
// POST .../content takes content files as written under journeys/content
// (one, or a batch), checks them against the store's content library and
// the business unit's contact schema, and stores each version under the
// number the file names, or holds them for a content approval
// (Service.PutContent). Shared files need the explicit-only content:share.
//
// POST .../leads/backfill takes one page of LinkedIn leads (as the owner
// finder returns them) for the caller's business unit and puts each
// through the lead Inbox (HandlerOptions.Leads) as the webhook's are: same
// dedupe key, same queue. A page with a lead whose owner is not one of the
// unit's is refused whole (403), and nothing of it is queued.
//
// Every operation takes the business unit explicitly and the store keys
// every record by it, so a call can never reach another business unit's
// journeys, contacts or audit log. Publishing, pausing, resuming, stopping,
// rolling back, launching, importing, erasing and content uploads are written to the audit
// log with the caller as actor.
//
// Bodies are JSON (a CSV file for contact imports), bounded in size; errors
// are JSON {"error": {"code", "message", "problems"}} with the HTTP status
// the error's kind maps to (errorStatus).
package manage
