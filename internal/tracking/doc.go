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
// callback is single use). Test sends are verified and otherwise ignored.
//
// The pixel and the redirect are served whatever happens to the
// recording: a mail client does not load a pixel again, nor a browser
// follow a link again, because we failed. So when recording an open or
// click, or resuming the waits it answers, fails (a store hiccup, Step
// Functions throttling), the endpoint puts a Job on its retry queue
// (Config.Retry: SQS in the deployed stack, the embedded store's queue
// locally), one per interaction (queue.SendOptions.DedupeID). A Retrier
// runs the jobs (the track-retry function, the dev server's worker): it
// records the interaction unless it was recorded, without ever recording
// it twice, then resumes the waits; a failure is retried by the queue
// with backoff and dead-lettered at last. A wait that no longer waits (its
// timeout came first, or a later open resumed it) ends the job. Without a
// retry queue, an open or click that failed to record is lost, and a wait
// it failed to resume waits for a later open or click of the same message
// or takes its timeout branch.
package tracking
