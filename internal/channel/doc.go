// Package channel delivers rendered messages: the Provider interface the
// send handler calls, a webhook provider per channel speaking the JSON
// protocol of docs/channel-protocol.md (Standard Webhooks signatures, an
// Idempotency-Key stable across retries, the provider's message id back,
// signed status callbacks), and a local outbox provider that writes each
// message into a folder for the dev server (.eml and .html for email, .json
// for SMS and custom channels), with a lister.
//
// It also owns message identity: a MessageRef names the business unit,
// contact, journey version, step and execution a message was sent from,
// and its text form is the message id that tracking links, provider
// answers and status callbacks carry. It holds ids only, never an address.
//
// Providers are safe for concurrent use. A delivery fails with an error
// wrapping ErrPermanent (retrying cannot help: a 4xx, a refused
// destination) or ErrTransient (a 429, 5xx or timeout: retry later with
// the same idempotency key).
package channel
