package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"mime"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Options configure Handler.
type Options struct {
	// MaxBodyBytes bounds request bodies; DefaultMaxBodyBytes when 0.
	MaxBodyBytes int64
	// Logger receives one line per request the adapter refuses; discarded
	// when nil.
	Logger *slog.Logger
}

// Handler returns the Lambda handler that serves API Gateway HTTP API events
// with h. It never returns an error: a malformed event is answered 400, an
// oversized body 413, without calling h.
func Handler(h http.Handler, opts Options) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		r, err := Request(ctx, ev, opts.MaxBodyBytes)
		if err != nil {
			status := statusOf(err)
			log.WarnContext(ctx, "request refused", "status", status, "error", err.Error(), "request", ev.RequestContext.RequestID)
			return events.APIGatewayV2HTTPResponse{
				StatusCode: status,
				Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
				Body:       http.StatusText(status) + "\n",
			}, nil
		}
		w := NewResponseWriter()
		h.ServeHTTP(w, r)
		return w.Response(), nil
	}
}

// A ResponseWriter records what a handler writes, for Response. It is not
// safe for concurrent use (neither is an http.ResponseWriter).
type ResponseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// NewResponseWriter returns an empty recorder.
func NewResponseWriter() *ResponseWriter {
	return &ResponseWriter{header: http.Header{}}
}

// Header implements http.ResponseWriter.
func (w *ResponseWriter) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter; only the first call counts.
func (w *ResponseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// Write implements http.ResponseWriter.
func (w *ResponseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(b)
}

// Response returns what was written as an API Gateway response: Set-Cookie
// values in Cookies, other repeated headers joined with commas, a missing
// Content-Type sniffed as net/http would, and a body that is not UTF-8 text
// base64-encoded.
func (w *ResponseWriter) Response() events.APIGatewayV2HTTPResponse {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	body := w.body.Bytes()
	if w.header.Get("Content-Type") == "" && len(body) > 0 {
		w.header.Set("Content-Type", http.DetectContentType(body))
	}
	resp := events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{}}
	keys := make([]string, 0, len(w.header))
	for k := range w.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := w.header[k]
		if len(vs) == 0 {
			continue
		}
		if http.CanonicalHeaderKey(k) == "Set-Cookie" {
			resp.Cookies = append(resp.Cookies, vs...)
			continue
		}
		resp.Headers[k] = strings.Join(vs, ", ")
	}
	if binary(w.header.Get("Content-Type"), body) {
		resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	} else {
		resp.Body = string(body)
	}
	return resp
}

// binary reports whether a body must travel base64-encoded: anything that
// is not declared text-like, or is not valid UTF-8.
func binary(contentType string, body []byte) bool {
	if len(body) == 0 {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return !utf8.Valid(body)
	}
	textual := strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/xml" ||
		mt == "application/javascript" || mt == "application/x-www-form-urlencoded" ||
		strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml")
	return !textual || !utf8.Valid(body)
}
