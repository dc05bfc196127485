// Package journey owns the journey language: the model of journeys, segment
// files, a business unit's contact schema and sample contacts; parsing them
// from YAML with a position on every node; and checking them (Check) before
// anything compiles or runs.
//
// Parsing never stops at the first problem: the decoder and the checker
// collect every problem they find into a Problems list, each with the
// file:line:column it concerns and, where one helps, a hint (did you mean,
// allowed values, limits with units). CEL conditions are type-checked by
// internal/segment against the business unit's contact schema and their
// errors are placed inside the YAML file. Content (templates and blocks) is
// checked through the small Content interface, which internal/content
// implements; a nil Content skips those checks.
//
// # The journey file
//
//	# yaml-language-server: $schema=../schema/journey.schema.json
//	id: welcome                      # the state machine's name
//	name: Welcome series
//	businessUnit: northwind          # journeys/schema/northwind.schema.yaml
//	trigger:                         # exactly one of:
//	  linkedinForm: {form: "urn:li:leadGenForm:684"}
//	  # segment: {segment: dormant-90d, schedule: rate(7 days), enrolNewMembers: true}
//	  # event: {name: webinar.registered, attributes: {webinarId: w-12}, condition: ...}
//	entry: {reentry: after, reentryAfter: 180d, exclude: customers}
//	goal: {name: sql, condition: 'contact.lifecycleStage == "sql"', within: 30d}
//	exit: [{name: unsubscribed, condition: contact.unsubscribed}, {name: customer, segment: customers}]
//	policies:
//	  quietHours: {from: "21:00", to: "08:00"}
//	  frequencyCap: [{channel: email, max: 3, per: 7d, then: delay}]
//	  start: 2026-12-01
//	  end: 2027-01-31
//	  maxDuration: 60d
//	steps:                           # run in order unless next/branches say otherwise
//	  - {id: hello, send: {channel: email, template: welcome-intro, onFailure: end}}
//	  - {id: pause, wait: {duration: 2d}}    # or until: 2026-12-10T09:00:00-05:00, or timeOfDay: "09:00"
//	  - id: opened
//	    waitFor:
//	      events: [{event: email.opened, send: hello, next: offer}]
//	      timeout: 3d
//	      onTimeout: nudge
//	  - {id: nudge, send: {channel: sms, template: reminder-sms}}
//	  - {id: warm, if: {condition: contact.leadScore >= 60, then: ask, else: offer}}
//	  - {id: ask, approval: {approvers: sales, timeout: 2d, onApprove: task, onReject: offer}}
//	  - {id: task, salesTask: {title: Call the lead, due: 2d}, next: end}
//	  - {id: offer, send: {channel: email, template: welcome-offer}}
//
// Other kinds: switch {attribute, cases: [{equals, next}], default}, split
// {variants: [{name, weight, next}], holdout: {weight, next}}, webhook
// {action, data, onFailure}, update {set: {attribute: value}}, end: true.
// A target may be "end". Durations are whole units: 30s, 15m, 2h, 3d, 1w.
// Absolute dates are checked against each other and against the maximum
// duration (the machine's TimeoutSeconds): a wait until a date must come
// after policies.start, not after policies.end, and within maxDuration of
// the day the journey opens (the start date, or today when the Library has
// a clock), or contacts would time out while waiting. A wait until a date
// gives the time and its offset: a date alone would be midnight UTC.
//
// Parsed values are plain data: once Check has accepted a Journey, callers
// may read it from many goroutines.
package journey
