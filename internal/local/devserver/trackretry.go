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
// recording or resume failed in the embedded store's queue, and the
// worker finishes them (record once, resume the waits).
type trackRetry struct {
	worker *queue.Worker
	queue  *queue.Store
}

// newTrackRetry makes the system's tracking endpoint one with a retry
// queue, and the worker that drains it.
func newTrackRetry(sys *local.System, queues store.Queue) (*trackRetry, error) {
	q := queue.NewStore(queues, TrackRetryQueue, queue.StoreOptions{})
	h, err := tracking.New(tracking.Config{
		Store: sys.Store, Links: sys.Renderers, Settings: sys.Settings, Secrets: sys.Secrets,
		Tasks: sys.Workflow, Now: sys.Now, Logger: sys.Logger(), Retry: q,
	})
	if err != nil {
		return nil, err
	}
	r, err := tracking.NewRetrier(tracking.RetrierConfig{Store: sys.Store, Tasks: sys.Workflow, Logger: sys.Logger()})
	if err != nil {
		return nil, err
	}
	sys.Tracking = h
	return &trackRetry{queue: q, worker: &queue.Worker{Receiver: q, Handler: r.Handle, Logger: sys.Logger(), Idle: 100 * time.Millisecond}}, nil
}

// TrackRetryQueue reports the tracking jobs waiting in the retry queue (or
// being run) and those given up on.
func (s *Server) TrackRetryQueue(ctx context.Context) (waiting, dead int, err error) {
	return s.trackRetry.queue.Depth(ctx)
}
