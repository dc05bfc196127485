package lambdamain

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// RequestIDKey is the log attribute that carries the Lambda request id.
const RequestIDKey = "requestId"

// A RequestLog puts the Lambda request id (AwsRequestID) of the invoke in
// progress on every log record of a function: task handlers and HTTP
// functions alike, so a log line can be matched with its invocation,
// its REPORT line and its X-Ray trace.
//
// A record logged with a context (InfoContext, ...) takes the id from the
// context's lambdacontext. One logged without a context takes the id of
// the invoke in progress, which Wrap notes while it runs: a Lambda
// execution environment runs one invoke at a time (with
// AWS_LAMBDA_MAX_CONCURRENCY above 1 it does not, and Wrap notes nothing,
// so only records with a context carry the id). A RequestLog is safe for
// concurrent use.
type RequestLog struct {
	current atomic.Pointer[string]
}

// Handler returns next with the request id added to every record.
func (rl *RequestLog) Handler(next slog.Handler) slog.Handler {
	return requestIDHandler{next: next, rl: rl}
}

// Wrap returns h noting the request id of each invoke while it runs.
func (rl *RequestLog) Wrap(h lambda.Handler) lambda.Handler {
	return invokeNoter{next: h, rl: rl}
}

// requestID is the id of ctx's invoke, else of the invoke in progress.
func (rl *RequestLog) requestID(ctx context.Context) string {
	if ctx != nil {
		if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
			return lc.AwsRequestID
		}
	}
	if id := rl.current.Load(); id != nil {
		return *id
	}
	return ""
}

type invokeNoter struct {
	next lambda.Handler
	rl   *RequestLog
}

func (n invokeNoter) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lambdacontext.MaxConcurrency() <= 1 {
		id := lc.AwsRequestID
		n.rl.current.Store(&id)
		defer n.rl.current.Store(nil)
	}
	return n.next.Invoke(ctx, payload)
}

type requestIDHandler struct {
	next slog.Handler
	rl   *RequestLog
}

func (h requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := h.rl.requestID(ctx); id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String(RequestIDKey, id))
	}
	return h.next.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{next: h.next.WithAttrs(as), rl: h.rl}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{next: h.next.WithGroup(name), rl: h.rl}
}
