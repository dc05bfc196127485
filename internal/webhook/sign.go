package webhook

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names defined by Standard Webhooks, and the idempotency key header
// the Client adds with the same value as HeaderID.
const (
	HeaderID             = "webhook-id"
	HeaderTimestamp      = "webhook-timestamp"
	HeaderSignature      = "webhook-signature"
	HeaderIdempotencyKey = "Idempotency-Key"
)

// signatureVersion is the scheme tag of symmetric (HMAC-SHA256) signatures.
const signatureVersion = "v1"

// ErrNoSecrets is returned when signing or verifying with no active secret.
var ErrNoSecrets = errors.New("no active webhook secret")

// Signature returns the webhook-signature header value for one message: one
// "v1,<base64>" entry per secret, separated by spaces, in the order given, so
// a receiver that knows any one active secret accepts it during a rotation.
func Signature(secrets []Secret, id string, timestamp time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", ErrNoSecrets
	}
	ts := strconv.FormatInt(timestamp.Unix(), 10)
	var b strings.Builder
	for i, s := range secrets {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(signatureVersion)
		b.WriteByte(',')
		b.WriteString(base64.StdEncoding.EncodeToString(s.sign(id, ts, body)))
	}
	return b.String(), nil
}

// SignHeaders sets webhook-id, webhook-timestamp (Unix seconds) and
// webhook-signature on h for the given message.
func SignHeaders(h http.Header, secrets []Secret, id string, timestamp time.Time, body []byte) error {
	sig, err := Signature(secrets, id, timestamp, body)
	if err != nil {
		return err
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(timestamp.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return nil
}
