package store

import (
	"fmt"
	"time"
)

// IdempotencyState is the answer of BeginIdempotency.
type IdempotencyState string

// Idempotency states.
const (
	// IdempotencyNew: the caller holds the lease (Token) and must do the
	// work, then Complete or Release.
	IdempotencyNew IdempotencyState = "new"
	// IdempotencyInProgress: someone else holds an unexpired lease.
	IdempotencyInProgress IdempotencyState = "inProgress"
	// IdempotencyCompleted: the work was done; Result is what it returned.
	IdempotencyCompleted IdempotencyState = "completed"
)

// An Idempotency record guards one piece of work by key.
type Idempotency struct {
	Key   string           `json:"key"`
	State IdempotencyState `json:"state"`
	// Token identifies the lease holder (State new only).
	Token string `json:"token,omitempty"`
	// TakenOver is true when the lease was taken from an expired holder.
	TakenOver  bool      `json:"takenOver,omitempty"`
	Result     []byte    `json:"result,omitempty"`
	LeaseUntil time.Time `json:"leaseUntil,omitzero"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// DefaultIdempotencyKeep is how long a completed record is kept when
// CompleteIdempotency is given no duration.
const DefaultIdempotencyKeep = 24 * time.Hour

// BeginIdempotency decides a Begin on the stored record have (nil when
// there is none) at now. It returns the answer, and the record to store
// when the caller gets the lease (nil otherwise).
func BeginIdempotency(have *Idempotency, key string, lease time.Duration, now time.Time) (answer Idempotency, write *Idempotency) {
	now = UTC(now)
	if have != nil && !Expired(have.ExpiresAt, now) {
		answer = Idempotency{Key: key, State: have.State, ExpiresAt: have.ExpiresAt}
		if have.State == IdempotencyCompleted {
			answer.Result = have.Result
		} else {
			answer.LeaseUntil = have.LeaseUntil
		}
		return answer, nil
	}
	until := now.Add(lease)
	rec := Idempotency{Key: key, State: IdempotencyInProgress, Token: NewID("t-"), LeaseUntil: until, ExpiresAt: until}
	answer = rec
	answer.State = IdempotencyNew
	answer.TakenOver = have != nil && have.State == IdempotencyInProgress
	return answer, &rec
}

// Holds returns ErrConflict unless the record is in progress under token
// with an unexpired lease.
func (r Idempotency) Holds(token string, now time.Time) error {
	if r.State != IdempotencyInProgress || r.Token != token || Expired(r.LeaseUntil, now) {
		return fmt.Errorf("idempotency lease not held: %w", ErrConflict)
	}
	return nil
}

// CheckLease is Holds on the stored record have, nil when there is none
// (which no token holds: ErrConflict).
func CheckLease(have *Idempotency, token string, now time.Time) error {
	if have == nil {
		return fmt.Errorf("idempotency lease not held: %w", ErrConflict)
	}
	return have.Holds(token, now)
}

// Complete returns the completed record holding result, kept for keep.
func (r Idempotency) Complete(result []byte, keep time.Duration, now time.Time) Idempotency {
	if keep <= 0 {
		keep = DefaultIdempotencyKeep
	}
	return Idempotency{Key: r.Key, State: IdempotencyCompleted, Result: result, ExpiresAt: UTC(now).Add(keep)}
}
