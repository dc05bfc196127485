// Package embedded implements store.Store, store.Queue and store.KV over
// bbolt: one database file in a project-local folder (the local runtime
// uses .journeys/store.db). Every write is one bbolt read-write transaction,
// so conditional writes are atomic; reads run in parallel read
// transactions. A *Store is safe for concurrent use by many goroutines of
// one process (bbolt locks the file against other processes).
//
// Expired records (interactions, step logs, callbacks, idempotency
// records) are hidden from reads at once and removed by Sweep.
package embedded

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

// Compile-time proof that the adapter keeps the contracts.
var (
	_ store.Store = (*Store)(nil)
	_ store.Queue = (*Store)(nil)
	_ store.KV    = (*Store)(nil)
)

// Options tune the database file.
type Options struct {
	// NoSync skips fsync after each commit: much faster, but a crash of
	// the machine (not of the process) can lose the last writes. For
	// simulations and tests.
	NoSync bool
	// LockTimeout bounds the wait for another process's file lock
	// (default 5s).
	LockTimeout time.Duration
	// BatchSize is how many items of a batch write (UpsertContactsByEmail,
	// CreateEnrolments, AppendInteractions) share one transaction (default
	// DefaultBatchSize). Larger batches commit less often but hold the
	// write lock longer.
	BatchSize int
}

// DefaultBatchSize is the default Options.BatchSize.
const DefaultBatchSize = 1000

// Store is the embedded adapter. Create it with Open; Close it.
type Store struct {
	db     *bolt.DB
	now    func() time.Time
	cfg    store.Config
	hashKy []byte
	hasher *store.AddressHasher
	batch  int
}

// Bucket names. Keys inside are key parts joined by NUL (ids never hold
// control characters: store.CheckID).
var (
	bContacts       = []byte("contacts")            // bu, shard, id → Contact
	bEmails         = []byte("emails")              // bu, email → contact id
	bSuppress       = []byte("suppressions")        // bu, hash → Suppression
	bOwners         = []byte("owners")              // bu, id → Owner
	bInteractions   = []byte("interactions")        // bu, contact, time, id → Interaction
	bStepLogs       = []byte("steplogs")            // bu, contact, time, id → StepLog
	bEnrol          = []byte("enrolments")          // bu, contact, journey, entry → Enrolment
	bEnrolStatus    = []byte("enrolmentsByStatus")  // bu, journey, status, contact, entry → nil
	bFunnel         = []byte("funnel")              // bu, journey, version, step, outcome → int64
	bJourneys       = []byte("journeys")            // bu, id → Journey
	bVersions       = []byte("versions")            // bu, journey, version → JourneyVersion
	bContent        = []byte("content")             // bu, kind, id, locale, version → Content
	bSegments       = []byte("segments")            // bu, name → Segment
	bApprovals      = []byte("approvals")           // bu, id → Approval
	bApprovalsByC   = []byte("approvalsByContact")  // bu, contact, id → nil
	bApprovalsPend  = []byte("approvalsPending")    // bu, expiresAt, id → nil (pending approvals only)
	bCallbacks      = []byte("callbacks")           // bu, id → Callback (token included)
	bCallbacksByC   = []byte("callbacksByContact")  // bu, contact, id → nil
	bIdem           = []byte("idempotency")         // bu, key → idemRecord
	bTasks          = []byte("salestasks")          // bu, id → SalesTask
	bTasksByOwner   = []byte("salestasksByOwner")   // bu, owner, due, id → nil
	bTasksByContact = []byte("salestasksByContact") // bu, contact, id → nil
	bAudit          = []byte("audit")               // bu, time, id → AuditEntry
	bAPIKeys        = []byte("apikeys")             // hash → APIKey
	bAPIKeysByBU    = []byte("apikeysByBU")         // bu, name, hash → nil
	bExpiry         = []byte("expiry")              // time, bucket, key → nil
	bQueue          = []byte("queue")               // queue, id → Message
	bQueueVisible   = []byte("queueVisible")        // queue, visibleAt, id → nil
	bQueueDedupe    = []byte("queueDedupe")         // queue, dedupe id → message id + time
	bQueueDead      = []byte("queueDead")           // queue, deadAt, id → Message
	bKV             = []byte("kv")                  // key → value
	bMeta           = []byte("meta")                // settings (the suppression key), content revisions
)

