package channel

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A MessageRef says where a message came from: ids only. Its text form
// (String) is the message id.
type MessageRef struct {
	BU      string
	Contact string
	Journey string
	Version int
	Step    string
	// Exec is SendKey(execution, step)'s prefix: it ties the message to one
	// execution without carrying the execution's ARN.
	Exec string
	// Test marks a test send.
	Test bool
}

// ErrBadRef is returned (wrapped) by ParseMessageRef.
var ErrBadRef = errors.New("channel: malformed message id")

const (
	refPrefix     = "m1."
	testRefPrefix = "t1."
	execLen       = 24
	maxRefLen     = 1024
)

// SendKey is the idempotency key of the send of step in execution: the hex
// SHA-256 of both. Every retry of the step computes the same key.
func SendKey(execution, step string) string {
	sum := sha256.Sum256([]byte("send\x00" + execution + "\x00" + step))
	return hex.EncodeToString(sum[:])
}

// ExecTag is the part of SendKey a MessageRef keeps.
func ExecTag(execution, step string) string { return SendKey(execution, step)[:execLen] }

// TestExec returns a random Exec for a test send.
func TestExec() string {
	var b [execLen / 2]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// String returns the message id: "m1." (or "t1." for a test send) and the
// fields, base64url-encoded. It is safe in URLs, headers and file names.
func (r MessageRef) String() string {
	p := refPrefix
	if r.Test {
		p = testRefPrefix
	}
	// Built in stack buffers (most references are short): the id is the one
	// allocation, and every send makes several.
	var rawBuf [256]byte
	raw := rawBuf[:0]
	for i, part := range [...]string{r.BU, r.Contact, r.Journey, "", r.Step, r.Exec} {
		if i > 0 {
			raw = append(raw, '\n')
		}
		if i == 3 {
			raw = strconv.AppendInt(raw, int64(r.Version), 10)
		}
		raw = append(raw, part...)
	}
	var idBuf [384]byte
	id := append(idBuf[:0], p...)
	return string(base64.RawURLEncoding.AppendEncode(id, raw))
}

// ParseMessageRef reads a message id. It checks the form only: ids in
// tracking URLs are authenticated by the URL's signature, ids in status
// callbacks by the callback's.
func ParseMessageRef(id string) (MessageRef, error) {
	if len(id) > maxRefLen {
		return MessageRef{}, fmt.Errorf("%w: too long", ErrBadRef)
	}
	var r MessageRef
	body, ok := strings.CutPrefix(id, refPrefix)
	if !ok {
		if body, ok = strings.CutPrefix(id, testRefPrefix); !ok {
			return r, fmt.Errorf("%w: unknown prefix", ErrBadRef)
		}
		r.Test = true
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return MessageRef{}, fmt.Errorf("%w: not base64url", ErrBadRef)
	}
	f := strings.Split(string(raw), "\n")
	if len(f) != 6 || f[0] == "" || f[1] == "" {
		return MessageRef{}, fmt.Errorf("%w: wrong fields", ErrBadRef)
	}
	v, err := strconv.Atoi(f[3])
	if err != nil || v < 0 {
		return MessageRef{}, fmt.Errorf("%w: version", ErrBadRef)
	}
	for _, s := range f {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] == 0x7f || s[i] == '#' {
				return MessageRef{}, fmt.Errorf("%w: control character", ErrBadRef)
			}
		}
	}
	r.BU, r.Contact, r.Journey, r.Version, r.Step, r.Exec = f[0], f[1], f[2], v, f[4], f[5]
	return r, nil
}
