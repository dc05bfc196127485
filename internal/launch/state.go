package launch

import (
	"maps"
	"sort"
)

// Operations of the segment-launch function.
const (
	OpPlan   = "plan"   // check the journey, fill in the launch's settings and shards
	OpPage   = "page"   // enrol the members of one page of one shard
	OpReport = "report" // add up, record, and continue or finish
)

// A Request is the segment-launch function's event: one of Launch (plan,
// report) or Page (page).
type Request struct {
	Op     string     `json:"op"`
	Launch *State     `json:"launch,omitempty"`
	Page   *PageState `json:"page,omitempty"`
}

// State is the segment-launch machine's input, and what its plan and
// report tasks return.
type State struct {
	V       int    `json:"v"`
	BU      string `json:"bu"`
	Journey string `json:"journey"`
	// Launch is the launch id, the entry every enrolment is made under.
	Launch string `json:"launch"`
	By     string `json:"by,omitempty"`
	// Version is the journey version whose segment is evaluated (plan
	// sets it; later generations keep it).
	Version int `json:"version,omitempty"`
	// Rate is the launch's starts per second; ShardRate each shard's part.
	Rate      float64 `json:"rate,omitempty"`
	ShardRate float64 `json:"shardRate,omitempty"`
	// Segments is how many parallel scan segments read the contacts.
	Segments int `json:"segments,omitempty"`
	PageSize int `json:"pageSize,omitempty"`
	// MaxPages is how many pages each shard reads in one execution.
	MaxPages   int     `json:"maxPages,omitempty"`
	Generation int     `json:"generation"`
	Shards     []Shard `json:"shards"`
	// Iterations are the Map's results: each shard's final iteration
	// state, which report turns back into Shards.
	Iterations []PageState `json:"iterations,omitempty"`
	// Totals add up the generations reported so far.
	Totals Totals `json:"totals"`
	// Done is set by report when the launch is over; Next and NextName
	// are the continuation's input and execution name when it is not.
	Done     bool   `json:"done"`
	Note     string `json:"note,omitempty"` // why nothing was launched
	Next     *State `json:"next,omitempty"`
	NextName string `json:"nextName,omitempty"`
	// Budget is the report's estimate of open executions left.
	Budget *Budget `json:"budget,omitempty"`
}

// A Shard is one scan segment's progress.
type Shard struct {
	Segment  int    `json:"segment"`
	Cursor   string `json:"cursor,omitempty"`
	Skip     int    `json:"skip,omitempty"`     // items of the page at Cursor already done
	Done     bool   `json:"done"`               // always written: the machine's Choice reads it
	Failures int    `json:"failures,omitempty"` // consecutive failed page tasks
	Error    string `json:"error,omitempty"`    // the last failure
	Totals   Totals `json:"totals"`
}

// PageState is one Map iteration's state: a shard and the launch settings
// its pages need.
type PageState struct {
	V        int     `json:"v"`
	BU       string  `json:"bu"`
	Journey  string  `json:"journey"`
	Launch   string  `json:"launch"`
	Version  int     `json:"version"`
	Rate     float64 `json:"rate"` // this shard's starts per second
	Segments int     `json:"segments"`
	PageSize int     `json:"pageSize"`
	MaxPages int     `json:"maxPages"`
	Pages    int     `json:"pages"` // pages read in this execution
	Shard    Shard   `json:"shard"`
	// Failure is set by the machine's catch when a page task failed
	// after its retries.
	Failure *TaskFailure `json:"failure,omitempty"`
}

// Totals count what a launch did.
type Totals struct {
	Listed   int64 `json:"listed"`   // contacts read
	Members  int64 `json:"members"`  // of them in the segment
	Enrolled int64 `json:"enrolled"` // new enrolments, executions started
	// Already were enrolled under this launch id before: a retried page,
	// or a re-run of the same launch.
	Already int64 `json:"already"`
	// Skipped counts members the entry policy refused, by reason (the
	// journey's re-entry policy, its exclusion segment, consent ...).
	Skipped map[string]int64 `json:"skipped,omitempty"`
	Failed  int64            `json:"failed"`
	// Throttled counts starts pushed back and retried; LimitHits those
	// pushed back by the open-execution quota.
	Throttled int64 `json:"throttled"`
	LimitHits int64 `json:"executionLimitHits"`
}

// maxReasons bounds the skip reasons kept; the rest count as "other".
const maxReasons = 20

// Add adds o to t.
func (t *Totals) Add(o Totals) {
	t.Listed += o.Listed
	t.Members += o.Members
	t.Enrolled += o.Enrolled
	t.Already += o.Already
	t.Failed += o.Failed
	t.Throttled += o.Throttled
	t.LimitHits += o.LimitHits
	for _, r := range sortedKeys(o.Skipped) {
		t.skip(r, o.Skipped[r])
	}
}

func (t *Totals) skip(reason string, n int64) {
	if t.Skipped == nil {
		t.Skipped = map[string]int64{}
	}
	if _, ok := t.Skipped[reason]; !ok && len(t.Skipped) >= maxReasons {
		reason = "other"
	}
	t.Skipped[reason] += n
}

// SkippedTotal is the number of members skipped for any reason.
func (t Totals) SkippedTotal() int64 {
	var n int64
	for _, v := range t.Skipped {
		n += v
	}
	return n
}

func sortedKeys(m map[string]int64) []string {
	ks := make([]string, 0, len(m))
	for k := range maps.Keys(m) {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// A Budget estimates how many more executions the account may open.
type Budget struct {
	Quota int64 `json:"quota"` // the account's open-execution quota
	// Open is the estimate of open executions: the active enrolments of
	// the business unit's journeys (each runs one execution).
	Open int64 `json:"open"`
	Left int64 `json:"left"`
	// Capped is set when counting stopped at the quota.
	Capped bool `json:"capped,omitempty"`
}
