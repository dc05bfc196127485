// Package tracking is the tracking endpoint, an http.Handler mounted where
// the business units' tracking base URL points (/t in the deployed API):
//
//	GET  /o            open pixel: record the open, resume waits for email.opened
//	GET  /c            click: verify the signed link, record the click, resume
//	                   waits for email.clicked, 302 to the verified destination
//	GET/POST /unsubscribe, /preferences
//	                   the preference centre (internal/content/preference),
//	                   RFC 8058 one-click POST included
//	POST /status       provider status callbacks (docs/channel-protocol.md):
//	                   delivered, bounced, complained; a hard bounce or a
//	                   complaint suppresses the address
//
// Every URL is verified with the business unit's tracking keys before
// anything is recorded; a tampered URL is answered 400 and never
// redirected (no open redirect). Message ids name the business unit, so one
// unit's links can neither read nor change another's contacts. Duplicate
// opens and clicks are recorded as they come but resume a wait once (the
// callback is single use); a resume that fails is logged, the claim given
// back, and the pixel or redirect served all the same, so a later open or
// click of the message resumes the wait. Test sends are verified and
// otherwise ignored.
package tracking