var allBuckets = [][]byte{
	bContacts, bEmails, bSuppress, bOwners, bInteractions, bStepLogs, bEnrol,
	bEnrolStatus, bFunnel, bJourneys, bVersions, bContent, bSegments,
	bApprovals, bApprovalsByC, bApprovalsPend, bCallbacks, bCallbacksByC, bIdem, bTasks,
	bTasksByOwner, bTasksByContact, bAudit, bAPIKeys, bAPIKeysByBU, bExpiry,
	bQueue, bQueueVisible, bQueueDedupe, bQueueDead, bKV, bMeta,
}

// Open opens (creating it and its folder if needed) the database file at
// path. Without cfg.SuppressionKey, the key stored in the file is used, or
// a random one is made and stored on first open.
func Open(path string, cfg store.Config, o Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = 5 * time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        o.LockTimeout,
		NoSync:         o.NoSync,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, now: cfg.Clock(), cfg: cfg, hashKy: cfg.SuppressionKey, batch: o.BatchSize}
	err = db.Update(func(tx *bolt.Tx) error {
		indexPending := tx.Bucket(bApprovals) != nil && tx.Bucket(bApprovalsPend) == nil
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if indexPending { // a file from before the index existed
			if err := indexPendingApprovals(tx); err != nil {
				return err
			}
		}
		if len(s.hashKy) > 0 {
			return nil
		}
		meta := tx.Bucket(bMeta)
		if k := meta.Get([]byte("suppressionKey")); k != nil {
			s.hashKy = bytes.Clone(k)
			return nil
		}
		k := make([]byte, 32)
		_, _ = rand.Read(k)
		s.hashKy = k
		return meta.Put([]byte("suppressionKey"), k)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.hasher = store.NewAddressHasher(s.hashKy)
	return s, nil
}

// Close closes the database file.
func (s *Store) Close() error { return s.db.Close() }

// key joins key parts with NUL.
func key(parts ...string) []byte {
	n := len(parts)
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	return b
}

// prefix is key(parts...) plus the separator, for prefix scans.
func prefix(parts ...string) []byte { return append(key(parts...), 0) }

// splitKey returns the parts of a key.
func splitKey(k []byte) []string { return strings.Split(string(k), "\x00") }

func num(n int) string { return fmt.Sprintf("%010d", n) }

func getJSON(b *bolt.Bucket, k []byte, v any) error {
	raw := b.Get(k)
	if raw == nil {
		return store.ErrNotFound
	}
	return json.Unmarshal(raw, v)
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, raw)
}

// view and update run fn in a read or write transaction after checking ctx.
func (s *Store) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(fn)
}

// cursor encoding: the last key returned, base64url.
func encodeCursor(k []byte) string {
	if k == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(k)
}

// decodeCursor returns the key a cursor holds, checking that it belongs to
// the scan's prefix (a cursor of another business unit or query is
// ErrInvalid).
func decodeCursor(c string, pfx []byte) ([]byte, error) {
	if c == "" {
		return nil, nil
	}
	k, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !bytes.HasPrefix(k, pfx) {
		return nil, fmt.Errorf("cursor: %w", store.ErrInvalid)
	}
	return k, nil
}

// scan walks the keys with pfx, forward or backward, starting after the
// cursor key, and calls fn until it returns false. When fn stops the walk
// and more keys follow, it returns the key fn saw last (the next page's
// cursor); at the end it returns nil.
func scan(b *bolt.Bucket, pfx, after []byte, backward bool, fn func(k, v []byte) (more bool, err error)) ([]byte, error) {
	c := b.Cursor()
	var k, v []byte
	switch {
	case !backward && after == nil:
		k, v = c.Seek(pfx)
	case !backward:
		k, v = c.Seek(after)
		if bytes.Equal(k, after) {
			k, v = c.Next()
		}
	default:
		start := after
		if start == nil {
			start = append(bytes.Clone(pfx), 0xff)
		}
		k, v = c.Seek(start)
		if k == nil {
			k, v = c.Last()
		}
		for k != nil && bytes.Compare(k, start) >= 0 {
			k, v = c.Prev()
		}
	}
	for k != nil && bytes.HasPrefix(k, pfx) {
		more, err := fn(k, v)
		if err != nil {
			return nil, err
		}
		last := bytes.Clone(k)
		if backward {
			k, v = c.Prev()
		} else {
			k, v = c.Next()
		}
		if !more {
			if k != nil && bytes.HasPrefix(k, pfx) {
				return last, nil
			}
			return nil, nil
		}
	}
	return nil, nil
}

// isNotFound reports whether err is ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
