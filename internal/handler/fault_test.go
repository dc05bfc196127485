package handler_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/channel/channeltest"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// TestExactlyOnceUnderFaults sends 1,000 messages through the real
// webhook provider while the provider fails requests (5xx, 429, answers
// lost to timeouts) and every send is invoked several times, concurrently
// and again afterwards, as Lambda and Step Functions retries do. The
// provider, which verifies every signature, must end with exactly 1,000
// messages, each idempotency key delivered once.
func TestExactlyOnceUnderFaults(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	faults := func(key string, attempt int) channeltest.Fault {
		h := int(key[0]) + int(key[1])
		switch {
		case attempt == 1 && h%5 == 0:
			return channeltest.Status500
		case attempt == 1 && h%7 == 0:
			return channeltest.Hang // taken, but the answer is lost
		case attempt == 2 && h%11 == 0:
			return channeltest.Status429
		}
		return channeltest.None
	}
	f := newFixture(t, fixtureOptions{faults: faults, timeout: 150 * time.Millisecond})
	j := f.publish(journeyYAML("bulk", "", sendSteps))
	ctx := context.Background()
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("c%04d", i)
		f.contact("acme", id, nil)
		f.enrol("acme", j, id)
	}
	// invoke retries a task as a Step Functions Retry does on
	// Journey.Transient, until it answers. Where Step Functions would back
	// off while another invocation holds the step, it waits for that one
	// to answer (the test uses no sleeps).
	var mu sync.Mutex
	answered := map[string]chan struct{}{}
	doneOf := func(id string) chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		if answered[id] == nil {
			answered[id] = make(chan struct{})
		}
		return answered[id]
	}
	invoke := func(id string) (wire.StepResult, error) {
		done := doneOf(id)
		for attempt := 0; ; attempt++ {
			res, err := f.h.Send(ctx, req("acme", j, id, wire.OpSend, "hello"))
			if errName(err) != wire.ErrTransient || attempt > 20 {
				mu.Lock()
				select {
				case <-done:
				default:
					close(done)
				}
				mu.Unlock()
				return res, err
			}
			if strings.Contains(err.Error(), "another invocation") {
				<-done
			}
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	sem := make(chan struct{}, 16)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("c%04d", i)
		copies := 1 + i%3 // 1 to 3 concurrent invocations of the same task
		for k := 0; k < copies; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				if res, err := invoke(id); err != nil || res.Status != "sent" {
					errs <- fmt.Errorf("%s: %+v, %v", id, res, err)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Sequential duplicates afterwards find the stored result.
	for i := 0; i < n; i += 10 {
		if res, err := invoke(fmt.Sprintf("c%04d", i)); err != nil || res.Status != "sent" {
			t.Errorf("late duplicate: %+v, %v", res, err)
		}
	}
	st := f.provider.Stats()
	msgs := f.provider.Messages()
	byContact := map[string]int{}
	for _, m := range msgs {
		byContact[m.Contact]++
	}
	dups := 0
	for _, c := range byContact {
		if c > 1 {
			dups += c - 1
		}
	}
	if st.Delivered != n || len(byContact) != n || dups != 0 || st.Rejected != 0 {
		t.Errorf("provider: %+v, %d contacts, %d duplicates; want %d delivered once each", st, len(byContact), dups, n)
	}
	sent, err := f.store.Funnel(ctx, "acme", j)
	if err != nil || len(sent) != 1 || sent[0].Count != int64(n) {
		t.Errorf("funnel %+v, %v", sent, err)
	}
	t.Logf("%d messages, %d provider requests (retries included), 0 duplicates", st.Delivered, st.Requests)
	_ = store.StepSent
}
