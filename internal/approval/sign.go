package approval

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"time"
)

// Callback URL query parameters.
const (
	paramBU  = "bu"
	paramID  = "id"
	paramExp = "exp"
	paramSig = "sig"
)

// Errors of CheckCallbackURL.
var (
	// ErrBadSignature: the URL was not made by us (or was changed).
	ErrBadSignature = errors.New("approval callback: signature does not match")
	// ErrLinkExpired: the URL's expiry has passed.
	ErrLinkExpired = errors.New("approval callback: link expired")
)

// CallbackURL returns base with the query that identifies approval id of
// bu and signs it with key until exp.
func CallbackURL(base string, key []byte, bu, id string, exp time.Time) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	ts := strconv.FormatInt(exp.Unix(), 10)
	q.Set(paramBU, bu)
	q.Set(paramID, id)
	q.Set(paramExp, ts)
	q.Set(paramSig, sign(key, bu, id, ts))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// CallbackTarget is what a signed callback URL names.
type CallbackTarget struct {
	BU, ID  string
	Expires time.Time
}

// ReadCallbackURL reads the unverified target of a callback URL's query,
// to pick the key that verifies it.
func ReadCallbackURL(q url.Values) (CallbackTarget, bool) {
	exp, err := strconv.ParseInt(q.Get(paramExp), 10, 64)
	t := CallbackTarget{BU: q.Get(paramBU), ID: q.Get(paramID), Expires: time.Unix(exp, 0).UTC()}
	return t, err == nil && t.BU != "" && t.ID != "" && q.Get(paramSig) != ""
}

// CheckCallbackURL verifies the signature of a callback URL's query against
// keys (any of them, each compared in constant time: a URL signed before a
// key rotation stays good while its key is listed) with ErrBadSignature,
// then its expiry at now (ErrLinkExpired).
func CheckCallbackURL(q url.Values, keys [][]byte, now time.Time) (CallbackTarget, error) {
	t, ok := ReadCallbackURL(q)
	if !ok {
		return t, ErrBadSignature
	}
	got, err := base64.RawURLEncoding.DecodeString(q.Get(paramSig))
	if err != nil {
		return t, ErrBadSignature
	}
	match := false
	for _, key := range keys {
		want, _ := base64.RawURLEncoding.DecodeString(sign(key, t.BU, t.ID, q.Get(paramExp)))
		match = hmac.Equal(got, want) || match
	}
	if !match {
		return t, ErrBadSignature
	}
	if !now.Before(t.Expires) {
		return t, ErrLinkExpired
	}
	return t, nil
}

// sign is the HMAC-SHA256 of "v1", bu, id and the expiry, NUL-separated.
func sign(key []byte, bu, id, exp string) string {
	m := hmac.New(sha256.New, key)
	for i, part := range []string{"v1", bu, id, exp} {
		if i > 0 {
			m.Write([]byte{0})
		}
		m.Write([]byte(part))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
