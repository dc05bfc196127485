package local

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/store"
)

// Key prefixes in the KV store.
const (
	kvMachine   = "sfn/machine/"   // + machine name → machineRecord
	kvVersion   = "sfn/version/"   // + machine name + "/" + %010d → the definition
	kvExecution = "sfn/execution/" // + execution ARN → snapshot
)

// KVPersistence keeps the engine's execution snapshots in a store.KV (the
// embedded store), one value per execution. It is safe for concurrent use.
//
// A snapshot is JSON that repeats itself (the execution ARN, the input in
// three places, the task token); a hundred thousand waiting contacts kept
// 1.4 KB each of it in the store file, which the dev server maps into
// memory. So values are stored compressed: snapshotDeflate, then DEFLATE
// at level 2 (Go's level 1 does not use a preset dictionary) with
// snapshotDict as the preset dictionary: about a third of the JSON. Values stored as plain JSON (they start with '{') by
// earlier versions still load.
type KVPersistence struct {
	kv      store.KV
	writers sync.Pool // of *flate.Writer with the dictionary
	// readers holds flate readers for reuse: each new one allocates about
	// 40 KB, which restoring a hundred thousand waiting executions made
	// 4 GB of garbage and a heap several times the restored one.
	readers sync.Pool // of io.ReadCloser that are flate.Resetter
}

// snapshotDeflate is the first byte of a compressed snapshot;
// snapshotLevel its compression level.
const (
	snapshotDeflate = 0x01
	snapshotLevel   = 2
)

// snapshotDict is the preset dictionary of compressed snapshots: what
// every snapshot of a compiled journey's execution says. It must never
// change (a new dictionary needs a new first byte).
const snapshotDict = `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:journeys-","stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:journeys-","name":"","status":"RUNNING","startDate":"","data":{"v":1,"smName":"journeys-","roleArn":"arn:aws:iam::123456789012:role/StepFunctionsRole","input":"{\"v\":1,\"bu\":\"\",\"journey\":\"\",\"version\":1,\"contact\":\"\",\"entry\":\"\"}","start":"","status":"RUNNING","eventCount":,"transitions":,"rng":"","timeout":"","root":{"state":"","phase":,"input":"","eff":"","prev":,"entered":"","enterId":,"task":{"token":"","timeout":,"timeoutDue":"","submitted":true}}}}`

var _ asl.Persistence = (*KVPersistence)(nil)

// NewKVPersistence returns a Persistence over kv.
func NewKVPersistence(kv store.KV) *KVPersistence { return &KVPersistence{kv: kv} }

// compress returns the stored form of a snapshot's JSON.
func (p *KVPersistence) compress(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(raw)/2 + 16)
	buf.WriteByte(snapshotDeflate)
	w, _ := p.writers.Get().(*flate.Writer)
	if w == nil {
		var err error
		if w, err = flate.NewWriterDict(&buf, snapshotLevel, []byte(snapshotDict)); err != nil {
			return nil, err
		}
	} else {
		w.Reset(&buf)
	}
	_, err := w.Write(raw)
	if err == nil {
		err = w.Close()
	}
	p.writers.Put(w)
	return buf.Bytes(), err
}

// decompress returns a stored snapshot's JSON.
func (p *KVPersistence) decompress(stored []byte) ([]byte, error) {
	if len(stored) == 0 || stored[0] != snapshotDeflate {
		return stored, nil // plain JSON
	}
	src := bytes.NewReader(stored[1:])
	r, _ := p.readers.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReaderDict(src, []byte(snapshotDict))
	} else if err := r.(flate.Resetter).Reset(src, []byte(snapshotDict)); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(4*len(stored) + bytes.MinRead) // snapshots compress to about a third; ReadFrom wants MinRead spare
	_, err := out.ReadFrom(r)
	if err == nil {
		err = r.Close()
	}
	if err != nil {
		return nil, err
	}
	p.readers.Put(r)
	return out.Bytes(), nil
}

// storedSnapshot is a snapshot as stored: Data stays JSON rather than
// becoming base64.
type storedSnapshot struct {
	ExecutionArn    string          `json:"executionArn"`
	StateMachineArn string          `json:"stateMachineArn"`
	Name            string          `json:"name"`
	Status          asl.Status      `json:"status"`
	StartDate       time.Time       `json:"startDate"`
	StopDate        time.Time       `json:"stopDate,omitzero"`
	Data            json.RawMessage `json:"data"`
}

// Save stores a snapshot.
func (p *KVPersistence) Save(ctx context.Context, s *asl.Snapshot) error {
	raw, err := json.Marshal(storedSnapshot{
		ExecutionArn: s.ExecutionArn, StateMachineArn: s.StateMachineArn, Name: s.Name,
		Status: s.Status, StartDate: s.StartDate, StopDate: s.StopDate, Data: s.Data,
	})
	if err == nil {
		raw, err = p.compress(raw)
	}
	if err != nil {
		return fmt.Errorf("encode snapshot %s: %w", s.ExecutionArn, err)
	}
	return p.kv.PutKV(ctx, kvExecution+s.ExecutionArn, raw)
}

// Load returns a snapshot, or an error wrapping asl.ErrNotFound.
func (p *KVPersistence) Load(ctx context.Context, arn string) (*asl.Snapshot, error) {
	raw, err := p.kv.GetKV(ctx, kvExecution+arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("load snapshot %s: %w", arn, asl.ErrNotFound)
	}
	if err == nil {
		raw, err = p.decompress(raw)
	}
	if err != nil {
		return nil, fmt.Errorf("load snapshot %s: %w", arn, err)
	}
	var st storedSnapshot
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("decode snapshot %s: %w", arn, err)
	}
	return &asl.Snapshot{ExecutionArn: st.ExecutionArn, StateMachineArn: st.StateMachineArn, Name: st.Name,
		Status: st.Status, StartDate: st.StartDate, StopDate: st.StopDate, Data: st.Data}, nil
}

// Delete removes a snapshot.
func (p *KVPersistence) Delete(ctx context.Context, arn string) error {
	return p.kv.DeleteKV(ctx, kvExecution+arn)
}

// List returns the ARNs of every stored snapshot, sorted.
func (p *KVPersistence) List(ctx context.Context) ([]string, error) {
	var arns []string
	err := listKV(ctx, p.kv, kvExecution, func(kv store.KVPair) error {
		arns = append(arns, strings.TrimPrefix(kv.Key, kvExecution))
		return nil
	})
	return arns, err
}

// listKV calls fn for every pair under prefix, in key order.
func listKV(ctx context.Context, kv store.KV, prefix string, fn func(store.KVPair) error) error {
	cursor := ""
	for {
		page, err := kv.ListKV(ctx, prefix, cursor, store.MaxLimit)
		if err != nil {
			return err
		}
		for _, p := range page.Items {
			if err := fn(p); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		cursor = page.Next
	}
}
