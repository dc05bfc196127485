// Package queue is the durable work queue between the receiving side of a
// webhook (which must answer fast) and the worker that does the slow part.
//
// It owns the Queue interface and two adapters: SQS (Amazon SQS through
// aws-sdk-go-v2, for deployments; FIFO queues get their deduplication id and
// message group) and Store (the embedded store's queue, for the local
// runtime, with visibility timeouts, attempts and dead letters). It also owns
// the two ways of draining a queue into a Handler: Batch, which answers an
// SQS event source with partial batch failures (in Lambda), and Worker,
// which polls a Receiver (locally), retrying failures with backoff until the
// message is dead-lettered.
//
// Delivery is at least once everywhere: handlers must be idempotent. What
// the message means is left to the caller.
package queue

import (
	"context"
	"errors"
	"time"
)

// A Message is one delivery of a queued body. Receipt identifies this
// delivery for Delete and Retry; Attempts counts deliveries, this one
// included.
type Message struct {
	ID       string
	Body     []byte
	Receipt  string
	Attempts int
}

// SendOptions are Send's optional settings.
type SendOptions struct {
	// DedupeID drops a second send with the same id within the queue's
	// deduplication window (SQS FIFO: 5 minutes; the store queue: the
	// same). Standard SQS queues ignore it.
	DedupeID string
	// Group orders messages of one group (SQS FIFO only); the DedupeID
	// when empty.
	Group string
	// Delay hides the message for a while (at most 15 minutes on SQS).
	Delay time.Duration
}

// A Sender enqueues messages.
type Sender interface {
	// Send enqueues body and returns the message id. duplicate is true
	// when the queue recognised DedupeID and added nothing (only the store
	// queue can tell; SQS reports false).
	Send(ctx context.Context, body []byte, o SendOptions) (id string, duplicate bool, err error)
}

// A Receiver hands out messages for processing.
type Receiver interface {
	// Receive returns up to max messages, each hidden from other
	// receivers until it is deleted or its visibility timeout passes.
	Receive(ctx context.Context, max int) ([]Message, error)
	// Delete removes a processed message. A stale receipt (the message was
	// delivered again since) gives ErrStaleReceipt.
	Delete(ctx context.Context, m Message) error
	// Retry makes a message visible again after delay.
	Retry(ctx context.Context, m Message, delay time.Duration) error
}

// Queue is both halves.
type Queue interface {
	Sender
	Receiver
}

// ErrStaleReceipt: the receipt no longer identifies the latest delivery.
var ErrStaleReceipt = errors.New("queue: stale receipt")

// A Handler processes one message. A nil error deletes it; an error leaves
// it to be delivered again (and eventually dead-lettered).
type Handler func(ctx context.Context, m Message) error
