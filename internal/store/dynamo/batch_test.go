package dynamo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/storetest"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// throttling is an HTTP transport in front of moto that, as DynamoDB does
// when it throttles, passes on only the first half of each BatchWriteItem
// call and answers the other half as UnprocessedItems (moto never does).
type throttling struct {
	mu          sync.Mutex
	calls, held int
}

func (th *throttling) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.BatchWriteItem" {
		return http.DefaultTransport.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	var in struct {
		RequestItems map[string][]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	held := map[string][]json.RawMessage{}
	th.mu.Lock()
	th.calls++
	for table, reqs := range in.RequestItems {
		if half := len(reqs) / 2; half > 0 {
			in.RequestItems[table], held[table] = reqs[:half], reqs[half:]
			th.held += len(reqs) - half
		}
	}
	th.mu.Unlock()
	if body, err = json.Marshal(in); err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	out["UnprocessedItems"] = held
	if body, err = json.Marshal(out); err != nil {
		return nil, err
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.Header.Del("X-Amz-Crc32") // the body changed
	return resp, nil
}

// TestBatchWriteRetriesUnprocessed proves that batch writes (interactions,
// erasure's deletes) send UnprocessedItems again until all are written.
func TestBatchWriteRetriesUnprocessed(t *testing.T) {
	if testing.Short() {
		t.Skip("moto: skipped with -short")
	}
	th := &throttling{}
	s, clock := storeThrough(t, th)
	ctx := context.Background()
	var batch []store.Interaction
	for i := range 60 {
		batch = append(batch, store.Interaction{Contact: fmt.Sprint("c-", i%2), Kind: store.InteractionSent, Channel: "email", At: clock.Now().Add(time.Duration(i) * time.Second)})
	}
	if err := s.AppendInteractions(ctx, "acme", batch); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"c-0", "c-1"} {
		if n, err := s.CountInteractions(ctx, "acme", c, store.InteractionSent, "email", time.Time{}); err != nil || n != 30 {
			t.Fatalf("%s: %d interactions stored, want 30 (%v)", c, n, err)
		}
	}
	// 60 items are 3 calls of 25, 25 and 10, each halved until one item
	// is left: every item but the first of each call is held back once.
	if th.held < 60-3 || th.calls <= 3 {
		t.Fatalf("%d calls held back %d items: the throttling did not happen", th.calls, th.held)
	}
	before := th.calls
	if _, err := s.Erase(ctx, "acme", "c-0"); err != nil {
		t.Fatal(err)
	}
	if th.calls-before < 2 {
		t.Fatalf("erasure made %d batch calls", th.calls-before)
	}
	if p, err := s.ListInteractions(ctx, "acme", "c-0", store.InteractionQuery{}); err != nil || len(p.Items) != 0 {
		t.Fatalf("after erasure %d interactions (%v)", len(p.Items), err)
	}
}

// storeThrough opens a store on a fresh moto table whose requests go
// through rt (a transport that changes what moto answers).
func storeThrough(t *testing.T, rt http.RoundTripper) (*Store, *storetest.Clock) {
	t.Helper()
	db := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(testsvc.Moto(t)),
		HTTPClient:   &http.Client{Transport: rt},
	})
	table := createTable(t, db)
	clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	s, err := New(db, table, storetest.Config(clock))
	if err != nil {
		t.Fatal(err)
	}
	return s, clock
}
