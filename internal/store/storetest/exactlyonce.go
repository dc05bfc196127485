package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// racers is how many goroutines race for each conditional write.
const racers = 50

// RunExactlyOnce races goroutines on every conditional write and proves
// exactly one wins each time. Run it only where the backend makes
// conditional writes atomic: the embedded store (one bbolt write
// transaction each), the memory store (locks) and real DynamoDB, not moto,
// which does not. Run it with -race.
func RunExactlyOnce(t *testing.T, open Open) {
	for _, c := range []struct {
		name string
		fn   func(*env)
	}{
		{"BeginIdempotency", raceBegin},
		{"CreateEnrolment", raceEnrol},
		{"DecideApproval", raceDecide},
		{"ClaimCallback", raceClaim},
		{"UpsertContactByEmail", raceUpsertByEmail},
		{"UpsertContactRevision", raceRevision},
		{"IncrementFunnel", raceFunnel},
		{"CreateSalesTask", raceSalesTask},
		{"CreateEnrolments", raceBatchEnrol},
		{"UpsertContactsByEmail", raceBatchUpsert},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(setup(t, open)) })
	}
}

// race runs fn in racers goroutines at once and returns their errors.
func race(fn func(i int) error) []error {
	errs := make([]error, racers)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for i := range racers {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			errs[i] = fn(i)
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
	return errs
}

// oneWinner fails unless exactly one error is nil and all others are loser.
func oneWinner(t *testing.T, what string, errs []error, loser error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, loser):
			t.Fatalf("%s: unexpected error %v", what, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%s: %d winners of %d, want exactly 1", what, wins, len(errs))
	}
}

var errLost = errors.New("lost")

func raceBegin(e *env) {
	errs := race(func(int) error {
		r, err := e.s.BeginIdempotency(e.ctx, bu, "send:exec-1:s1", time.Minute)
		if err == nil && r.State != store.IdempotencyNew {
			return errLost
		}
		return err
	})
	oneWinner(e.t, "begin", errs, errLost)
}

func raceEnrol(e *env) {
	errs := race(func(i int) error {
		_, err := e.s.CreateEnrolment(e.ctx, bu, store.Enrolment{Journey: "welcome", Contact: "c-1", Entry: "e-1", Version: 1, Execution: fmt.Sprint("exec-", i)})
		return err
	})
	oneWinner(e.t, "enrol", errs, store.ErrExists)
}

func raceDecide(e *env) {
	a := ok(e.s.CreateApproval(e.ctx, bu, store.Approval{Kind: store.ApprovalStep, ExpiresAt: start.Add(time.Hour)}))(e.t)
	var mu sync.Mutex
	var winner string
	errs := race(func(i int) error {
		d, err := e.s.DecideApproval(e.ctx, bu, a.ID, store.Decision{Approved: i%2 == 0, Responder: fmt.Sprint("r-", i)})
		if err == nil {
			mu.Lock()
			winner = d.Responder
			mu.Unlock()
		}
		return err
	})
	oneWinner(e.t, "decide", errs, store.ErrConflict)
	if got := ok(e.s.GetApproval(e.ctx, bu, a.ID))(e.t); got.Responder != winner {
		e.t.Fatalf("stored responder %q, the winner was %q", got.Responder, winner)
	}
}

func raceClaim(e *env) {
	c := ok(e.s.CreateCallback(e.ctx, bu, store.Callback{Kind: store.CallbackEvent, Token: "TOKEN", Execution: "x", Contact: "c-1", Journey: "j", Step: "s", Events: []string{"e"}, ExpiresAt: start.Add(time.Hour)}))(e.t)
	errs := race(func(int) error {
		got, err := e.s.ClaimCallback(e.ctx, bu, c.ID)
		if err == nil && got.Token != "TOKEN" {
			return fmt.Errorf("claimed token %q", got.Token)
		}
		return err
	})
	oneWinner(e.t, "claim", errs, store.ErrConflict)
}

func raceUpsertByEmail(e *env) {
	ids := make([]string, racers)
	created := make([]bool, racers)
	errs := race(func(i int) error {
		c, cr, err := e.s.UpsertContactByEmail(e.ctx, bu, store.ContactPatch{Email: store.String("Race@Example.com"), Attributes: map[string]store.Value{fmt.Sprint("a", i): store.NumberValue(float64(i))}})
		ids[i], created[i] = c.ID, cr
		if err == nil && !cr {
			return errLost
		}
		return err
	})
	oneWinner(e.t, "create by email", errs, errLost)
	for _, id := range ids {
		if id != ids[0] {
			e.t.Fatalf("one address became contacts %s and %s", ids[0], id)
		}
	}
	c := ok(e.s.GetContact(e.ctx, bu, ids[0]))(e.t)
	if len(c.Attributes) != racers || c.Revision != racers {
		e.t.Fatalf("merged %d attributes in %d revisions, want %d: a racing merge dropped a write", len(c.Attributes), c.Revision, racers)
	}
}

func raceRevision(e *env) {
	c := ok(e.s.UpsertContact(e.ctx, bu, store.ContactPatch{ID: "c-1", FirstName: store.String("A")}))(e.t)
	errs := race(func(i int) error {
		_, err := e.s.UpsertContact(e.ctx, bu, store.ContactPatch{ID: "c-1", ExpectRevision: c.Revision, LastName: store.String(fmt.Sprint(i))})
		return err
	})
	oneWinner(e.t, "conditional upsert", errs, store.ErrConflict)
}

func raceFunnel(e *env) {
	errs := race(func(int) error { return e.s.IncrementFunnel(e.ctx, bu, "welcome", 1, "s1", "sent", 1) })
	for _, err := range errs {
		noErr(e.t, err)
	}
	same(e.t, "funnel", ok(e.s.Funnel(e.ctx, bu, "welcome"))(e.t), []store.FunnelCount{{Version: 1, Step: "s1", Outcome: "sent", Count: racers}})
}

func raceSalesTask(e *env) {
	errs := race(func(i int) error {
		_, created, err := e.s.CreateSalesTask(e.ctx, bu, store.SalesTask{ID: "t-1", Contact: "c-1", Owner: "rep-1", Title: fmt.Sprint("task ", i), Due: start})
		if err == nil && !created {
			return errLost
		}
		return err
	})
	oneWinner(e.t, "create task", errs, errLost)
	if p := ok(e.s.ListSalesTasksByOwner(e.ctx, bu, "rep-1", "", 0))(e.t); len(p.Items) != 1 {
		e.t.Fatalf("%d tasks listed for one id", len(p.Items))
	}
}
