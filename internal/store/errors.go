package store

import "errors"

// Sentinel errors. Adapters wrap them with the operation and ids
// (fmt.Errorf("get contact %s: %w", id, ErrNotFound)); callers test them with
// errors.Is.
var (
	// ErrNotFound: the record does not exist in this business unit (or it
	// has expired).
	ErrNotFound = errors.New("not found")
	// ErrExists: a create-only write found the record already there (an
	// enrolment for the same journey, contact and entry; a journey version
	// number; an approval or API key id).
	ErrExists = errors.New("already exists")
	// ErrConflict: a conditional update lost: the revision changed since it
	// was read, the approval was already decided, the callback was already
	// claimed, the idempotency lease is held by someone else, the enrolment
	// already ended differently.
	ErrConflict = errors.New("conflict")
	// ErrExpired: the approval or callback has passed its expiry.
	ErrExpired = errors.New("expired")
	// ErrSuppressed: the email address or phone number is suppressed (hard
	// bounce, complaint, erased contact): it may not be imported again.
	ErrSuppressed = errors.New("address suppressed")
	// ErrEmailTaken: another contact of the business unit already has this
	// email address.
	ErrEmailTaken = errors.New("email address belongs to another contact")
	// ErrInvalid: an argument is malformed (empty bu or id, unknown kind or
	// status, a cursor from another query, a record too large).
	ErrInvalid = errors.New("invalid argument")
)
