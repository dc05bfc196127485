package webhook

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrTooLarge is wrapped by ReadBody's error when the body exceeds the limit.
var ErrTooLarge = errors.New("request body too large")

// A TooLargeError reports the limit a body exceeded. It wraps ErrTooLarge.
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%v: more than %d bytes", ErrTooLarge, e.Limit)
}

// Unwrap makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// ReadBody reads r's whole body through http.MaxBytesReader, so an oversized
// body is cut off at limit+1 bytes and the server closes the connection after
// the response. An oversized body gives a *TooLargeError (HTTPStatus: 413);
// other read errors are returned wrapped.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &TooLargeError{Limit: limit}
		}
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return body, nil
}
