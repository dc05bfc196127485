package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// DefaultMaxBodyBytes bounds a request body when Options.MaxBodyBytes is
// zero. API Gateway itself accepts payloads up to 10 MB.
const DefaultMaxBodyBytes = 1 << 20

// ErrTooLarge is returned (wrapped) by Request for a body over the limit.
var ErrTooLarge = errors.New("httpapi: request body too large")

// ErrMalformed is returned (wrapped) by Request for an event that cannot be
// a request: a body that is not valid base64, an unparsable path.
var ErrMalformed = errors.New("httpapi: malformed request event")

type contextKey struct{}

// RequestContext returns the API Gateway request context of a request made
// by Request, and whether there is one (the dev server's requests have none).
func RequestContext(ctx context.Context) (events.APIGatewayV2HTTPRequestContext, bool) {
	rc, ok := ctx.Value(contextKey{}).(events.APIGatewayV2HTTPRequestContext)
	return rc, ok
}

// Request builds the *http.Request an API Gateway HTTP API event describes.
// The body is decoded (base64 when IsBase64Encoded) and bounded by
// maxBody bytes (DefaultMaxBodyBytes when 0): a larger one is ErrTooLarge.
// Cookies, which payload 2.0 moves out of the headers, come back as one
// Cookie header; RemoteAddr is the source IP; ctx carries the request
// context (see RequestContext).
func Request(ctx context.Context, ev events.APIGatewayV2HTTPRequest, maxBody int64) (*http.Request, error) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	body, err := decodeBody(ev, maxBody)
	if err != nil {
		return nil, err
	}
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		method = http.MethodGet
	}
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	if path == "" {
		path = "/"
	}
	target := path
	if ev.RawQueryString != "" {
		target += "?" + ev.RawQueryString
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, fmt.Errorf("%w: path: %v", ErrMalformed, err)
	}
	ctx = context.WithValue(ctx, contextKey{}, ev.RequestContext)
	r, err := http.NewRequestWithContext(ctx, method, u.String(), strings.NewReader(string(body)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	r.URL, r.RequestURI = u, target
	r.Proto, r.ProtoMajor, r.ProtoMinor = protocol(ev.RequestContext.HTTP.Protocol)
	r.Header = make(http.Header, len(ev.Headers)+1)
	for k, v := range ev.Headers {
		// Payload 2.0 joins repeated headers with commas, which is what
		// HTTP says they mean; keep the value as one field.
		r.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	r.Host = r.Header.Get("Host")
	if r.Host == "" {
		r.Host = ev.RequestContext.DomainName
	}
	r.Header.Del("Host")
	r.ContentLength = int64(len(body))
	if ip := ev.RequestContext.HTTP.SourceIP; ip != "" {
		r.RemoteAddr = net.JoinHostPort(ip, "0")
	}
	return r, nil
}

func decodeBody(ev events.APIGatewayV2HTTPRequest, maxBody int64) ([]byte, error) {
	if !ev.IsBase64Encoded {
		if int64(len(ev.Body)) > maxBody {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBody)
		}
		return []byte(ev.Body), nil
	}
	if int64(base64.StdEncoding.DecodedLen(len(ev.Body))) > maxBody+2 {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBody)
	}
	b, err := base64.StdEncoding.DecodeString(ev.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: body is not base64", ErrMalformed)
	}
	if int64(len(b)) > maxBody {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBody)
	}
	return b, nil
}

// protocol reads "HTTP/1.1" (the context's protocol) into its parts.
func protocol(p string) (string, int, int) {
	if major, minor, ok := http.ParseHTTPVersion(p); ok {
		return p, major, minor
	}
	return "HTTP/1.1", 1, 1
}

// statusOf maps Request's errors to the status answered without calling
// the handler.
func statusOf(err error) int {
	if errors.Is(err, ErrTooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}
