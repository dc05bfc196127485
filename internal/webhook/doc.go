// Package webhook speaks Standard Webhooks and makes outbound HTTP calls safe.
//
// It owns three things:
//
//   - signing and verifying messages as Standard Webhooks define them
//     (headers webhook-id, webhook-timestamp and webhook-signature, secrets in
//     the whsec_ form, several active secrets during a rotation), with typed
//     errors that HTTP handlers map to a status code in one place (HTTPStatus);
//   - a guard against server-side request forgery (Policy): outbound URLs must
//     name an allowed host over https, and every connection, redirects
//     included, is checked at connect time against the resolved IP address, so
//     DNS rebinding cannot reach loopback, private, link-local (cloud metadata),
//     CGNAT, multicast or unspecified addresses unless configuration allows a
//     network explicitly;
//   - an outbound Client for journey webhook steps, channel deliveries and
//     approval requests: per-attempt timeout, retries with exponential backoff
//     and full jitter on 429 (Retry-After honoured), 5xx and network errors, no
//     retry on other 4xx, an idempotency key stable across attempts, and every
//     attempt signed.
//
// It leaves storage to others: replay protection goes through the SeenIDs
// interface (MemorySeen is the in-process implementation), and secrets come in
// as values. Time, sleeping and randomness are injected so tests never sleep.
package webhook
