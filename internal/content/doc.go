// Package content owns message content: Liquid templates for email, SMS and
// custom channels, reusable versioned content blocks, locale variants,
// personalisation, the static check of all of it, and the rendering
// pipeline that turns a template and a contact into a ready message, with
// tracked links (in the HTML and the plain-text part), the open pixel, the
// plain-text part and the unsubscribe link and headers. Signed URLs live in the tracking subpackage and the
// preference centre page in the preference subpackage.
//
// A Library compiles templates from a Source (FileSource over
// journeys/content; a store-backed one in the deployed system) on first
// use, caches them, and renders from the cache without parsing again. It is
// safe for concurrent use.
//
// Templates use github.com/osteele/liquid for parsing, expressions and
// filters; the compiled tree and its interpreter (interp.go, tags.go) are
// ours: every {{ }} escapes for its part's context (HTML, JSON, or none),
// include is absent (no file access), loops, captures and output are
// bounded, and {% render 'name@version' %} resolves blocks when the
// including template is compiled. Check reports every problem with
// file:line:col before anything is sent.
//
// Nothing here logs or returns personal data in errors: messages name
// templates, blocks and positions, never attribute values.
package content
