package store

import (
	"context"
	"time"
)

// Queue is the work queue of the local runtime (durable in the embedded
// adapter, in memory in the memory adapter). Deployments use Amazon SQS
// (with a redrive policy) instead: the DynamoDB adapter does not implement
// Queue. Delivery is at least once; a message received more than
// MaxAttempts times without being deleted moves to the queue's dead letters.
type Queue interface {
	// Enqueue adds a message; with a DedupeID already enqueued within
	// DedupeWindow it adds nothing and returns the first message's id and
	// duplicate true.
	Enqueue(ctx context.Context, queue string, body []byte, o EnqueueOptions) (id string, duplicate bool, err error)
	// Receive returns up to max visible messages, oldest first, hiding each
	// for visibility. A message whose attempts exceed maxAttempts moves to
	// the dead letters instead of being returned.
	Receive(ctx context.Context, queue string, max int, visibility time.Duration, maxAttempts int) ([]Message, error)
	// DeleteMessage removes a received message: ErrConflict when the
	// receipt is stale (the message was received again since), ErrNotFound.
	DeleteMessage(ctx context.Context, queue, receipt string) error
	// RetryMessage makes a received message visible again after delay.
	RetryMessage(ctx context.Context, queue, receipt string, delay time.Duration) error
	// QueueDepth counts the messages waiting (visible or not) and dead.
	QueueDepth(ctx context.Context, queue string) (waiting, dead int, err error)
	// DeadLetters lists a page of the queue's dead letters, oldest first.
	DeadLetters(ctx context.Context, queue, cursor string, limit int) (Page[Message], error)
	// Redrive moves dead letters (all when ids is empty) back to the queue
	// with their attempts reset, and returns how many moved.
	Redrive(ctx context.Context, queue string, ids []string) (int, error)
}

// DedupeWindow is how long Enqueue remembers a DedupeID (as SQS FIFO does).
const DedupeWindow = 5 * time.Minute

// EnqueueOptions are Enqueue's optional settings.
type EnqueueOptions struct {
	DedupeID string
	Delay    time.Duration
}

// A Message is a queued body. Receipt is set on received messages: it
// deletes or retries this delivery only.
type Message struct {
	ID         string    `json:"id"`
	Queue      string    `json:"queue"`
	Body       []byte    `json:"body"`
	DedupeID   string    `json:"dedupeId,omitempty"`
	Attempts   int       `json:"attempts"`
	EnqueuedAt time.Time `json:"enqueuedAt"`
	VisibleAt  time.Time `json:"visibleAt"`
	Receipt    string    `json:"receipt,omitempty"`
	DeadAt     time.Time `json:"deadAt,omitzero"`
}

// KV is a small key-value store for the local Step Functions engine's
// execution snapshots. The embedded and memory adapters implement it.
type KV interface {
	// PutKV creates or replaces a value.
	PutKV(ctx context.Context, key string, value []byte) error
	// GetKV returns a value, or ErrNotFound.
	GetKV(ctx context.Context, key string) ([]byte, error)
	// DeleteKV removes a value (absent keys are fine).
	DeleteKV(ctx context.Context, key string) error
	// ListKV returns a page of the pairs whose key has the prefix, by key.
	ListKV(ctx context.Context, prefix, cursor string, limit int) (Page[KVPair], error)
}

// KVPair is one key and its value.
type KVPair struct {
	Key   string
	Value []byte
}
