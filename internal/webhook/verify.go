package webhook

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors returned (wrapped) by Verifier.Verify. HTTPStatus maps them.
var (
	// ErrMalformed: a required header is missing or unreadable.
	ErrMalformed = errors.New("malformed webhook headers")
	// ErrBadSignature: no signature matches any active secret.
	ErrBadSignature = errors.New("webhook signature does not match")
	// ErrStale: the timestamp is further from now than the tolerance.
	ErrStale = errors.New("webhook timestamp outside tolerance")
	// ErrReplay: the webhook-id was already accepted.
	ErrReplay = errors.New("webhook id already seen")
)

// DefaultTolerance is how far a webhook-timestamp may be from now.
const DefaultTolerance = 5 * time.Minute

// Limits on header sizes, so a hostile sender cannot make us hash megabytes.
const (
	maxIDLength        = 256
	maxSignatureHeader = 4096
)

// A HeaderError says which header was wrong. It wraps ErrMalformed.
type HeaderError struct {
	Header string
	Reason string
}

func (e *HeaderError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrMalformed, e.Header, e.Reason)
}

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *HeaderError) Unwrap() error { return ErrMalformed }

// A Verifier checks incoming Standard Webhooks messages. It is safe for
// concurrent use once built; change Secrets only by building a new Verifier.
type Verifier struct {
	// Secrets are the active secrets; a message signed with any one passes.
	Secrets []Secret
	// Tolerance bounds |now - webhook-timestamp|; DefaultTolerance when zero.
	Tolerance time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Seen drops replays; nil disables replay protection.
	Seen SeenIDs
}

// Headers are the three Standard Webhooks header values of one message.
type Headers struct {
	ID        string
	Timestamp time.Time
	// Signatures holds the decoded v1 signatures, in header order.
	Signatures [][]byte
}

// ParseHeaders reads and checks the three headers without verifying
// anything. Errors are *HeaderError. Entries of other signature versions
// (v1a, ...) are skipped; at least one well-formed v1 entry is required.
func ParseHeaders(h http.Header) (Headers, error) {
	id := headerValue(h, HeaderID)
	if id == "" {
		return Headers{}, &HeaderError{HeaderID, "missing"}
	}
	if len(id) > maxIDLength {
		return Headers{}, &HeaderError{HeaderID, fmt.Sprintf("longer than %d bytes", maxIDLength)}
	}
	tsText := headerValue(h, HeaderTimestamp)
	if tsText == "" {
		return Headers{}, &HeaderError{HeaderTimestamp, "missing"}
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || ts < 0 {
		return Headers{}, &HeaderError{HeaderTimestamp, "not Unix seconds"}
	}
	sigs, err := ParseSignatureHeader(headerValue(h, HeaderSignature))
	if err != nil {
		return Headers{}, err
	}
	return Headers{ID: id, Timestamp: time.Unix(ts, 0), Signatures: sigs}, nil
}

// ParseSignatureHeader splits a webhook-signature value into its decoded v1
// signatures. Errors are *HeaderError.
func ParseSignatureHeader(v string) ([][]byte, error) {
	if v == "" {
		return nil, &HeaderError{HeaderSignature, "missing"}
	}
	if len(v) > maxSignatureHeader {
		return nil, &HeaderError{HeaderSignature, fmt.Sprintf("longer than %d bytes", maxSignatureHeader)}
	}
	var sigs [][]byte
	for _, entry := range strings.Fields(v) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok {
			return nil, &HeaderError{HeaderSignature, "entry without a version"}
		}
		if version != signatureVersion {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			return nil, &HeaderError{HeaderSignature, "v1 entry is not base64"}
		}
		sigs = append(sigs, raw)
	}
	if len(sigs) == 0 {
		return nil, &HeaderError{HeaderSignature, "no v1 signature"}
	}
	return sigs, nil
}

// Verify checks one message: headers well formed, timestamp within the
// tolerance, a signature made with an active secret (constant-time compare),
// then — only for an authentic message, so forgeries cannot fill the set —
// that its id was not seen before. It returns the parsed headers.
// Errors wrap ErrMalformed, ErrStale, ErrBadSignature, ErrReplay or
// ErrNoSecrets; a failing Seen store's error is returned wrapped as is.
func (v *Verifier) Verify(ctx context.Context, h http.Header, body []byte) (Headers, error) {
	if len(v.Secrets) == 0 {
		return Headers{}, ErrNoSecrets
	}
	hd, err := ParseHeaders(h)
	if err != nil {
		return Headers{}, err
	}
	now := v.now()
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	if d := now.Sub(hd.Timestamp); d > tol || d < -tol {
		return Headers{}, fmt.Errorf("%w: message %s is %s from now", ErrStale, hd.ID, d.Round(time.Second))
	}
	if !v.matches(hd, body) {
		return Headers{}, fmt.Errorf("%w: message %s", ErrBadSignature, hd.ID)
	}
	if v.Seen != nil {
		// Keep the id past the far edge of the window it could be replayed in.
		first, err := v.Seen.Remember(ctx, hd.ID, hd.Timestamp.Add(tol))
		if err != nil {
			return Headers{}, fmt.Errorf("remember webhook id %s: %w", hd.ID, err)
		}
		if !first {
			return Headers{}, fmt.Errorf("%w: message %s", ErrReplay, hd.ID)
		}
	}
	return hd, nil
}

// matches compares every received signature with every secret's, without
// stopping early, so timing says nothing about which pair matched.
func (v *Verifier) matches(hd Headers, body []byte) bool {
	ts := strconv.FormatInt(hd.Timestamp.Unix(), 10)
	ok := false
	for _, s := range v.Secrets {
		want := s.sign(hd.ID, ts, body)
		for _, got := range hd.Signatures {
			if hmac.Equal(want, got) {
				ok = true
			}
		}
	}
	return ok
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// headerValue reads a header by its canonical or literal lower-case key.
func headerValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	if vs := h[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// HTTPStatus maps this package's errors to the status a receiving handler
// answers with: 400 malformed, 401 bad signature or stale, 409 replay, 413 too
// large, 500 anything else (a failing store, no secrets configured).
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(err, ErrBadSignature), errors.Is(err, ErrStale):
		return http.StatusUnauthorized
	case errors.Is(err, ErrReplay):
		return http.StatusConflict
	default:
		return http.StatusInternalServerError
	}
}
