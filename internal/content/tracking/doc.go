// Package tracking signs and verifies the URLs and tokens that rendered
// messages carry: click-tracking redirects, the open pixel, the "view in
// browser" link, and the unsubscribe and preference-centre tokens.
//
// Every value is authenticated with HMAC-SHA256 under a secret key. Keys
// rotate: a Signer holds several keys, newest first; the newest signs and any
// of them verifies, so a key can be retired once the messages it signed no
// longer matter. URLs name the signing key by its id, so verification costs
// one HMAC.
//
// The tracking endpoint redirects only to a destination whose signature
// verifies (VerifyClick), so it is never an open redirect. Tokens carry ids
// only (business unit, contact id, message id, topic), never an email
// address or a name.
//
// Paths and query parameter names are constants here so that the endpoint
// that serves them (another package) and the renderer that writes them agree.
// A Signer and a Links value are safe for concurrent use.
package tracking
