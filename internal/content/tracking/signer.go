package tracking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// Errors returned by the verification functions. Callers answer all of them
// the same way (HTTP 400 or 404); they differ for logs and tests.
var (
	// ErrMalformed means a URL or token lacks a field or is not encoded as
	// this package writes it.
	ErrMalformed = errors.New("tracking: malformed url or token")
	// ErrUnknownKey means the value names a key the Signer does not hold
	// (retired, or never ours).
	ErrUnknownKey = errors.New("tracking: unknown signing key")
	// ErrBadSignature means the signature does not match: the value was
	// tampered with or signed under another secret.
	ErrBadSignature = errors.New("tracking: signature does not verify")
)

// MinSecretLen is the shortest secret NewSigner accepts, in bytes.
const MinSecretLen = 16

// sigLen is the length of a signature before encoding: HMAC-SHA256 truncated
// to 128 bits (RFC 2104 allows truncation to half the output), which keeps
// tracking URLs short in plain-text parts.
const sigLen = 16

// A Key is one HMAC secret and the short id that URLs name it by.
type Key struct {
	ID     string // 1 to 16 characters of [A-Za-z0-9_-]
	Secret []byte // at least MinSecretLen bytes
}

// A Signer signs with its newest key and verifies with any of its keys.
// It is safe for concurrent use.
type Signer struct {
	keys []*signingKey // newest first
}

type signingKey struct {
	id   string
	pool sync.Pool // of *macState: HMAC state is not safe for concurrent use
}

// macState is one HMAC, the buffer its message is built in and the array
// its sum lands in (a local array would escape through hash.Hash.Sum).
type macState struct {
	h   hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

// NewSigner returns a Signer over keys, given newest first: keys[0] signs.
// It reports an error for no keys, a short secret, a bad or duplicate id.
func NewSigner(keys ...Key) (*Signer, error) {
	if len(keys) == 0 {
		return nil, errors.New("tracking: no signing keys (give at least one)")
	}
	s := &Signer{}
	seen := map[string]bool{}
	for i, k := range keys {
		if !validKeyID(k.ID) {
			return nil, fmt.Errorf("tracking: key %d: id %q must be 1-16 characters of A-Z a-z 0-9 _ -", i, k.ID)
		}
		if seen[k.ID] {
			return nil, fmt.Errorf("tracking: key id %q appears twice", k.ID)
		}
		seen[k.ID] = true
		if len(k.Secret) < MinSecretLen {
			return nil, fmt.Errorf("tracking: key %q: secret has %d bytes, need at least %d", k.ID, len(k.Secret), MinSecretLen)
		}
		secret := append([]byte(nil), k.Secret...)
		sk := &signingKey{id: k.ID}
		sk.pool.New = func() any { return &macState{h: hmac.New(sha256.New, secret), buf: make([]byte, 0, 512)} }
		s.keys = append(s.keys, sk)
	}
	return s, nil
}

// KeyIDs returns the ids of the keys, newest (signing) first.
func (s *Signer) KeyIDs() []string {
	ids := make([]string, len(s.keys))
	for i, k := range s.keys {
		ids[i] = k.id
	}
	return ids
}

func validKeyID(id string) bool {
	if id == "" || len(id) > 16 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isTokenChar(id[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// Sign returns the id of the signing key and the signature of fields under
// purpose, encoded in base64url without padding. Fields are length-prefixed,
// so ("ab","c") and ("a","bc") sign differently.
func (s *Signer) Sign(purpose string, fields ...string) (keyID, sig string) {
	keyID, b := s.appendSign(nil, purpose, fields...)
	return keyID, string(b)
}

// sigB64Len is the length of an encoded signature.
const sigB64Len = (sigLen*8 + 5) / 6

// appendSign appends the encoded signature to b and returns the key id.
func (s *Signer) appendSign(b []byte, purpose string, fields ...string) (string, []byte) {
	k := s.keys[0]
	m := k.mac(purpose, fields)
	b = base64.RawURLEncoding.AppendEncode(b, m.sum[:sigLen])
	k.pool.Put(m)
	return k.id, b
}

// signingKeyID is the id of the key that signs.
func (s *Signer) signingKeyID() string { return s.keys[0].id }

// Verify checks that sig is the signature of fields under purpose by the key
// named keyID. It returns ErrUnknownKey, ErrMalformed or ErrBadSignature.
func (s *Signer) Verify(purpose, keyID, sig string, fields ...string) error {
	k := s.key(keyID)
	if k == nil {
		return ErrUnknownKey
	}
	var got [sigLen + 2]byte
	if base64.RawURLEncoding.DecodedLen(len(sig)) != sigLen {
		return ErrMalformed
	}
	n, err := base64.RawURLEncoding.Decode(got[:], []byte(sig))
	if err != nil || n != sigLen {
		return ErrMalformed
	}
	m := k.mac(purpose, fields)
	ok := hmac.Equal(got[:sigLen], m.sum[:sigLen])
	k.pool.Put(m)
	if !ok {
		return ErrBadSignature
	}
	return nil
}

func (s *Signer) key(id string) *signingKey {
	for _, k := range s.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}

// mac computes HMAC(purpose, fields) into the sum of a pooled state, which
// the caller puts back once it has read it. The message is built in the
// state's buffer and written once.
func (k *signingKey) mac(purpose string, fields []string) *macState {
	m := k.pool.Get().(*macState)
	msg := appendField(m.buf[:0], purpose)
	for _, f := range fields {
		msg = appendField(msg, f)
	}
	m.h.Write(msg)
	m.h.Sum(m.sum[:0])
	m.h.Reset()
	if cap(msg) <= 64<<10 {
		m.buf = msg
	}
	return m
}

func appendField(b []byte, s string) []byte {
	n := len(s)
	b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	return append(b, s...)
}
