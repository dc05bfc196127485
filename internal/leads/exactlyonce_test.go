package leads_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
	"github.com/journeys-oss/journeys/internal/queue"
)

type delivery struct {
	lead   linkedin.Lead
	action string
	n      int
}

// TestTwoThousandNotifications sends 2,000 notifications: 1,600 leads,
// 50 deleted after their creation, 50 whose DELETE arrives before their
// CREATE, and 200 repeats at random places; LinkedIn fails 10% of the
// calls (429, then 503); the receiving side restarts in the middle with
// messages in flight and a lead locked by a worker that died. In the end
// every live lead has exactly one contact, one submission and one
// execution, deleted leads have none, and nothing is left in the queue.
func TestTwoThousandNotifications(t *testing.T) {
	if testing.Short() {
		t.Skip("long: skipped with -short")
	}
	ctx := context.Background()
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(7, 11))
	const live, deletedAfter, deletedBefore, repeats = 1600, 50, 50, 200

	var base []delivery
	for n := 1; n <= live+deletedAfter; n++ {
		l := makeLead(leadSpec{n: n, email: emailOf(n), consent: true})
		f.li.AddLead(l)
		base = append(base, delivery{l, linkedin.ActionCreated, n})
	}
	rng.Shuffle(len(base), func(i, j int) { base[i], base[j] = base[j], base[i] })
	for n := live + deletedAfter + 1; n <= live+deletedAfter+deletedBefore; n++ {
		// The deletion overtook the creation. LinkedIn no longer has half
		// of these; the other half it still serves for a while.
		l := makeLead(leadSpec{n: n, email: emailOf(n), consent: true})
		if n%2 == 0 {
			f.li.AddLead(l)
		}
		at := rng.IntN(len(base))
		base = append(base[:at], append([]delivery{{l, linkedin.ActionDeleted, n}, {l, linkedin.ActionCreated, n}}, base[at:]...)...)
	}
	// Deletions of synced leads go in the second half, after their creation.
	var deletes []delivery
	for _, d := range base {
		if d.n > live && d.n <= live+deletedAfter {
			deletes = append(deletes, delivery{d.lead, linkedin.ActionDeleted, d.n})
		}
	}
	all := append([]delivery(nil), base...)
	for i := 0; i < repeats; i++ {
		d := base[rng.IntN(len(base))]
		at := rng.IntN(len(all)) + 1
		all = append(all[:at], append([]delivery{d}, all[at:]...)...)
	}
	if got := len(all) + len(deletes); got != 2000 {
		t.Fatalf("built %d notifications, want 2000", got)
	}

	f.li.FailRandomly(0.10, 1, http.StatusTooManyRequests)
	half := len(all) / 2
	duplicates := 0
	for i, d := range all[:half] {
		if f.notify(d.lead, d.action) {
			duplicates++
		}
		if i%100 == 99 {
			if _, err := f.worker.Once(ctx, new(queue.Stats)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A worker takes a batch and dies; another dies holding a lead's lock.
	inFlight, err := f.q.Receive(ctx, 10)
	if err != nil || len(inFlight) == 0 {
		t.Fatalf("take a batch: %d, %v", len(inFlight), err)
	}
	held := mustMessage(t, inFlight[0].Body)
	for _, key := range []string{"li-lock|" + held.Lead, "li-sync|" + held.Lead} {
		if _, err := f.st.BeginIdempotency(ctx, bu, key, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	f.restart()

	f.li.FailRandomly(0.10, 2, http.StatusServiceUnavailable)
	for _, d := range all[half:] {
		if f.notify(d.lead, d.action) {
			duplicates++
		}
	}
	f.drain()
	for _, d := range deletes {
		f.li.DeleteLead(d.lead.ID)
		f.notify(d.lead, d.action)
	}
	f.drain()
	if duplicates != repeats {
		t.Errorf("%d notifications answered as duplicates, want %d", duplicates, repeats)
	}

	f.li.FailRandomly(0, 0, 0)
	checkEndState(t, f, live, deletedAfter, deletedBefore)
}

func mustMessage(t *testing.T, body []byte) leads.Message {
	t.Helper()
	m, err := leads.ParseMessage(body)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func checkEndState(t *testing.T, f *fixture, live, deletedAfter, deletedBefore int) {
	t.Helper()
	ctx := context.Background()
	contacts := f.allContacts()
	if len(contacts) != live {
		t.Errorf("%d contacts, want %d", len(contacts), live)
	}
	liveNames := map[string]bool{}
	for n := 1; n <= live; n++ {
		c, ok := f.contactByEmail(emailOf(n))
		if !ok {
			t.Errorf("lead %d: no contact", n)
			continue
		}
		in := f.interactions(c.ID)
		if len(in) != 1 || in[0].Detail["lead"] != leadID(n) {
			t.Errorf("lead %d: %d interactions, want its one submission", n, len(in))
		}
		en, err := f.st.GetEnrolment(ctx, bu, "welcome", c.ID, leadID(n))
		if err != nil || en.Execution == "" {
			t.Errorf("lead %d: enrolment %+v, %v", n, en, err)
		}
		name := enrol.ExecutionName(bu, "welcome", c.ID, leadID(n))
		liveNames[name] = true
		if calls := f.starter.calls[name]; calls != 1 {
			t.Errorf("lead %d: started %d times, want once", n, calls)
		}
	}
	for n := live + 1; n <= live+deletedAfter+deletedBefore; n++ {
		if _, ok := f.contactByEmail(emailOf(n)); ok {
			t.Errorf("deleted lead %d still has a contact", n)
		}
	}
	stopped := 0
	for name, calls := range f.starter.calls {
		if liveNames[name] {
			continue
		}
		// A deleted lead may have been synced, and so started, before its
		// deletion was processed (the queue reorders too): then its
		// execution was stopped.
		arn := enrol.ExecutionArn(versionArn, name)
		if calls != 1 || f.starter.stopped[arn] != 1 {
			t.Errorf("execution %s of a deleted lead: %d starts, %d stops", name, calls, f.starter.stopped[arn])
		}
		stopped++
	}
	if stopped > deletedAfter+deletedBefore {
		t.Errorf("%d executions of deleted leads, at most %d expected", stopped, deletedAfter+deletedBefore)
	}
	if waiting, dead, err := f.q.Depth(ctx); waiting != 0 || dead != 0 || err != nil {
		t.Errorf("queue: %d waiting, %d dead, %v", waiting, dead, err)
	}
	t.Logf("%d contacts, %d executions (%d stopped), %d lead fetches", len(contacts), len(f.starter.calls), stopped,
		f.li.Calls(linkedintest.RouteLead))
}

// TestConcurrentWorkers processes the same notifications from many
// goroutines at once, as SQS may deliver a message to two consumers: the
// per-lead lock and sync record keep every effect single.
func TestConcurrentWorkers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const leadsN, workers = 20, 8
	var msgs []leads.Message
	for n := 1; n <= leadsN; n++ {
		l := makeLead(leadSpec{n: n, email: emailOf(n), consent: true})
		f.li.AddLead(l)
		msgs = append(msgs, leadMessage(l, linkedin.ActionCreated))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	synced := map[string]int{}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, m := range msgs {
				for {
					out, err := f.proc.Process(ctx, m)
					if err == nil {
						if out.Status == leads.StatusSynced {
							mu.Lock()
							synced[m.Lead]++
							mu.Unlock()
						}
						break
					}
					if !isBusy(err) {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(synced) != leadsN {
		t.Errorf("%d leads synced, want %d", len(synced), leadsN)
	}
	for lead, n := range synced {
		if n != 1 {
			t.Errorf("lead %s synced %d times", lead, n)
		}
	}
	if got := len(f.allContacts()); got != leadsN {
		t.Errorf("%d contacts, want %d", got, leadsN)
	}
	for name, calls := range f.starter.calls {
		if calls != 1 {
			t.Errorf("%s started %d times", name, calls)
		}
	}
	if got := f.li.Calls(linkedintest.RouteLead); got != leadsN {
		t.Errorf("%d lead fetches, want %d", got, leadsN)
	}
}

func isBusy(err error) bool { return errors.Is(err, leads.ErrBusy) }

// TestConcurrentInbox accepts one notification from many goroutines: one
// is queued, the rest are duplicates.
func TestConcurrentInbox(t *testing.T) {
	f := newFixture(t)
	l := makeLead(leadSpec{n: 1, email: emailOf(1)})
	n, err := leads.NotificationFor(l)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dup, err := f.inbox.Accept(context.Background(), n, nil)
			if err != nil {
				t.Error(err)
				return
			}
			if !dup {
				mu.Lock()
				accepted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	waiting, _, _ := f.q.Depth(context.Background())
	if accepted != 1 || waiting != 1 {
		t.Errorf("%d accepted, %d queued; want 1 and 1", accepted, waiting)
	}
}
