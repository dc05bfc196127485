package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

// The queue keeps each message once in bQueue, indexed by the time it
// becomes visible in bQueueVisible; dead letters move to bQueueDead.
// Message ids come from a bucket sequence, so messages enqueued at the same
// instant still leave in order.

func visibleKey(m store.Message) []byte {
	return key(m.Queue, store.SortableTime(m.VisibleAt), m.ID)
}

// Enqueue implements store.Queue.
func (s *Store) Enqueue(ctx context.Context, queue string, body []byte, o store.EnqueueOptions) (string, bool, error) {
	var id string
	var dup bool
	err := store.CheckID("queue", queue)
	if err == nil && o.DedupeID != "" {
		err = store.CheckID("dedupe id", o.DedupeID)
	}
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			now := store.UTC(s.now())
			dk := key(queue, o.DedupeID)
			if o.DedupeID != "" {
				var d dedupe
				if err := getJSON(tx.Bucket(bQueueDedupe), dk, &d); err == nil && !store.Expired(d.ExpiresAt, now) {
					id, dup = d.ID, true
					return nil
				}
			}
			seq, err := tx.Bucket(bQueue).NextSequence()
			if err != nil {
				return err
			}
			id = fmt.Sprintf("m-%016d", seq)
			m := store.Message{ID: id, Queue: queue, Body: body, DedupeID: o.DedupeID, EnqueuedAt: now, VisibleAt: now.Add(o.Delay)}
			if o.DedupeID != "" {
				d := dedupe{ID: id, ExpiresAt: now.Add(store.DedupeWindow)}
				if err := putJSON(tx.Bucket(bQueueDedupe), dk, d); err != nil {
					return err
				}
				if err := indexExpiry(tx, bQueueDedupe, dk, d.ExpiresAt); err != nil {
					return err
				}
			}
			return putMessage(tx, m)
		})
	}
	if err != nil {
		return "", false, fmt.Errorf("enqueue on %s: %w", queue, err)
	}
	return id, dup, nil
}

// dedupe remembers a DedupeID for DedupeWindow.
type dedupe struct {
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func putMessage(tx *bolt.Tx, m store.Message) error {
	if err := tx.Bucket(bQueueVisible).Put(visibleKey(m), nil); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bQueue), key(m.Queue, m.ID), m)
}

func deleteMessage(tx *bolt.Tx, m store.Message) error {
	if err := tx.Bucket(bQueueVisible).Delete(visibleKey(m)); err != nil {
		return err
	}
	return tx.Bucket(bQueue).Delete(key(m.Queue, m.ID))
}

// Receive implements store.Queue.
func (s *Store) Receive(ctx context.Context, queue string, max int, visibility time.Duration, maxAttempts int) ([]store.Message, error) {
	var out []store.Message
	err := store.CheckID("queue", queue)
	if err == nil && max < 1 {
		err = fmt.Errorf("receive %d messages: %w", max, store.ErrInvalid)
	}
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			now := store.UTC(s.now())
			var due []store.Message
			_, err := scan(tx.Bucket(bQueueVisible), prefix(queue), nil, false, func(k, _ []byte) (bool, error) {
				p := splitKey(k)
				if p[1] > store.SortableTime(now) {
					return false, nil
				}
				var m store.Message
				if err := getJSON(tx.Bucket(bQueue), key(queue, p[2]), &m); err != nil {
					return false, err
				}
				due = append(due, m)
				if maxAttempts <= 0 || m.Attempts < maxAttempts {
					out = append(out, m)
				}
				return len(out) < max, nil
			})
			if err != nil {
				return err
			}
			out = out[:0]
			for _, m := range due {
				if err := deleteMessage(tx, m); err != nil {
					return err
				}
				if maxAttempts > 0 && m.Attempts >= maxAttempts {
					m.DeadAt, m.Receipt = now, ""
					if err := putJSON(tx.Bucket(bQueueDead), key(queue, store.SortableTime(now), m.ID), m); err != nil {
						return err
					}
					continue
				}
				m.Attempts++
				m.Receipt = m.ID + "." + store.NewID("")
				m.VisibleAt = now.Add(visibility)
				if err := putMessage(tx, m); err != nil {
					return err
				}
				out = append(out, m)
			}
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("receive from %s: %w", queue, err)
	}
	return out, nil
}

