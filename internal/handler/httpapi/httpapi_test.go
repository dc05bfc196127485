package httpapi_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/handler/httpapi"
)

// seen is what a handler observed of a request.
type seen struct {
	Method, Path, RawPath, Query, Host, Remote, Proto string
	Header                                            map[string]string
	Cookies                                           []string
	Body                                              string
	RequestID                                         string
}

func observe(r *http.Request) seen {
	body, _ := io.ReadAll(r.Body)
	s := seen{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Host: r.Host, Remote: r.RemoteAddr, Proto: r.Proto, Body: string(body), Header: map[string]string{}}
	for k, v := range r.Header {
		if k != "Cookie" {
			s.Header[k] = strings.Join(v, "|")
		}
	}
	for _, c := range r.Cookies() {
		s.Cookies = append(s.Cookies, c.Name+"="+c.Value)
	}
	if rc, ok := httpapi.RequestContext(r.Context()); ok {
		s.RequestID = rc.RequestID
	}
	return s
}

func event(method, rawPath, query string) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: rawPath, RawQueryString: query,
		Headers: map[string]string{"host": "api.example.com", "user-agent": "test"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "req-1", DomainName: "api.example.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: rawPath, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7"},
		},
	}
}

func TestRequest(t *testing.T) {
	base := seen{Method: "GET", Host: "api.example.com", Remote: "203.0.113.7:0", Proto: "HTTP/1.1",
		Header: map[string]string{"User-Agent": "test"}, RequestID: "req-1"}
	tests := []struct {
		name string
		ev   func() events.APIGatewayV2HTTPRequest
		want func(s seen) seen
	}{
		{"plain get", func() events.APIGatewayV2HTTPRequest { return event("GET", "/t/o", "m=abc&k=k1&s=x%2By") },
			func(s seen) seen { s.Path, s.RawPath, s.Query = "/t/o", "/t/o", "m=abc&k=k1&s=x%2By"; return s }},
		{"escaped path kept raw", func() events.APIGatewayV2HTTPRequest { return event("GET", "/a%2Fb/c%20d", "") },
			func(s seen) seen { s.Path, s.RawPath = "/a/b/c d", "/a%2Fb/c%20d"; return s }},
		{"cookies joined", func() events.APIGatewayV2HTTPRequest {
			ev := event("GET", "/", "")
			ev.Cookies = []string{"a=1", "b=two"}
			return ev
		}, func(s seen) seen { s.Path, s.RawPath, s.Cookies = "/", "/", []string{"a=1", "b=two"}; return s }},
		{"text body", func() events.APIGatewayV2HTTPRequest {
			ev := event("POST", "/t/status", "")
			ev.Body, ev.Headers["content-type"] = `{"a":1}`, "application/json"
			return ev
		}, func(s seen) seen {
			s.Method, s.Path, s.RawPath, s.Body = "POST", "/t/status", "/t/status", `{"a":1}`
			s.Header["Content-Type"] = "application/json"
			return s
		}},
		{"base64 body", func() events.APIGatewayV2HTTPRequest {
			ev := event("POST", "/x", "")
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte("List-Unsubscribe=One-Click")), true
			return ev
		}, func(s seen) seen {
			s.Method, s.Path, s.RawPath, s.Body = "POST", "/x", "/x", "List-Unsubscribe=One-Click"
			return s
		}},
		{"multi-value header stays one field", func() events.APIGatewayV2HTTPRequest {
			ev := event("GET", "/", "")
			ev.Headers["accept"] = "text/html,application/json"
			return ev
		}, func(s seen) seen {
			s.Path, s.RawPath = "/", "/"
			s.Header["Accept"] = "text/html,application/json"
			return s
		}},
		{"no raw path falls back to context path", func() events.APIGatewayV2HTTPRequest {
			ev := event("GET", "", "")
			ev.RequestContext.HTTP.Path = "/p"
			return ev
		}, func(s seen) seen { s.Path, s.RawPath = "/p", "/p"; return s }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got seen
			h := httpapi.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = observe(r) }), httpapi.Options{})
			resp, err := h(context.Background(), tt.ev())
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("handler: %d %v", resp.StatusCode, err)
			}
			b := base
			b.Header = map[string]string{"User-Agent": "test"}
			want := tt.want(b)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequestRefused(t *testing.T) {
	tests := []struct {
		name   string
		ev     func() events.APIGatewayV2HTTPRequest
		status int
		err    error
	}{
		{"text body too large", func() events.APIGatewayV2HTTPRequest {
			ev := event("POST", "/", "")
			ev.Body = strings.Repeat("x", 65)
			return ev
		}, 413, httpapi.ErrTooLarge},
		{"base64 body too large", func() events.APIGatewayV2HTTPRequest {
			ev := event("POST", "/", "")
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(make([]byte, 65)), true
			return ev
		}, 413, httpapi.ErrTooLarge},
		{"not base64", func() events.APIGatewayV2HTTPRequest {
			ev := event("POST", "/", "")
			ev.Body, ev.IsBase64Encoded = "!!!", true
			return ev
		}, 400, httpapi.ErrMalformed},
		{"bad path", func() events.APIGatewayV2HTTPRequest { return event("GET", "no-slash", "") }, 400, httpapi.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := httpapi.Request(context.Background(), tt.ev(), 64); !errors.Is(err, tt.err) {
				t.Errorf("Request error = %v, want %v", err, tt.err)
			}
			called := false
			h := httpapi.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }), httpapi.Options{MaxBodyBytes: 64})
			resp, _ := h(context.Background(), tt.ev())
			if resp.StatusCode != tt.status || called {
				t.Errorf("status %d (handler called: %v), want %d without the handler", resp.StatusCode, called, tt.status)
			}
		})
	}
}

