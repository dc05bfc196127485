package memory

import (
	"encoding/binary"
	"maps"
	"slices"

	"github.com/journeys-oss/journeys/internal/store"
)

// Stored records are never changed in place: a write stores a new value,
// and the maps and slices a stored record holds are its own. So a reader
// may copy a record it found under its lock after letting the lock go.
// These copy what callers pass in and get back.

// cloneContact returns c with maps and lists of its own.
func cloneContact(c store.Contact) store.Contact {
	c.Attributes = cloneValues(c.Attributes)
	c.Channels = maps.Clone(c.Channels)
	c.Topics = maps.Clone(c.Topics)
	return c
}

func cloneValues(m map[string]store.Value) map[string]store.Value {
	out := maps.Clone(m)
	for k, v := range out {
		if v.List != nil {
			v.List = slices.Clone(v.List)
			out[k] = v
		}
	}
	return out
}

// ownLists gives the attributes a patch set in c (a record Contact.Apply
// made: its maps are new, but the lists inside the patch's values are the
// caller's) lists of their own.
func ownLists(c *store.Contact, p store.ContactPatch) {
	for k, v := range p.Attributes {
		if v.List != nil {
			if have, ok := c.Attributes[k]; ok {
				have.List = slices.Clone(have.List)
				c.Attributes[k] = have
			}
		}
	}
}

// packDetail encodes a small string map as one string (length-prefixed
// keys and values, keys in order): one allocation instead of a map's, and
// a million interactions hold many.
func packDetail(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	// Details hold a handful of entries: sort their keys and build the
	// string in stack buffers, so the string is the one allocation.
	var keyBuf [8]string
	keys := keyBuf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var buf [256]byte
	b := buf[:0]
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(m[k])))
		b = append(b, m[k]...)
	}
	return string(b)
}

// unpackDetail is the map packDetail packed (nil for none).
func unpackDetail(s string) map[string]string {
	if s == "" {
		return nil
	}
	m := map[string]string{}
	next := func() string {
		n, size := binary.Uvarint([]byte(s[:min(len(s), binary.MaxVarintLen64)]))
		v := s[size : size+int(n)]
		s = s[size+int(n):]
		return v
	}
	for s != "" {
		k := next()
		m[k] = next()
	}
	return m
}
