package linkedin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/webhook"
)

// DefaultBaseURL is LinkedIn's API host.
const DefaultBaseURL = "https://api.linkedin.com"

// RestliProtocolVersion is sent as X-Restli-Protocol-Version.
const RestliProtocolVersion = "2.0.0"

// Client defaults, used when the matching ClientOptions field is zero.
const (
	DefaultAttempts      = 5
	DefaultBaseDelay     = time.Second
	DefaultMaxDelay      = time.Minute
	DefaultMaxRetryAfter = 5 * time.Minute
	DefaultTimeout       = 30 * time.Second
	maxResponseBytes     = 8 << 20
)

// API errors. An *APIError matches the sentinel for its status with
// errors.Is: 401 ErrUnauthorized, 403 ErrForbidden, 404 ErrNotFound, 429/5xx
// and network failures (after retries) ErrTransient, other statuses
// ErrRequest.
var (
	ErrUnauthorized = errors.New("linkedin: unauthorized (token missing, expired or revoked)")
	ErrForbidden    = errors.New("linkedin: forbidden (missing permission or role)")
	ErrNotFound     = errors.New("linkedin: not found")
	ErrTransient    = errors.New("linkedin: temporarily unavailable")
	ErrRequest      = errors.New("linkedin: request refused")
)

// An APIError is a failed API call. Message is LinkedIn's, which names
// fields and ids, not lead data.
type APIError struct {
	Op               string
	StatusCode       int // 0 when no response came back
	ServiceErrorCode int
	Code             string
	Message          string
	Attempts         int
	Err              error // network cause, when StatusCode is 0
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("linkedin %s: ", e.Op)
	if e.StatusCode == 0 {
		return msg + fmt.Sprintf("no response after %d attempt(s): %v", e.Attempts, e.Err)
	}
	msg += fmt.Sprintf("status %d", e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is matches the sentinel of the status class.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrTransient:
		return retryable(e.StatusCode)
	case ErrRequest:
		return e.StatusCode >= 400 && !retryable(e.StatusCode) &&
			e.StatusCode != http.StatusUnauthorized && e.StatusCode != http.StatusForbidden && e.StatusCode != http.StatusNotFound
	}
	return false
}

// Unwrap returns the network cause, if any.
func (e *APIError) Unwrap() error { return e.Err }

func retryable(status int) bool {
	return status == 0 || status == http.StatusTooManyRequests || status >= 500
}

// A TokenSource hands out the OAuth access token (the secret store in the
// deployed app). It is asked before every attempt, so a refreshed token is
// picked up between retries.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a TokenSource that always returns itself.
type StaticToken string

// Token implements TokenSource.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// ClientOptions configure a Client. Zero fields take defaults.
type ClientOptions struct {
	// BaseURL is DefaultBaseURL unless tests point it at a fake.
	BaseURL string
	// Version is the LinkedIn-Version header, YYYYMM; required.
	Version string
	// Tokens supplies the bearer token; required.
	Tokens TokenSource
	// HTTPClient makes the calls; a client with DefaultTimeout when nil.
	HTTPClient *http.Client
	// Attempts bounds requests per call (first included).
	Attempts int
	// BaseDelay and MaxDelay shape backoff with full jitter; MaxRetryAfter
	// caps how long a Retry-After may make a call wait before it gives up.
	BaseDelay, MaxDelay, MaxRetryAfter time.Duration
	// Now, Sleep and Rand replace the clock, the wait and the jitter.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Rand  func() float64
	// Logger gets a debug line per retry; slog.Default when nil.
	Logger *slog.Logger
}

// A Client calls LinkedIn's versioned REST API. It is safe for concurrent use.
type Client struct {
	opts    ClientOptions
	base    string
	backoff webhook.Backoff
}

var versionPattern = regexp.MustCompile(`^20[0-9]{2}(0[1-9]|1[0-2])$`)

