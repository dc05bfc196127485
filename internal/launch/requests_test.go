package launch_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// requestCounter is an http.RoundTripper that counts the AWS API calls
// going through it by operation (the X-Amz-Target header of the JSON
// protocols DynamoDB and Step Functions speak).
type requestCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    map[string]int
}

func newRequestCounter() *requestCounter {
	return &requestCounter{next: http.DefaultTransport, n: map[string]int{}}
}

func (c *requestCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	op := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	c.mu.Lock()
	c.n[op]++
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

// take returns the counts since the last take and starts again.
func (c *requestCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

// perContact formats counts divided by the contacts they served.
func perContact(n map[string]int, contacts int) string {
	ops := make([]string, 0, len(n))
	total := 0
	for op, k := range n {
		ops = append(ops, op)
		total += k
	}
	sort.Strings(ops)
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests, %.2f per contact:", total, float64(total)/float64(contacts))
	for _, op := range ops {
		fmt.Fprintf(&b, " %s %.2f", op, float64(n[op])/float64(contacts))
	}
	return b.String()
}
