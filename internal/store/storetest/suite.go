// Package storetest is the conformance suite of the store contract. Every
// adapter runs it: the embedded and memory ones directly, the DynamoDB one
// against moto. Run covers every Store method and sentinel error;
// RunExactlyOnce races goroutines on the conditional writes (only for
// adapters whose backend makes them atomic: moto does not, so the DynamoDB
// adapter skips it); RunQueue and RunKV cover the interfaces only the local
// adapters implement. It also holds what the adapters' benchmarks share
// (SamplePatch, SampleInteraction, Meter).
package storetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/journeys-oss/journeys/internal/store"
)

// A Target is an opened store under test.
type Target struct {
	Store store.Store
	// Raw returns every stored item of the whole database as text (keys and
	// values), for the erasure check that nothing about a contact is left.
	Raw func(t *testing.T) []string
}

// Open opens an empty store with cfg for one test and closes it with
// t.Cleanup.
type Open func(t *testing.T, cfg store.Config) Target

// Sweeper is implemented by adapters that remove expired records
// themselves (embedded); DynamoDB's TTL does it on the server.
type Sweeper interface {
	Sweep(ctx context.Context) (int, error)
}

// Start is the virtual time every test starts at.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Clock is a virtual clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Retention settings the suite runs with (Config).
const (
	InteractionRetention = 30 * 24 * time.Hour
	StepLogRetention     = 90 * 24 * time.Hour
)

// env is one test's store, clock and context.
type env struct {
	t     *testing.T
	s     store.Store
	raw   func(t *testing.T) []string
	clock *Clock
	ctx   context.Context
}

func setup(t *testing.T, open Open) *env {
	t.Helper()
	clock := NewClock(start)
	tg := open(t, Config(clock))
	return &env{t: t, s: tg.Store, raw: tg.Raw, clock: clock, ctx: context.Background()}
}

// Config is the configuration the suite opens stores with.
func Config(clock *Clock) store.Config {
	return store.Config{
		Now:                  clock.Now,
		SuppressionKey:       []byte("storetest suppression key"),
		InteractionRetention: InteractionRetention,
		StepLogRetention:     StepLogRetention,
	}
}

// Run runs the conformance suite: one subtest per concern, each on a fresh
// store.
func Run(t *testing.T, open Open) {
	for _, c := range []struct {
		name string
		fn   func(*env)
	}{
		{"ContactNotFoundAndInvalid", testContactNotFoundAndInvalid},
		{"ContactUpsertMergesNeverDrops", testContactMerge},
		{"ContactConsentNewestWins", testConsentNewestWins},
		{"ContactRevision", testContactRevision},
		{"ContactEmailNormalised", testEmailNormalised},
		{"ContactEmailTaken", testEmailTaken},
		{"ContactUpsertByEmail", testUpsertByEmail},
		{"ContactSegmentsCoverAll", testContactSegments},
		{"Owners", testOwners},
		{"Suppression", testSuppression},
		{"EraseCompleteness", testErase},
		{"Interactions", testInteractions},
		{"InteractionPaging", testInteractionPaging},
		{"InteractionRetention", testInteractionRetention},
		{"StepLogs", testStepLogs},
		{"Journeys", testJourneys},
		{"JourneyPauses", testJourneyPauses},
		{"JourneyVersions", testVersions},
		{"Funnel", testFunnel},
		{"Enrolments", testEnrolments},
		{"EnrolmentsByStatusPaged", testEnrolmentPaging},
		{"EnrolmentsOfContacts", testEnrolmentsOf},
		{"EnrolmentFieldUpdates", testEnrolmentFieldUpdates},
		{"EnrolmentEvent", testEnrolmentEvent},
		{"Content", testContent},
		{"Segments", testSegments},
		{"Approvals", testApprovals},
		{"Callbacks", testCallbacks},
		{"CallbackRelease", testCallbackRelease},
		{"Idempotency", testIdempotency},
		{"IdempotencyLeaseTakeOver", testIdempotencyTakeOver},
		{"SalesTasks", testSalesTasks},
		{"Audit", testAudit},
		{"APIKeys", testAPIKeys},
		{"BusinessUnitIsolation", testIsolation},
		{"BatchUpsertByEmail", testBatchUpsertByEmail},
		{"BatchUpsertLarge", testBatchUpsertLarge},
		{"BatchEnrolments", testBatchEnrolments},
		{"BatchInteractions", testBatchInteractions},
		{"PendingApprovals", testPendingApprovals},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(setup(t, open)) })
	}
}

// ok fails the test on err and returns v: ok(s.GetContact(...))(t).
func ok[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// noErr fails the test on err.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// isErr fails the test unless errors.Is(err, want).
func isErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// same fails the test with a diff unless got equals want (nil and empty
// slices and maps are equal; times compare as instants).
func same(t *testing.T, what string, got, want any, opts ...cmp.Option) {
	t.Helper()
	opts = append(opts, cmpopts.EquateEmpty())
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Fatalf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// collect reads every page of a paged listing.
func collect[T any](t *testing.T, page func(cursor string) (store.Page[T], error)) []T {
	t.Helper()
	var out []T
	cursor := ""
	for range 10000 {
		p, err := page(cursor)
		if err != nil {
			t.Fatalf("page after %q: %v", cursor, err)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		cursor = p.Next
	}
	t.Fatalf("paging did not end")
	return nil
}

// containsFold reports whether s contains sub, ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
