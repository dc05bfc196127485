package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// Store adapter defaults.
const (
	DefaultVisibility  = 2 * time.Minute
	DefaultMaxAttempts = 5
)

// Store is a Queue over the embedded store's queue (store.Queue), as the
// local runtime uses it. Messages received more than MaxAttempts times go
// to the store's dead letters (store.Queue.DeadLetters, Redrive). It is
// safe for concurrent use.
type Store struct {
	q           store.Queue
	name        string
	visibility  time.Duration
	maxAttempts int
}

// StoreOptions configure NewStore; zero fields take the defaults.
type StoreOptions struct {
	// Visibility hides a received message for this long.
	Visibility time.Duration
	// MaxAttempts bounds deliveries before a message is dead-lettered.
	MaxAttempts int
}

// NewStore returns the queue called name in q.
func NewStore(q store.Queue, name string, o StoreOptions) *Store {
	if o.Visibility <= 0 {
		o.Visibility = DefaultVisibility
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	return &Store{q: q, name: name, visibility: o.Visibility, maxAttempts: o.MaxAttempts}
}

var _ Queue = (*Store)(nil)

// Name returns the queue's name in the store.
func (s *Store) Name() string { return s.name }

// Send implements Sender.
func (s *Store) Send(ctx context.Context, body []byte, o SendOptions) (string, bool, error) {
	id, dup, err := s.q.Enqueue(ctx, s.name, body, store.EnqueueOptions{DedupeID: o.DedupeID, Delay: o.Delay})
	if err != nil {
		return "", false, fmt.Errorf("send to %s: %w", s.name, err)
	}
	return id, dup, nil
}

// Receive implements Receiver.
func (s *Store) Receive(ctx context.Context, max int) ([]Message, error) {
	ms, err := s.q.Receive(ctx, s.name, max, s.visibility, s.maxAttempts)
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = Message{ID: m.ID, Body: m.Body, Receipt: m.Receipt, Attempts: m.Attempts}
	}
	return out, nil
}

// Delete implements Receiver.
func (s *Store) Delete(ctx context.Context, m Message) error {
	return storeErr(s.q.DeleteMessage(ctx, s.name, m.Receipt))
}

// Retry implements Receiver.
func (s *Store) Retry(ctx context.Context, m Message, delay time.Duration) error {
	return storeErr(s.q.RetryMessage(ctx, s.name, m.Receipt, delay))
}

// Depth returns how many messages wait (visible or not) and how many are dead.
func (s *Store) Depth(ctx context.Context) (waiting, dead int, err error) {
	return s.q.QueueDepth(ctx, s.name)
}

func storeErr(err error) error {
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrStaleReceipt, err)
	}
	return err
}
