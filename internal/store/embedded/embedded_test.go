package embedded

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/storetest"
	bolt "go.etcd.io/bbolt"
)

func open(t *testing.T, cfg store.Config) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "store.db"), cfg, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// raw lists every key and value of every bucket.
func raw(s *Store) func(t *testing.T) []string {
	return func(t *testing.T) []string {
		var out []string
		err := s.db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				return b.ForEach(func(k, v []byte) error {
					out = append(out, string(name)+" "+string(k)+" "+string(v))
					return nil
				})
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

func openTarget(t *testing.T, cfg store.Config) storetest.Target {
	s := open(t, cfg)
	return storetest.Target{Store: s, Raw: raw(s)}
}

func TestConformance(t *testing.T) { storetest.Run(t, openTarget) }

// TestConformanceSmallBatches runs the suite with batch writes split into
// transactions of three items, so every batch test crosses chunks.
func TestConformanceSmallBatches(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg store.Config) storetest.Target {
		s, err := Open(filepath.Join(t.TempDir(), "store.db"), cfg, Options{NoSync: true, BatchSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return storetest.Target{Store: s, Raw: raw(s)}
	})
}

// TestExactlyOnce races goroutines on the conditional writes. It runs on
// the embedded store only: moto, which the DynamoDB adapter is tested on,
// does not make concurrent conditional writes atomic.
func TestExactlyOnce(t *testing.T) { storetest.RunExactlyOnce(t, openTarget) }

func TestQueue(t *testing.T) {
	storetest.RunQueue(t, func(t *testing.T, cfg store.Config) store.Queue { return open(t, cfg) })
}

func TestKV(t *testing.T) { storetest.RunKV(t, open(t, store.Config{})) }

// TestReopen proves that closing and reopening keeps every record, and the
// generated suppression key, so suppressed addresses stay suppressed.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "store.db")
	clock := storetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	cfg := store.Config{Now: clock.Now} // no key: the store makes and keeps one
	s, err := Open(path, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.UpsertContact(ctx, "acme", store.ContactPatch{ID: "c-1", Email: store.String("a@example.com"), FirstName: store.String("A")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Suppress(ctx, "acme", store.AddressEmail, "bounced@example.com", store.SuppressedBounce); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateEnrolment(ctx, "acme", store.Enrolment{Journey: "j", Contact: "c-1", Entry: "e"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutKV(ctx, "exec/1", []byte("snapshot")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Enqueue(ctx, "q", []byte("job"), store.EnqueueOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.GetContact(ctx, "acme", "c-1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(c, got); d != "" {
		t.Fatalf("contact after reopen (-before +after):\n%s", d)
	}
	if _, err := s.FindContactByEmail(ctx, "acme", "A@example.com"); err != nil {
		t.Fatalf("email index after reopen: %v", err)
	}
	if _, err := s.UpsertContact(ctx, "acme", store.ContactPatch{Email: store.String("bounced@example.com")}); !errors.Is(err, store.ErrSuppressed) {
		t.Fatalf("suppression after reopen: %v", err)
	}
	if _, err := s.CreateEnrolment(ctx, "acme", store.Enrolment{Journey: "j", Contact: "c-1", Entry: "e"}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("enrolment guard after reopen: %v", err)
	}
	if v, err := s.GetKV(ctx, "exec/1"); err != nil || string(v) != "snapshot" {
		t.Fatalf("kv after reopen: %q %v", v, err)
	}
	if ms, err := s.Receive(ctx, "q", 1, time.Minute, 3); err != nil || len(ms) != 1 {
		t.Fatalf("queue after reopen: %v %v", ms, err)
	}
}

// TestSweep proves the sweep removes every kind of expiring record once
// expired, and nothing before.
func TestSweep(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := open(t, storetest.Config(clock))
	// The store's metadata and queue buckets stay; no record in them expires.
	storetest.RunSweep(t, s, clock, func(t *testing.T) []string {
		var left []string
		for _, item := range raw(s)(t) {
			if !strings.HasPrefix(item, "meta ") && !strings.HasPrefix(item, "queue") {
				left = append(left, item)
			}
		}
		return left
	})
}

// TestPendingIndexBackfill opens a file written before the index of
// pending approvals existed: opening fills it.
func TestPendingIndexBackfill(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	clock := storetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	cfg := storetest.Config(clock)
	s, err := Open(path, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want []store.Approval
	for i, d := range []time.Duration{2 * time.Hour, time.Hour, 3 * time.Hour} {
		a, err := s.CreateApproval(ctx, "acme", store.Approval{ID: fmt.Sprint("ap-", i), Kind: store.ApprovalPublish, ExpiresAt: clock.Now().Add(d)})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a)
	}
	if _, err := s.DecideApproval(ctx, "acme", "ap-2", store.Decision{Approved: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bApprovalsPend) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.ListPendingApprovals(ctx, "acme", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]store.Approval{want[1], want[0]}, p.Items); d != "" {
		t.Fatalf("pending after reopening (-want +got):\n%s", d)
	}
}