func TestResponse(t *testing.T) {
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!")
	tests := []struct {
		name  string
		write func(w http.ResponseWriter)
		want  events.APIGatewayV2HTTPResponse
	}{
		{"empty", func(w http.ResponseWriter) {}, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{}}},
		{"html with cookies", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
			http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", HttpOnly: true})
			w.Header().Add("Vary", "Accept")
			w.Header().Add("Vary", "Cookie")
			w.WriteHeader(201)
			w.Write([]byte("<p>hi</p>"))
		}, events.APIGatewayV2HTTPResponse{StatusCode: 201, Cookies: []string{"a=1", "b=2; HttpOnly"},
			Headers: map[string]string{"Content-Type": "text/html; charset=utf-8", "Vary": "Accept, Cookie"}, Body: "<p>hi</p>"}},
		{"redirect", func(w http.ResponseWriter) {
			w.Header().Set("Location", "https://example.com/x?a=1")
			w.WriteHeader(302)
		}, events.APIGatewayV2HTTPResponse{StatusCode: 302, Headers: map[string]string{"Location": "https://example.com/x?a=1"}}},
		{"binary gif", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "image/gif")
			w.Write(gif)
		}, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "image/gif"},
			Body: base64.StdEncoding.EncodeToString(gif), IsBase64Encoded: true}},
		{"sniffed json stays text", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true}`))
		}, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"ok":true}`}},
		{"undeclared bytes sniffed", func(w http.ResponseWriter) { w.Write([]byte{0xff, 0x00, 0x01}) },
			events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/octet-stream"},
				Body: base64.StdEncoding.EncodeToString([]byte{0xff, 0x00, 0x01}), IsBase64Encoded: true}},
		{"second WriteHeader ignored", func(w http.ResponseWriter) {
			w.WriteHeader(204)
			w.WriteHeader(500)
		}, events.APIGatewayV2HTTPResponse{StatusCode: 204, Headers: map[string]string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := httpapi.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { tt.write(w) }), httpapi.Options{})
			got, err := h(context.Background(), event("GET", "/", ""))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzRequest: no event makes the adapter panic or call the handler with a
// body over the limit.
func FuzzRequest(f *testing.F) {
	f.Add("/t/o", "m=1", "body", false)
	f.Add("/%zz", "a=%", "!!", true)
	f.Fuzz(func(t *testing.T, path, query, body string, b64 bool) {
		ev := event("POST", path, query)
		ev.Body, ev.IsBase64Encoded = body, b64
		h := httpapi.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _ := io.Copy(io.Discard, r.Body)
			if n > 64 {
				t.Fatalf("handler got %d bytes", n)
			}
		}), httpapi.Options{MaxBodyBytes: 64})
		if _, err := h(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	})
}
