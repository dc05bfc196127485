package devserver

import (
	"context"
	"time"

	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/tracking"
)

// TrackRetryQueue is the name of the tracking retry queue in the embedded
// store.
const TrackRetryQueue = "track-retry"

// trackRetry is the local stand-in for the track-retry function and its
// SQS queue: the tracking endpoint queues the opens and clicks whose
// recording or resume failed in the embedded store's queue
// (local.SystemConfig.TrackRetry), and the worker finishes them (record
// once, resume the waits).
type trackRetry struct {
	worker *queue.Worker
	queue  *queue.Store
}

// newTrackRetryQueue is the queue the system's tracking endpoint sends to.
func newTrackRetryQueue(queues store.Queue) *queue.Store {
	return queue.NewStore(queues, TrackRetryQueue, queue.StoreOptions{})
}

// newTrackRetry returns the worker that drains q for sys.
func newTrackRetry(sys *local.System, q *queue.Store) (*trackRetry, error) {
	r, err := tracking.NewRetrier(tracking.RetrierConfig{Store: sys.Store, Tasks: sys.Workflow, Logger: sys.Logger()})
	if err != nil {
		return nil, err
	}
	return &trackRetry{queue: q, worker: &queue.Worker{Receiver: q, Handler: r.Handle, Logger: sys.Logger(), Idle: 100 * time.Millisecond}}, nil
}

// TrackRetryQueue reports the tracking jobs waiting in the retry queue (or
// being run) and those given up on.
func (s *Server) TrackRetryQueue(ctx context.Context) (waiting, dead int, err error) {
	return s.trackRetry.queue.Depth(ctx)
}