// NewClient checks the options and builds a Client.
func NewClient(opts ClientOptions) (*Client, error) {
	if !versionPattern.MatchString(opts.Version) {
		return nil, fmt.Errorf("linkedin client: version %q is not YYYYMM", opts.Version)
	}
	if opts.Tokens == nil {
		return nil, errors.New("linkedin client: a TokenSource is required")
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if opts.Attempts <= 0 {
		opts.Attempts = DefaultAttempts
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = DefaultBaseDelay
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = DefaultMaxDelay
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = webhook.SleepContext
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Client{
		opts:    opts,
		base:    strings.TrimRight(opts.BaseURL, "/"),
		backoff: webhook.Backoff{Base: opts.BaseDelay, Max: opts.MaxDelay, Rand: opts.Rand},
	}, nil
}

// call is one logical API call: path and raw query are already encoded.
type call struct {
	op, method, path, rawQuery string
	body                       any
}

type result struct {
	status int
	header http.Header
	body   []byte
}

// do runs c with retries on 429 (Retry-After honoured), 5xx and network
// errors. Any other non-2xx ends it with an *APIError.
func (c *Client) do(ctx context.Context, cl call) (*result, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("linkedin %s: encode body: %w", cl.op, err)
		}
	}
	for attempt := 1; ; attempt++ {
		res, apiErr := c.attempt(ctx, cl, payload)
		if apiErr == nil {
			return res, nil
		}
		apiErr.Attempts = attempt
		if !retryable(apiErr.StatusCode) || attempt >= c.opts.Attempts || ctx.Err() != nil {
			return nil, apiErr
		}
		wait := c.backoff.Delay(attempt - 1)
		if res != nil {
			if ra, ok := webhook.ParseRetryAfter(res.header.Get("Retry-After"), c.opts.Now()); ok {
				if ra > c.opts.MaxRetryAfter {
					return nil, apiErr
				}
				wait = ra
			}
		}
		c.opts.Logger.Debug("linkedin retry", "op", cl.op, "attempt", attempt, "status", apiErr.StatusCode, "wait", wait)
		if err := c.opts.Sleep(ctx, wait); err != nil {
			apiErr.Err = errors.Join(apiErr.Err, err)
			return nil, apiErr
		}
	}
}

// attempt makes one request. On an HTTP failure it returns the result too,
// so do can read Retry-After.
func (c *Client) attempt(ctx context.Context, cl call, payload []byte) (*result, *APIError) {
	token, err := c.opts.Tokens.Token(ctx)
	if err != nil {
		return nil, &APIError{Op: cl.op, StatusCode: http.StatusUnauthorized, Message: "no access token", Err: err}
	}
	u := c.base + cl.path
	if cl.rawQuery != "" {
		u += "?" + cl.rawQuery
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, body)
	if err != nil {
		return nil, &APIError{Op: cl.op, StatusCode: http.StatusBadRequest, Message: "cannot build request", Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("LinkedIn-Version", c.opts.Version)
	req.Header.Set("X-Restli-Protocol-Version", RestliProtocolVersion)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, &APIError{Op: cl.op, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, &APIError{Op: cl.op, Err: fmt.Errorf("read response: %w", err)}
	}
	res := &result{status: resp.StatusCode, header: resp.Header, body: data}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return res, nil
	}
	return res, apiError(cl.op, resp.StatusCode, data)
}

// apiError reads LinkedIn's error document
// {"status":..,"serviceErrorCode":..,"code":"..","message":".."}.
func apiError(op string, status int, body []byte) *APIError {
	var doc struct {
		ServiceErrorCode int    `json:"serviceErrorCode"`
		Code             string `json:"code"`
		Message          string `json:"message"`
	}
	_ = json.Unmarshal(body, &doc) // best effort: proxies answer HTML
	if len(doc.Message) > 300 {
		doc.Message = doc.Message[:300]
	}
	return &APIError{Op: op, StatusCode: status, ServiceErrorCode: doc.ServiceErrorCode, Code: doc.Code, Message: doc.Message}
}
