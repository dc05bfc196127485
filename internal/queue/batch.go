package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// Batch runs h on every record of an SQS event and reports the failed ones
// as partial batch failures, so Lambda's event source deletes only the
// messages that succeeded (the function's event source mapping must list
// ReportBatchItemFailures). Records are processed in order; a record whose
// handler fails does not stop the others.
func Batch(ctx context.Context, ev events.SQSEvent, h Handler, log *slog.Logger) events.SQSEventResponse {
	if log == nil {
		log = slog.Default()
	}
	var resp events.SQSEventResponse
	for _, r := range ev.Records {
		n, _ := strconv.Atoi(r.Attributes["ApproximateReceiveCount"])
		m := Message{ID: r.MessageId, Body: []byte(r.Body), Receipt: r.ReceiptHandle, Attempts: n}
		if err := h(ctx, m); err != nil {
			log.Warn("queue message failed", "message", r.MessageId, "attempt", n, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
		}
	}
	return resp
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
