package queue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// newSQSQueue creates a queue on the moto server and returns its URL.
func newSQSQueue(t *testing.T, fifo bool) (*sqs.Client, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("moto: skipped with -short")
	}
	client := sqs.NewFromConfig(testsvc.AWSConfig(t))
	name := testsvc.UniqueName(t, "q")
	attrs := map[string]string{"VisibilityTimeout": "30"}
	if fifo {
		name += ".fifo"
		attrs["FifoQueue"] = "true"
	}
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	t.Cleanup(func() { client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl}) })
	return client, aws.ToString(out.QueueUrl)
}

func TestSQSStandard(t *testing.T) {
	ctx := context.Background()
	client, url := newSQSQueue(t, false)
	q := queue.NewSQS(client, url)
	id, dup, err := q.Send(ctx, []byte(`{"lead":"a"}`), queue.SendOptions{DedupeID: "ignored-on-standard"})
	if err != nil || id == "" || dup {
		t.Fatalf("send: %q %v %v", id, dup, err)
	}
	ms, err := q.Receive(ctx, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("receive: %+v %v", ms, err)
	}
	m := ms[0]
	if m.ID != id || string(m.Body) != `{"lead":"a"}` || m.Attempts != 1 || m.Receipt == "" {
		t.Fatalf("message %+v", m)
	}
	if again, _ := q.Receive(ctx, 10); len(again) != 0 {
		t.Fatalf("received while in flight: %+v", again)
	}
	if err := q.Retry(ctx, m, 0); err != nil {
		t.Fatalf("retry: %v", err)
	}
	again, err := q.Receive(ctx, 10)
	if err != nil || len(again) != 1 || again[0].Attempts != 2 {
		t.Fatalf("redelivery: %+v %v", again, err)
	}
	if err := q.Delete(ctx, again[0]); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := q.Delete(ctx, queue.Message{ID: "x", Receipt: "not-a-receipt"}); !errors.Is(err, queue.ErrStaleReceipt) {
		t.Errorf("delete with a bad receipt: %v, want ErrStaleReceipt", err)
	}
	if _, _, err := q.Send(ctx, []byte("x"), queue.SendOptions{Delay: 16 * time.Minute}); err == nil {
		t.Error("a delay above 15 minutes was sent")
	}
}

func TestSQSFIFODeduplicates(t *testing.T) {
	ctx := context.Background()
	client, url := newSQSQueue(t, true)
	q := queue.NewSQS(client, url)
	if _, _, err := q.Send(ctx, []byte("x"), queue.SendOptions{}); err == nil {
		t.Fatal("a FIFO send without DedupeID was accepted")
	}
	for i := 0; i < 2; i++ {
		if _, _, err := q.Send(ctx, []byte(`{"lead":"a"}`), queue.SendOptions{DedupeID: "urn:li:leadGenFormResponse:a|CREATED"}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	ms, err := q.Receive(ctx, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("receive after a duplicate send: %d messages, %v (want 1)", len(ms), err)
	}
	if err := q.Delete(ctx, ms[0]); err != nil {
		t.Fatal(err)
	}
}
