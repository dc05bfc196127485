// Package preference serves the preference centre: the page an unsubscribe
// or preference link opens, where a contact sees the topics and channels
// they receive, changes them, or unsubscribes from everything, and the
// RFC 8058 one-click unsubscribe that mailbox providers POST without
// showing any page. Consent is read and written through the small Store
// interface; the page never shows or asks for personal data.
//
// # Who may change what
//
// The signed subscriber token in the link (tracking.Signer.Token) is the
// capability: it names the business unit, contact and message by id, and
// only the holder of the email has it. On top of it:
//
//   - GET never changes anything, because mail scanners and link
//     previewers fetch links.
//   - A form POST must carry a nonce the page issued: an HMAC over the token
//     and the issue time, valid for Config.NonceTTL. It is stateless (no
//     cookie, so nothing for SameSite to govern and nothing cross-site can
//     ride on), and ties the form to a page we served for that token. A POST
//     whose Sec-Fetch-Site says cross-site, or whose Origin is another host,
//     is refused as well.
//   - A one-click POST (body List-Unsubscribe=One-Click) needs no nonce, as
//     RFC 8058 requires: the provider posts it server to server. It can only
//     opt out, never in, so a forged one can at worst unsubscribe the
//     token's holder, which the token already allows.
//
// Responses are not cached, not framed (clickjacking), run no script, and
// send no Referer, so the token in the URL does not leak to other sites.
// The form and the redirect after saving use query-only URLs, so the
// handler works under any mount prefix (the tracking endpoint strips /t).
package preference
