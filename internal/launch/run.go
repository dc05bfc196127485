package launch

import (
	"context"
	"errors"
	"sync"

	"github.com/journeys-oss/journeys/internal/wire"
)

// Run runs a launch in this process, as the segment-launch machine does:
// plan, every shard's pages in parallel up to MaxPages, report, and again
// with the continuation until the launch is done. A page task that fails is
// tried three times (the machine's Retry) before the iteration records the
// failure. It returns the final report.
func Run(ctx context.Context, l *Launcher, s State) (State, error) {
	for {
		var err error
		if s, err = l.Plan(ctx, s); err != nil {
			return s, err
		}
		s.Iterations = make([]PageState, len(s.Shards))
		var wg sync.WaitGroup
		for i, sh := range s.Shards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.Iterations[i] = iterate(ctx, l, iteration(s, sh))
			}()
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return s, err
		}
		if s, err = l.Report(ctx, s); err != nil || s.Done {
			return s, err
		}
		s = *s.Next
	}
}

// iteration is the Map's ItemSelector: the launch settings and one shard.
func iteration(s State, sh Shard) PageState {
	return PageState{V: s.V, BU: s.BU, Journey: s.Journey, Launch: s.Launch, Version: s.Version, Rate: s.ShardRate,
		Segments: s.Segments, PageSize: s.PageSize, MaxPages: s.MaxPages, Shard: sh}
}

// iterate is the Map's iteration: pages until the shard is done or the
// page budget of the execution is spent.
func iterate(ctx context.Context, l *Launcher, it PageState) PageState {
	for {
		next, err := retried(ctx, func() (PageState, error) { return l.Page(ctx, it) })
		if err != nil {
			it.Failure = &TaskFailure{Error: errorName(err), Cause: err.Error()}
			return it
		}
		it = next
		if it.Shard.Done || it.Pages >= it.MaxPages {
			return it
		}
	}
}

// retried calls f up to three times, as the machine's Retry does, except
// for errors a retry cannot fix.
func retried(ctx context.Context, f func() (PageState, error)) (PageState, error) {
	var it PageState
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if it, err = f(); err == nil || ctx.Err() != nil {
			return it, err
		}
		var named *wire.Error
		if errors.As(err, &named) && named.Name == wire.ErrInvalidPayload {
			return it, err
		}
	}
	return it, err
}

func errorName(err error) string {
	var named *wire.Error
	if errors.As(err, &named) {
		return named.Name
	}
	return "Launch.PageFailed"
}
