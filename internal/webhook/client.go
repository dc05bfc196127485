package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client defaults, used when the matching ClientOptions field is zero.
const (
	DefaultTimeout          = 15 * time.Second
	DefaultMaxAttempts      = 4
	DefaultBaseDelay        = 500 * time.Millisecond
	DefaultMaxDelay         = 30 * time.Second
	DefaultMaxRetryAfter    = 2 * time.Minute
	DefaultMaxResponseBytes = 64 << 10
	DefaultUserAgent        = "journeys-webhook/1"
)

// ClientOptions configure a Client. The zero value of each field means its
// default.
type ClientOptions struct {
	// Policy guards every destination (see Policy); required.
	Policy *Policy
	// Secrets sign every attempt (all of them, for rotation). Required unless
	// Unsigned is set.
	Secrets []Secret
	// Unsigned sends without Standard Webhooks headers, for destinations
	// authenticated otherwise (a Power Automate URL carries its own sig).
	Unsigned bool
	// Timeout bounds each attempt, response body included.
	Timeout time.Duration
	// MaxAttempts bounds the requests per Send (first try included).
	MaxAttempts int
	// BaseDelay and MaxDelay shape the exponential backoff with full jitter.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter: a 429 asking to wait longer ends Send with a transient
	// error instead of blocking (the caller's own retry takes over).
	MaxRetryAfter time.Duration
	// MaxResponseBytes bounds the response body kept in Response.Body.
	MaxResponseBytes int64
	// UserAgent is sent with every request.
	UserAgent string
	// Now, Sleep and Rand replace the clock, the wait between attempts and
	// the jitter source (values in [0,1)); tests inject all three.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Rand  func() float64
	// Logger receives one debug line per retry; slog.Default when nil. It
	// logs hosts and statuses only, never URLs or bodies.
	Logger *slog.Logger
}

// A Client sends signed messages with retries. It is safe for concurrent use.
type Client struct {
	opts    ClientOptions
	http    *http.Client
	backoff Backoff
}

// NewClient checks the options and builds a Client.
func NewClient(opts ClientOptions) (*Client, error) {
	if opts.Policy == nil {
		return nil, errors.New("webhook client: a Policy is required")
	}
	if !opts.Unsigned && len(opts.Secrets) == 0 {
		return nil, fmt.Errorf("webhook client: %w (or set Unsigned)", ErrNoSecrets)
	}
	setDefaults(&opts)
	return &Client{
		opts:    opts,
		http:    opts.Policy.HTTPClient(),
		backoff: Backoff{Base: opts.BaseDelay, Max: opts.MaxDelay, Rand: opts.Rand},
	}, nil
}

func setDefaults(o *ClientOptions) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = DefaultBaseDelay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = SleepContext
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// A Message is one outbound call.
type Message struct {
	// URL is the destination; the Policy checks it and every redirect.
	URL string
	// ID is the idempotency key, sent as webhook-id and Idempotency-Key on
	// every attempt. Derive it from what makes the send unique (execution,
	// step) so a re-invoked task resends the same id. Required.
	ID string
	// Method defaults to POST.
	Method string
	// Body is sent as is and signed byte for byte.
	Body []byte
	// ContentType defaults to application/json.
	ContentType string
	// Header holds extra headers; the signing and idempotency headers
	// always win over entries here.
	Header http.Header
}

// A Response is the successful (2xx) answer to a Send.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the start of the response body, at most MaxResponseBytes.
	Body []byte
	// Attempts is the number of requests made, this one included.
	Attempts int
}

