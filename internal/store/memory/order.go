package memory

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/journeys-oss/journeys/internal/store"
)

// A sortedSet keeps the keys of a listing (contact ids, enrolments by
// status, pending approvals by expiry) in order for paging. It sorts
// lazily: keys added in order (sequential ids, times: the common case)
// keep it sorted for free; anything else is sorted once, at the next read.
// Keys whose record changed (an enrolment that ended) are dropped lazily
// too, by the present check of the next read. It is not safe for
// concurrent use: its owner's lock guards it, and reads need the write
// lock, because they may sort.
type sortedSet[K any] struct {
	keys  []K
	dirty bool
}

// add adds k (absent from the set, or marked stale).
func (s *sortedSet[K]) add(k K, cmp func(a, b K) int) {
	if n := len(s.keys); n > 0 && cmp(k, s.keys[n-1]) <= 0 {
		s.dirty = true
	}
	s.keys = append(s.keys, k)
}

// stale notes that some keys may no longer be present.
func (s *sortedSet[K]) stale() { s.dirty = true }

// drop removes the keys that match at once (erasure: no key naming the
// contact may stay behind).
func (s *sortedSet[K]) drop(match func(K) bool) {
	s.keys = slices.DeleteFunc(s.keys, match)
}

// sorted returns the present keys in order; the slice is the set's own,
// valid until the next change.
func (s *sortedSet[K]) sorted(cmp func(a, b K) int, present func(K) bool) []K {
	if s.dirty {
		s.keys = slices.DeleteFunc(s.keys, func(k K) bool { return !present(k) })
		slices.SortFunc(s.keys, cmp)
		s.keys = slices.CompactFunc(s.keys, func(a, b K) bool { return cmp(a, b) == 0 })
		s.dirty = false
	}
	return s.keys
}

// after returns the index of the first key after last (all when first).
func after[K any](keys []K, last K, first bool, cmp func(a, b K) int) int {
	if first {
		return 0
	}
	i, found := slices.BinarySearchFunc(keys, last, cmp)
	if found {
		i++
	}
	return i
}

// A cursor holds the last key of a page and the scope of its listing
// (which query, which business unit), so that a cursor of another listing
// is refused with ErrInvalid: base64url of uvarint(len(scope)), scope, key.
func encodeCursor(scope, last string) string {
	b := binary.AppendUvarint(nil, uint64(len(scope)))
	b = append(append(b, scope...), last...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the key a cursor holds ("", false for no cursor).
func decodeCursor(cursor, scope string) (last string, ok bool, err error) {
	if cursor == "" {
		return "", false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err == nil {
		n, size := binary.Uvarint(b)
		if size > 0 && n <= uint64(len(b)-size) && string(b[size:size+int(n)]) == scope {
			return string(b[size+int(n):]), true, nil
		}
	}
	return "", false, fmt.Errorf("cursor: %w", store.ErrInvalid)
}
