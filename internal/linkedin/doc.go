// Package linkedin speaks LinkedIn's Lead Sync protocol, both ways.
//
// Receiving side: NewHandler answers LinkedIn's webhook validation challenge
// and accepts lead notifications, verifying X-LI-Signature over the raw body
// before anything else and handing the verified notification to an Inbox.
// ParseNotification, VerifySignature and ChallengeResponse are the pieces it
// is built from.
//
// Client side: Client calls the versioned REST API (Rest.li 2.0) to fetch a
// lead, a form version, page through leads for a backfill (LeadPager), and
// create, find and delete notification subscriptions, retrying 429 and 5xx.
// FormResolver caches form versions, which are immutable, behind FormCache.
//
// Mapping: Mapping.Map turns a lead and the exact form version it names into
// a MappedLead (contact attributes, consents, problems), a plain value not
// tied to any store.
//
// It leaves to others what happens to a lead: the queue, deduplication
// records, contact upsert and enrolment sit behind the Inbox interface and the
// callers of Map. Package linkedintest holds a fake LinkedIn for tests.
package linkedin
