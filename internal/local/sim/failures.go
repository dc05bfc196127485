package sim

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/journeys-oss/journeys/internal/journey"
)

// A Failure makes the outbound call of a step fail in a simulation: the
// channel provider's delivery of a send step's message, or the receiver's
// answer to a webhook step's action. A 4xx status other than 429 fails
// for good (the step's onFailure path, Journey.DeliveryFailed); 429 and
// 5xx fail for now (Journey.Transient: the state machine retries).
//
//	failures:
//	  - {step: crm, status: 500}                # every call fails
//	  - {step: crm, status: 503, times: 2}      # the first two calls fail
//	  - {step: send-intro, contact: t-1, status: 400}
type Failure struct {
	// Step is the send or webhook step whose call fails.
	Step string
	// Contact limits the failure to one contact ("" for every contact).
	Contact string
	// Status is the HTTP status the provider or receiver answers.
	Status int
	// Times is how many calls fail, per contact, before calls succeed
	// again (0: every call).
	Times int
	Pos   journey.Pos
}

// Permanent reports whether the failure is for good (a 4xx but 429).
func (f Failure) Permanent() bool {
	return f.Status >= 400 && f.Status < 500 && f.Status != http.StatusTooManyRequests
}

// Check says what is wrong with a failure of journey c ("" when nothing).
func (f Failure) Check(c *journey.Checked) string {
	i, ok := c.Index[f.Step]
	switch {
	case !ok:
		return fmt.Sprintf("failure: no step %q in journey %s", f.Step, c.Journey.ID)
	case c.Journey.Steps[i].Send == nil && c.Journey.Steps[i].Webhook == nil:
		return fmt.Sprintf("failure: step %q (%s) makes no outbound call; only send and webhook steps do", f.Step, c.Journey.Steps[i].Kind())
	case f.Status < 400 || f.Status > 599:
		return fmt.Sprintf("failure: status %d is not a failure (400 to 599)", f.Status)
	case f.Times < 0:
		return fmt.Sprintf("failure: times %d is negative", f.Times)
	}
	return ""
}

// failures decides which outbound calls fail. It is safe for concurrent
// use.
type failures struct {
	list  []Failure
	mu    sync.Mutex
	calls map[[3]string]int // (failure index, contact, step) → calls failed so far
}

func newFailures(list []Failure) *failures {
	return &failures{list: list, calls: map[[3]string]int{}}
}

// fail returns the failure a contact's call at a step meets, if any, and
// counts it.
func (fs *failures) fail(contact, step string) (Failure, bool) {
	if fs == nil || len(fs.list) == 0 {
		return Failure{}, false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.list {
		if f.Step != step || (f.Contact != "" && f.Contact != contact) {
			continue
		}
		k := [3]string{fmt.Sprint(i), contact, step}
		if f.Times > 0 && fs.calls[k] >= f.Times {
			continue
		}
		fs.calls[k]++
		return f, true
	}
	return Failure{}, false
}
