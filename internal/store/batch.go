package store

import (
	"errors"
	"fmt"
)

// BatchOutcome says what a batch write did with one of its items.
type BatchOutcome string

// Batch outcomes. Every outcome but created and updated comes with the
// item's error, which wraps the sentinel named.
const (
	BatchCreated    BatchOutcome = "created"    // a new record
	BatchUpdated    BatchOutcome = "updated"    // merged into an existing record
	BatchExists     BatchOutcome = "exists"     // ErrExists: the enrolment was made before
	BatchSuppressed BatchOutcome = "suppressed" // ErrSuppressed: the address may not be imported
	BatchInvalid    BatchOutcome = "invalid"    // ErrInvalid: the item is malformed
	BatchConflict   BatchOutcome = "conflict"   // ErrConflict or ErrEmailTaken
	BatchNotFound   BatchOutcome = "notFound"   // ErrNotFound: ExpectRevision of a missing contact
)

// A BatchResult is the outcome of the item at the same index of a batch.
type BatchResult struct {
	// ID is the id of the contact written (created or matched) in a
	// contact batch; empty when the item was not written, and in an
	// enrolment batch (the item itself names the enrolment).
	ID      string
	Outcome BatchOutcome
	// Err is nil when the item was written, else the item's error.
	Err error
}

// Written reports whether the item was stored (created or updated).
func (r BatchResult) Written() bool { return r.Err == nil }

// BatchItem turns the result of one item of a batch into a BatchResult. ok
// is false when err is not a decision about the item but a failure of the
// store (the database, the context): the batch then stops with err.
func BatchItem(id string, created bool, err error) (r BatchResult, ok bool) {
	r = BatchResult{ID: id, Err: err}
	switch {
	case err == nil && created:
		r.Outcome = BatchCreated
	case err == nil:
		r.Outcome = BatchUpdated
	case errors.Is(err, ErrExists):
		r.Outcome = BatchExists
	case errors.Is(err, ErrSuppressed):
		r.Outcome = BatchSuppressed
	case errors.Is(err, ErrInvalid):
		r.Outcome = BatchInvalid
	case errors.Is(err, ErrConflict), errors.Is(err, ErrEmailTaken):
		r.Outcome = BatchConflict
	case errors.Is(err, ErrNotFound):
		r.Outcome = BatchNotFound
	default:
		return BatchResult{}, false
	}
	return r, true
}

// PrepareInteractions validates a batch of interactions for bu and fills
// their ids, UTC times and expiries (Interaction.Prepare). One malformed
// item fails the batch with ErrInvalid naming its index, so that nothing
// is written.
func PrepareInteractions(bu string, is []Interaction, cfg Config) ([]Interaction, error) {
	if err := CheckID("bu", bu); err != nil {
		return nil, err
	}
	out := make([]Interaction, len(is))
	for n, i := range is {
		p, err := i.Prepare(bu, cfg)
		if err != nil {
			return nil, fmt.Errorf("interaction %d: %w", n, err)
		}
		out[n] = p
	}
	return out, nil
}
