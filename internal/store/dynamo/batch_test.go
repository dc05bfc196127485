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
// and BatchGetItem call and answers the other half as UnprocessedItems or
// UnprocessedKeys (moto never does).
type throttling struct {
	mu          sync.Mutex
	calls, held int
}

func (th *throttling) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.Header.Get("X-Amz-Target") {
	case "DynamoDB_20120810.BatchWriteItem":
		return throttle(th, r, "UnprocessedItems", func(reqs json.RawMessage) (pass, held json.RawMessage, n int, err error) {
			var all []json.RawMessage
			if err := json.Unmarshal(reqs, &all); err != nil {
				return nil, nil, 0, err
			}
			half := halve(len(all))
			pass, _ = json.Marshal(all[:half])
			held, _ = json.Marshal(all[half:])
			return pass, held, len(all) - half, nil
		})
	case "DynamoDB_20120810.BatchGetItem":
		return throttle(th, r, "UnprocessedKeys", func(reqs json.RawMessage) (pass, held json.RawMessage, n int, err error) {
			var ka map[string]json.RawMessage
			var keys []json.RawMessage
			if err := json.Unmarshal(reqs, &ka); err != nil {
				return nil, nil, 0, err
			}
			if err := json.Unmarshal(ka["Keys"], &keys); err != nil {
				return nil, nil, 0, err
			}
			half := halve(len(keys))
			ka["Keys"], _ = json.Marshal(keys[:half])
			pass, _ = json.Marshal(ka)
			ka["Keys"], _ = json.Marshal(keys[half:])
			held, _ = json.Marshal(ka)
			return pass, held, len(keys) - half, nil
		})
	}
	return http.DefaultTransport.RoundTrip(r)
}

// halve is how many of n requests a throttled call passes on: the first
// half, or the only one.
func halve(n int) int { return max(n/2, min(n, 1)) }

// throttle sends r's RequestItems through split, passes the first part to
// moto and adds the held part to the answer under field.
func throttle(th *throttling, r *http.Request, field string, split func(json.RawMessage) (pass, held json.RawMessage, n int, err error)) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	var in map[string]json.RawMessage
	var items map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(in["RequestItems"], &items); err != nil {
		return nil, err
	}
	held := map[string]json.RawMessage{}
	th.mu.Lock()
	th.calls++
	for table, reqs := range items {
		pass, rest, n, err := split(reqs)
		if err != nil {
			th.mu.Unlock()
			return nil, err
		}
		items[table] = pass
		if n > 0 {
			held[table] = rest
			th.held += n
		}
	}
	th.mu.Unlock()
	in["RequestItems"], _ = json.Marshal(items)
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
	out[field] = held
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

// TestContentRevisionRetriesUnprocessed proves that the content revision,
// read for both owners in one BatchGetItem, asks again for the keys a
// throttled call left unprocessed instead of reading them as no puts.
func TestContentRevisionRetriesUnprocessed(t *testing.T) {
	if testing.Short() {
		t.Skip("moto: skipped with -short")
	}
	th := &throttling{}
	s, _ := storeThrough(t, th)
	ctx := context.Background()
	before, err := s.ContentRevision(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutContent(ctx, "acme", store.Content{Kind: store.ContentBlock, ID: "footer", Locale: "en", Body: "x", Shared: true}); err != nil {
		t.Fatal(err)
	}
	th.mu.Lock()
	th.calls, th.held = 0, 0
	th.mu.Unlock()
	after, err := s.ContentRevision(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if th.held != 1 || th.calls != 2 {
		t.Fatalf("%d calls held back %d keys, want 2 calls holding back 1", th.calls, th.held)
	}
	if after == before {
		t.Fatalf("revision %q unchanged after a shared block was put: the held-back key was read as no puts", after)
	}
}
