package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
	"time"
	"unicode/utf8"
)

// Config is what both adapters take besides their database handle.
type Config struct {
	// Now is the clock. Default time.Now. Tests pass a virtual clock; all
	// expiry decisions (retention, leases, approvals, callbacks) use it.
	Now func() time.Time
	// SuppressionKey is the secret the keyed hash of suppressed addresses
	// is made with (HMAC-SHA256). The DynamoDB adapter requires one; the
	// embedded adapter generates one on first open and keeps it.
	SuppressionKey []byte
	// InteractionRetention is how long interactions are kept after they
	// happened. Zero keeps them for ever.
	InteractionRetention time.Duration
	// StepLogRetention is how long step log entries are kept. Zero keeps
	// them for ever.
	StepLogRetention time.Duration
}

// Clock returns the configured clock, or time.Now.
func (c Config) Clock() func() time.Time {
	if c.Now != nil {
		return c.Now
	}
	return time.Now
}

// Shards is the number of shards contacts and enrolments are spread over
// for parallel enumeration (ListContacts segments) and to keep write-heavy
// index partitions small. It is part of the stored key design: changing it
// needs a backfill.
const Shards = 32

// Shard returns the shard (0..Shards-1) of a contact id: FNV-1a, stable
// across adapters and releases.
func Shard(id string) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % Shards)
}

// NewID returns a random id with the given prefix: 26 characters of
// lower-case base32 (130 bits), opaque and safe in URLs and keys.
func NewID(prefix string) string {
	var raw [16]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails (Go 1.24+)
	var buf [64]byte
	return string(idEncoding.AppendEncode(append(buf[:0], prefix...), raw[:]))
}

// idEncoding is base32 (RFC 4648) in lower case, unpadded.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// AddressHash is the keyed hash under which a suppressed address is stored:
// hex HMAC-SHA256 over the business unit, the address kind and the
// normalised address. The address itself is never stored. Adapters hash
// many addresses with one key through an AddressHasher, which gives the
// same hashes faster.
func AddressHash(key []byte, bu string, kind AddressKind, normalised string) string {
	return hashAddress(hmac.New(sha256.New, key), bu, kind, normalised)
}

// hashAddress is the one definition of the hashed message: bu, NUL, kind,
// NUL, address.
func hashAddress(m hash.Hash, bu string, kind AddressKind, normalised string) string {
	var buf [320]byte
	b := append(append(append(append(append(buf[:0], bu...), 0), kind...), 0), normalised...)
	m.Write(b)
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0]))
}

// An AddressHasher computes AddressHash for one key, keeping HMAC states
// prepared for it (a few hundred nanoseconds a hash instead of
// microseconds). It is safe for concurrent use.
type AddressHasher struct {
	pool sync.Pool
}

// NewAddressHasher returns the hasher of key.
func NewAddressHasher(key []byte) *AddressHasher {
	key = bytes.Clone(key)
	return &AddressHasher{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// Hash returns AddressHash(key, bu, kind, normalised).
func (h *AddressHasher) Hash(bu string, kind AddressKind, normalised string) string {
	m := h.pool.Get().(hash.Hash)
	m.Reset()
	out := hashAddress(m, bu, kind, normalised)
	h.pool.Put(m)
	return out
}

// maxIDLen bounds ids and keys so every composed key fits DynamoDB's 1024
// byte sort key limit.
const maxIDLen = 200

// CheckID returns ErrInvalid unless s is a usable bu, id or key part:
// non-empty, valid UTF-8, at most 200 bytes, without '#', NUL or control
// characters (they separate key parts in both adapters). A bu may not
// start with '_' (SharedBU is reserved).
func CheckID(what, s string) error {
	if s == "" {
		return fmt.Errorf("%s is empty: %w", what, ErrInvalid)
	}
	// Every id passes here, many times a call: one pass over the bytes
	// (UTF-8 never encodes '#' or a control character inside a longer
	// sequence), and the UTF-8 check only for the rare non-ASCII id.
	var class uint8
	for i := 0; i < len(s) && i <= maxIDLen; i++ {
		class |= idByteClass[s[i]]
	}
	ascii, separator := class&idNonASCII == 0, class&idSeparator != 0
	if len(s) > maxIDLen || !ascii && !utf8.ValidString(s) {
		return fmt.Errorf("%s is longer than %d bytes or not UTF-8: %w", what, maxIDLen, ErrInvalid)
	}
	if what == "bu" && s[0] == '_' {
		return fmt.Errorf("business unit %q: names starting with '_' are reserved: %w", s, ErrInvalid)
	}
	if separator {
		return fmt.Errorf("%s %q contains '#' or a control character: %w", what, s, ErrInvalid)
	}
	return nil
}

// Byte classes of CheckID.
const (
	idNonASCII  = 1 << iota // part of a multi-byte UTF-8 sequence (or not UTF-8)
	idSeparator             // '#', a control character, DEL
)

// idByteClass classifies every byte value for CheckID.
var idByteClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c >= 0x80:
			t[c] = idNonASCII
		case c == '#' || c < 0x20 || c == 0x7f:
			t[c] = idSeparator
		}
	}
	return t
}()

// CheckIDs checks pairs of (what, value) with CheckID.
func CheckIDs(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := CheckID(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// SortableTime formats t (in UTC) so that the strings sort like the times:
// fixed width, nanoseconds. Both adapters use it in keys.
func SortableTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

// UTC returns t in UTC without its monotonic reading, as stored.
func UTC(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}

// Page is one page of a paged listing. Next is the opaque cursor of the next
// page, empty after the last. A page may hold fewer items than asked for
// even when more follow; stop when Next is empty.
type Page[T any] struct {
	Items []T
	Next  string
}

// DefaultLimit and MaxLimit bound page sizes (a limit of 0 means the default).
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// PageLimit returns the effective page size for a requested limit.
func PageLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}
