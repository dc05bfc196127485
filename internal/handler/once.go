package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// workKey is the idempotency record key of one kind of work of one step of
// one execution: "<kind>-<hex SHA-256>", short enough for any store key.
func workKey(kind, execution, step string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + execution + "\x00" + step))
	return kind + "-" + hex.EncodeToString(sum[:])
}

// errBusy: another invocation holds the lease on the same work.
var errBusy = errors.New("another invocation is doing this step")

// work is done once per key. It returns the result to store and whether
// to store it (a completed result, or a permanent failure that repeats
// must see), and its error.
type work func(ctx context.Context) (result []byte, store bool, err error)

// once runs w under the idempotency record key: when the record is
// completed it returns the stored result without running w; when another
// invocation holds the lease it raises Journey.Transient (the machine
// retries, and by then finds the result); otherwise it runs w, then
// completes the record or releases it so a retry can run w again.
func (c *call) once(ctx context.Context, key string, w work) (result []byte, done bool, err error) {
	st := c.h.cfg.Store
	rec, err := st.BeginIdempotency(ctx, c.req.BU, key, c.h.cfg.Lease)
	if err != nil {
		return nil, false, c.transient("begin step", err)
	}
	switch rec.State {
	case store.IdempotencyCompleted:
		return rec.Result, true, nil
	case store.IdempotencyInProgress:
		return nil, false, &wire.Error{Name: wire.ErrTransient, Message: errBusy.Error()}
	}
	if rec.TakenOver {
		c.log.WarnContext(ctx, "step taken over from an invocation whose lease expired")
	}
	result, keep, werr := w(ctx)
	if keep {
		if err := st.CompleteIdempotency(ctx, c.req.BU, key, rec.Token, result, c.h.cfg.Keep); err != nil {
			if !errors.Is(err, store.ErrConflict) {
				return result, false, c.transient("complete step", err)
			}
			// The lease ran out while we worked and someone took over; what
			// we did stands, and their result will be the stored one.
			c.log.WarnContext(ctx, "lease lost before the step completed")
		}
		return result, false, werr
	}
	if err := st.ReleaseIdempotency(ctx, c.req.BU, key, rec.Token); err != nil && !errors.Is(err, store.ErrConflict) {
		c.log.WarnContext(ctx, "release step lease", "error", err.Error())
	}
	return result, false, werr
}
