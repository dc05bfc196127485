// Package segment owns journey conditions: the CEL environment over a
// contact, its interactions and the journey's trigger event; compiling
// conditions against a business unit's contact schema; evaluating them at
// run time; and segments (a condition or a static list of contact ids).
//
// # The CEL environment
//
// Variables:
//   - contact: the contact's declared attributes, typed by the contact
//     schema (contact.firstName, contact.leadScore, ...). An attribute the
//     contact lacks reads as the zero value of its type ("", 0, 0.0, false,
//     the Unix epoch, []); has(contact.x) tells whether it is set.
//   - interactions: a list of interactions, each with type (email.sent,
//     email.delivered, email.opened, email.clicked, sms.sent,
//     form.submitted, or a custom event name), channel, at (timestamp),
//     journey, step, template, form and url (strings; "" when unknown).
//   - event: the trigger event as a map: name, at, and its attributes.
//   - now: the evaluation time.
//
// Functions and macros for interactions ("opened an email in the last 30
// days" is opened(days(30))):
//   - days(n), hours(n): a duration of n days or hours.
//   - opened(d), clicked(d), received(d), submitted(d): whether the contact
//     opened or clicked an email, received any message, or submitted a
//     form within d before now.
//   - happened(type, d): whether an interaction of that type happened
//     within d; times(type, d): how many did.
//
// A Condition is compiled once and is safe for concurrent use by many
// goroutines.
package segment
