package linkedin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
)

// SignatureHeader carries LinkedIn's notification signature.
const SignatureHeader = "X-LI-Signature"

// signaturePrefix is both prepended to the body before hashing and, in some
// published integrations, written in front of the header value.
const signaturePrefix = "hmacsha256="

// Signature errors. HTTP handlers answer 401 to both.
var (
	ErrMissingSignature = errors.New("missing X-LI-Signature")
	ErrBadSignature     = errors.New("X-LI-Signature does not match")
)

// Sign returns what LinkedIn puts in X-LI-Signature for body: the lowercase
// hex HMAC-SHA256, keyed with the client secret, of "hmacsha256=" + body.
func Sign(clientSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(clientSecret))
	io.WriteString(m, signaturePrefix)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// ChallengeResponse returns the hex HMAC-SHA256 of challengeCode keyed with
// the client secret, the answer to LinkedIn's webhook validation.
func ChallengeResponse(clientSecret, challengeCode string) string {
	m := hmac.New(sha256.New, []byte(clientSecret))
	io.WriteString(m, challengeCode)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks header against body for any of the client secrets
// (several during a rotation). The header may or may not start with
// "hmacsha256=": published integrations disagree, so both are accepted. The
// comparison is constant-time over the decoded bytes of the raw body's MAC;
// the body is never re-serialised. It returns ErrMissingSignature or
// ErrBadSignature.
func VerifySignature(clientSecrets []string, header string, body []byte) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrMissingSignature
	}
	if len(header) >= len(signaturePrefix) && strings.EqualFold(header[:len(signaturePrefix)], signaturePrefix) {
		header = header[len(signaturePrefix):]
	}
	got, err := hex.DecodeString(header)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	ok := false
	for _, s := range clientSecrets {
		if s == "" {
			continue
		}
		m := hmac.New(sha256.New, []byte(s))
		io.WriteString(m, signaturePrefix)
		m.Write(body)
		if hmac.Equal(m.Sum(nil), got) {
			ok = true
		}
	}
	if !ok {
		return ErrBadSignature
	}
	return nil
}
