package memory

import (
	"context"
	"fmt"

	"github.com/journeys-oss/journeys/internal/store"
)

// Sweep deletes every record whose expiry has passed (interactions and
// step logs past their retention, callbacks past their grace, idempotency
// records, queue dedupe ids) and returns how many. Reads hide expired
// records without it; it gives their memory back. Appends already drop a
// contact's expired interactions and step logs.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, fmt.Errorf("sweep expired records: %w", err)
	}
	now := s.now()
	removed := 0
	for n := range s.contacts {
		removed += s.sweepShard(&s.contacts[n])
	}
	s.cbs.mu.Lock()
	for _, c := range s.cbs.byID {
		if c.Gone(now) {
			s.cbs.remove(c)
			removed++
		}
	}
	s.cbs.mu.Unlock()
	for n := range s.idem {
		sh := &s.idem[n]
		sh.mu.Lock()
		for k, r := range sh.recs {
			if store.Expired(r.ExpiresAt, now) {
				delete(sh.recs, k)
				removed++
			}
		}
		sh.mu.Unlock()
	}
	s.queues.mu.Lock()
	for _, q := range s.queues.byName {
		for id, d := range q.dedupe {
			if store.Expired(d.expires, now) {
				delete(q.dedupe, id)
				removed++
			}
		}
	}
	s.queues.mu.Unlock()
	return removed, nil
}

// sweepShard drops the expired interactions and step logs of a shard's
// contacts, and the contacts left with nothing.
func (s *Store) sweepShard(sh *contactShard) int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	now, removed := s.now(), 0
	hi, hl := horizonOf(s.cfg.InteractionRetention, now), horizonOf(s.cfg.StepLogRetention, now)
	for _, b := range sh.bus {
		for id, cd := range b.contacts {
			n := 0
			for n < len(cd.interactions) && hi.expired(cd.interactions[n].at) {
				n++
			}
			cd.interactions = cd.interactions[n:]
			m := 0
			for m < len(cd.stepLogs) && hl.expired(cd.stepLogs[m].at) {
				m++
			}
			cd.stepLogs = cd.stepLogs[m:]
			if n+m > 0 && cd.empty() {
				delete(b.contacts, id)
			}
			removed += n + m
		}
	}
	return removed
}