// withReceipt loads the message a receipt belongs to: ErrNotFound when it
// is gone, ErrConflict when it was received again since.
func withReceipt(tx *bolt.Tx, queue, receipt string) (store.Message, error) {
	var m store.Message
	id, _, ok := strings.Cut(receipt, ".")
	if !ok {
		return m, fmt.Errorf("receipt: %w", store.ErrInvalid)
	}
	if err := getJSON(tx.Bucket(bQueue), key(queue, id), &m); err != nil {
		return m, err
	}
	if m.Receipt != receipt {
		return m, fmt.Errorf("stale receipt: %w", store.ErrConflict)
	}
	return m, nil
}

// DeleteMessage implements store.Queue.
func (s *Store) DeleteMessage(ctx context.Context, queue, receipt string) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		m, err := withReceipt(tx, queue, receipt)
		if err != nil {
			return err
		}
		return deleteMessage(tx, m)
	})
	return wrap("delete message from "+queue, err)
}

// RetryMessage implements store.Queue.
func (s *Store) RetryMessage(ctx context.Context, queue, receipt string, delay time.Duration) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		m, err := withReceipt(tx, queue, receipt)
		if err != nil {
			return err
		}
		if err := deleteMessage(tx, m); err != nil {
			return err
		}
		m.VisibleAt = store.UTC(s.now()).Add(delay)
		return putMessage(tx, m)
	})
	return wrap("retry message on "+queue, err)
}

// QueueDepth implements store.Queue.
func (s *Store) QueueDepth(ctx context.Context, queue string) (int, int, error) {
	var waiting, dead int
	err := s.view(ctx, func(tx *bolt.Tx) error {
		for _, c := range []struct {
			b []byte
			n *int
		}{{bQueue, &waiting}, {bQueueDead, &dead}} {
			_, err := scan(tx.Bucket(c.b), prefix(queue), nil, false, func(_, _ []byte) (bool, error) {
				*c.n++
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return waiting, dead, wrap("depth of "+queue, err)
}

// DeadLetters implements store.Queue.
func (s *Store) DeadLetters(ctx context.Context, queue, cursor string, limit int) (store.Page[store.Message], error) {
	var page store.Page[store.Message]
	pfx := prefix(queue)
	after, err := decodeCursor(cursor, pfx)
	if err == nil {
		limit = store.PageLimit(limit)
		err = s.view(ctx, func(tx *bolt.Tx) error {
			next, err := scan(tx.Bucket(bQueueDead), pfx, after, false, func(_, v []byte) (bool, error) {
				var m store.Message
				if err := json.Unmarshal(v, &m); err != nil {
					return false, err
				}
				page.Items = append(page.Items, m)
				return len(page.Items) < limit, nil
			})
			page.Next = encodeCursor(next)
			return err
		})
	}
	if err != nil {
		return store.Page[store.Message]{}, fmt.Errorf("dead letters of %s: %w", queue, err)
	}
	return page, nil
}

// Redrive implements store.Queue.
func (s *Store) Redrive(ctx context.Context, queue string, ids []string) (int, error) {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	moved := 0
	err := s.update(ctx, func(tx *bolt.Tx) error {
		now := store.UTC(s.now())
		dead := tx.Bucket(bQueueDead)
		var keys [][]byte
		var msgs []store.Message
		_, err := scan(dead, prefix(queue), nil, false, func(k, v []byte) (bool, error) {
			var m store.Message
			if err := json.Unmarshal(v, &m); err != nil {
				return false, err
			}
			if len(want) == 0 || want[m.ID] {
				keys, msgs = append(keys, bytes.Clone(k)), append(msgs, m)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		for i, m := range msgs {
			m.Attempts, m.DeadAt, m.Receipt, m.VisibleAt = 0, time.Time{}, "", now
			if err := dead.Delete(keys[i]); err != nil {
				return err
			}
			if err := putMessage(tx, m); err != nil {
				return err
			}
			moved++
		}
		return nil
	})
	return moved, wrap("redrive "+queue, err)
}
