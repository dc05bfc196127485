package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
type KVPersistence struct {
	kv store.KV
}

var _ asl.Persistence = (*KVPersistence)(nil)

// NewKVPersistence returns a Persistence over kv.
func NewKVPersistence(kv store.KV) *KVPersistence { return &KVPersistence{kv: kv} }

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
	if err != nil {
		return nil, err
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