// Send delivers m, retrying 429 (after Retry-After when given), 5xx and
// network errors with backoff, up to MaxAttempts. A 2xx returns a Response.
// Failures are *DeliveryError: permanent for other statuses, 410 (also
// ErrGone), a blocked destination (also ErrBlocked) or a bad message;
// transient when attempts or the caller's context ran out.
func (c *Client) Send(ctx context.Context, m Message) (*Response, error) {
	u, err := url.Parse(m.URL)
	if err != nil {
		return nil, &DeliveryError{Host: "(unparsable URL)", Err: errors.New("invalid URL"), permanent: true}
	}
	host := normalizeHost(u.Hostname())
	if err := c.validate(u, m); err != nil {
		return nil, &DeliveryError{Host: host, Err: err, permanent: true}
	}
	var last *DeliveryError
	for attempt := 1; attempt <= c.opts.MaxAttempts; attempt++ {
		resp, derr := c.attempt(ctx, u, m, attempt)
		if derr == nil {
			return resp, nil
		}
		derr.Host, derr.Attempts = host, attempt
		if derr.permanent || ctx.Err() != nil {
			return nil, derr
		}
		last = derr
		if attempt == c.opts.MaxAttempts {
			break
		}
		wait := c.backoff.Delay(attempt - 1)
		if derr.RetryAfter > 0 {
			if derr.RetryAfter > c.opts.MaxRetryAfter {
				return nil, derr
			}
			wait = derr.RetryAfter
		}
		c.opts.Logger.Debug("webhook retry", "host", host, "attempt", attempt, "status", derr.StatusCode, "wait", wait)
		if err := c.opts.Sleep(ctx, wait); err != nil {
			derr.Err = errors.Join(derr.Err, err)
			return nil, derr
		}
	}
	return nil, last
}

func (c *Client) validate(u *url.URL, m Message) error {
	if m.ID == "" {
		return errors.New("message has no id (idempotency key)")
	}
	if len(m.ID) > maxIDLength || strings.ContainsAny(m.ID, " \r\n,") {
		return errors.New("message id must be at most 256 bytes without spaces, commas or line breaks")
	}
	return c.opts.Policy.CheckURL(u)
}

// attempt makes one request; a nil error means a 2xx.
func (c *Client) attempt(ctx context.Context, u *url.URL, m Message, n int) (*Response, *DeliveryError) {
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := c.newRequest(actx, u, m)
	if err != nil {
		return nil, &DeliveryError{Err: err, permanent: true}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var blocked *BlockedError
		return nil, &DeliveryError{Err: scrubURL(err), permanent: errors.As(err, &blocked)}
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxResponseBytes))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	return c.classify(resp, body, readErr, n)
}

func (c *Client) newRequest(ctx context.Context, u *url.URL, m Message) (*http.Request, error) {
	method := m.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(m.Body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", scrubURL(err))
	}
	for k, vs := range m.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	ct := m.ContentType
	if ct == "" {
		ct = "application/json"
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set(HeaderIdempotencyKey, m.ID)
	if !c.opts.Unsigned {
		// A fresh timestamp per attempt: receivers reject messages older than
		// their tolerance, and a retry may come minutes after the first try.
		if err := SignHeaders(req.Header, c.opts.Secrets, m.ID, c.opts.Now(), m.Body); err != nil {
			return nil, err
		}
	}
	return req, nil
}

func (c *Client) classify(resp *http.Response, body []byte, readErr error, n int) (*Response, *DeliveryError) {
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		if readErr != nil {
			// The receiver accepted the message; an unreadable tail of its
			// answer does not make the delivery fail.
			c.opts.Logger.Debug("webhook response body unreadable", "status", code)
		}
		return &Response{StatusCode: code, Header: resp.Header, Body: body, Attempts: n}, nil
	case code == http.StatusGone:
		return nil, &DeliveryError{StatusCode: code, Err: ErrGone, permanent: true}
	case code == http.StatusTooManyRequests || code >= 500:
		d := &DeliveryError{StatusCode: code}
		if ra, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now()); ok {
			d.RetryAfter = ra
		}
		return nil, d
	default:
		return nil, &DeliveryError{StatusCode: code, permanent: true}
	}
}

// scrubURL drops the URL from *url.Error so secrets in a query string do not
// reach logs through error messages.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}
