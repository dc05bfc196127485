package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// SQSAPI is the part of the SQS client the adapter calls (*sqs.Client has it).
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// SQS limits the adapter enforces before calling the API.
const (
	MaxSQSBody  = 256 << 10
	MaxSQSDelay = 15 * time.Minute
	maxSQSBatch = 10
)

// SQS is a Queue over one Amazon SQS queue. Dead letters are the queue's
// redrive policy (set in the template), not the adapter's business. It is
// safe for concurrent use.
type SQS struct {
	api  SQSAPI
	url  string
	fifo bool
	// WaitTime is the long-poll wait of Receive (0: return at once).
	WaitTime time.Duration
	// Visibility overrides the queue's visibility timeout when positive.
	Visibility time.Duration
}

var _ Queue = (*SQS)(nil)

// NewSQS returns the adapter for the queue at url. A URL ending in ".fifo"
// is a FIFO queue: sends carry a deduplication id and a message group.
func NewSQS(api SQSAPI, url string) *SQS {
	return &SQS{api: api, url: url, fifo: strings.HasSuffix(url, ".fifo")}
}

// Send implements Sender. duplicate is always false: SQS does not say.
func (q *SQS) Send(ctx context.Context, body []byte, o SendOptions) (string, bool, error) {
	if len(body) > MaxSQSBody || !utf8.Valid(body) {
		return "", false, fmt.Errorf("send to sqs: body of %d bytes is too large or not UTF-8", len(body))
	}
	if o.Delay < 0 || o.Delay > MaxSQSDelay {
		return "", false, fmt.Errorf("send to sqs: delay %s outside 0..%s", o.Delay, MaxSQSDelay)
	}
	in := &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(string(body))}
	if q.fifo {
		// FIFO queues refuse per-message delays and need a group.
		if o.DedupeID == "" {
			return "", false, errors.New("send to sqs fifo queue: a DedupeID is required")
		}
		group := o.Group
		if group == "" {
			group = o.DedupeID
		}
		in.MessageDeduplicationId, in.MessageGroupId = aws.String(sqsID(o.DedupeID)), aws.String(sqsID(group))
	} else {
		in.DelaySeconds = int32(o.Delay / time.Second)
	}
	out, err := q.api.SendMessage(ctx, in)
	if err != nil {
		return "", false, fmt.Errorf("send to sqs: %w", err)
	}
	return aws.ToString(out.MessageId), false, nil
}

// Receive implements Receiver (at most 10 messages per call, SQS's limit).
func (q *SQS) Receive(ctx context.Context, n int) ([]Message, error) {
	in := &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(q.url),
		MaxNumberOfMessages:         int32(min(max(n, 1), maxSQSBatch)),
		WaitTimeSeconds:             int32(q.WaitTime / time.Second),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
	}
	if q.Visibility > 0 {
		in.VisibilityTimeout = int32(q.Visibility / time.Second)
	}
	out, err := q.api.ReceiveMessage(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("receive from sqs: %w", err)
	}
	msgs := make([]Message, 0, len(out.Messages))
	for _, m := range out.Messages {
		n, _ := strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
		msgs = append(msgs, Message{ID: aws.ToString(m.MessageId), Body: []byte(aws.ToString(m.Body)),
			Receipt: aws.ToString(m.ReceiptHandle), Attempts: n})
	}
	return msgs, nil
}

// Delete implements Receiver.
func (q *SQS) Delete(ctx context.Context, m Message) error {
	_, err := q.api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q.url), ReceiptHandle: aws.String(m.Receipt)})
	return sqsReceiptErr("delete sqs message "+m.ID, err)
}

// Retry implements Receiver: the message's visibility timeout becomes delay
// (capped at 12 hours, SQS's limit).
func (q *SQS) Retry(ctx context.Context, m Message, delay time.Duration) error {
	secs := int32(min(max(delay, 0), 12*time.Hour) / time.Second)
	_, err := q.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(q.url), ReceiptHandle: aws.String(m.Receipt), VisibilityTimeout: secs,
	})
	return sqsReceiptErr("retry sqs message "+m.ID, err)
}

func sqsReceiptErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "ReceiptHandleIsInvalid" || ae.ErrorCode() == "InvalidParameterValue" ||
		ae.ErrorCode() == "MessageNotInflight") {
		return fmt.Errorf("%s: %w: %w", op, ErrStaleReceipt, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// sqsID keeps an id within SQS's 128 characters of [A-Za-z0-9 punctuation]:
// longer or odd ids are replaced by their hash.
func sqsID(id string) string {
	ok := len(id) <= 128
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c > ' ' && c < 0x7f
	}
	if ok {
		return id
	}
	return "h-" + hashHex(id)
}
