package local

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
)

func testSnapshot() *asl.Snapshot {
	arn := "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind_welcome:welcome-000814644879d8dfaa2ec64087b379e8"
	data := `{"v":1,"smName":"journeys-northwind_welcome","roleArn":"arn:aws:iam::123456789012:role/StepFunctionsRole","input":"{\"v\":1,\"bu\":\"northwind\",\"journey\":\"welcome\",\"version\":1,\"contact\":\"c-0005-g002514\",\"entry\":\"bench\"}","start":"2026-12-01T09:00:00Z","status":"RUNNING","eventCount":10,"transitions":2,"rng":"cGNnOjhDb3R0fioA7WPb75GEPSE=","timeout":"2027-01-30T09:00:00Z","root":{"state":"Wait for email.opened or email.clicked","phase":6,"input":"{\"v\":1,\"bu\":\"northwind\",\"journey\":\"welcome\",\"version\":1,\"contact\":\"c-0005-g002514\",\"entry\":\"bench\"}","prev":10,"task":{"token":"nRWrsEeSiLaFNX8TYXJuOmF3czpzdGF0ZXM6dXMtZWFzdC0xOjEyMzQ1Njc4OTAxMjpleGVjdXRpb246am91cm5leXMtbm9ydGh3aW5kX3dlbGNvbWU6d2VsY29tZS0wMDA4MTQ2NDQ4NzlkOGRmYWEyZWM2NDA4N2IzNzllOA","timeout":259200,"timeoutDue":"2026-12-04T09:00:00Z","submitted":true}}}`
	return &asl.Snapshot{ExecutionArn: arn, StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:journeys-northwind_welcome:1",
		Name: "welcome-000814644879d8dfaa2ec64087b379e8", Status: asl.StatusRunning,
		StartDate: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Data: []byte(data)}
}

// TestKVPersistenceRoundTrip: a snapshot comes back as it was saved, and
// is stored in well under half its JSON.
func TestKVPersistenceRoundTrip(t *testing.T) {
	ctx := context.Background()
	kv := memory.New(store.Config{})
	p := NewKVPersistence(kv)
	want := testSnapshot()
	for i := range 3 { // later saves and loads reuse pooled writers and readers
		want.StartDate = want.StartDate.Add(time.Duration(i) * time.Hour)
		want.Name = want.Name[:len(want.Name)-1] + string(rune('a'+i))
		if err := p.Save(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := p.Load(ctx, want.ExecutionArn)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("loaded (-saved +loaded):\n%s", diff)
		}
	}
	stored, err := kv.GetKV(ctx, kvExecution+want.ExecutionArn)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(storedSnapshot{ExecutionArn: want.ExecutionArn, StateMachineArn: want.StateMachineArn, Name: want.Name,
		Status: want.Status, StartDate: want.StartDate, Data: want.Data})
	if stored[0] != snapshotDeflate || len(stored) > len(plain)/2 {
		t.Errorf("stored %d bytes (first %#x) for %d bytes of JSON", len(stored), stored[0], len(plain))
	}
}

// TestKVPersistenceOlderForms: snapshots stored as plain JSON (before
// compression) and compressed with the dictionary as first released both
// load: the dictionary may never change.
func TestKVPersistenceOlderForms(t *testing.T) {
	ctx := context.Background()
	kv := memory.New(store.Config{})
	p := NewKVPersistence(kv)
	want := testSnapshot()
	plain, _ := json.Marshal(storedSnapshot{ExecutionArn: want.ExecutionArn, StateMachineArn: want.StateMachineArn, Name: want.Name,
		Status: want.Status, StartDate: want.StartDate, Data: want.Data})
	released, err := base64.StdEncoding.DecodeString(releasedSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string][]byte{"plain JSON": plain, "compressed v1": released} {
		t.Run(name, func(t *testing.T) {
			if err := kv.PutKV(ctx, kvExecution+want.ExecutionArn, raw); err != nil {
				t.Fatal(err)
			}
			got, err := p.Load(ctx, want.ExecutionArn)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("loaded (-want +got):\n%s", diff)
			}
		})
	}
}

// releasedSnapshot is testSnapshot as the first compressed form stored it.
const releasedSnapshot = "AbyU227TQBiEXyUvYPTv7/UpEhcWcSwQXjcHuo5vkPcQYmdtR6khjZ8eFUraONCCVHq12qudnZlvXq5qTbvvNoeyUZ8P2si21uP70wIAn1CXUt8LlK/WRYFauhR8T9heoP0XL+mlFPLQ239U9US/EdC1CFpAlhCMAcYA+V90/kLd/4Pg9NQFDfcuPAOFvMvOsb4AoEPoABGhG7k55+QPjjzDDoEBPfgLHxmzJq02E2HPYV22ocevhOfE0dUienuGFgJ6FhDLhrMohrjxouxG63Y/0nVRmjftTjdajU53aUq51eoBSvephXktc39uwA+TBrQ3c76/ifSi/FhMWeYvV9mHr2k9tWW/61U8hTxLXJUlXc6nvXoHt2kVHZN+RlglaboMb5NqZ3R8XalsvhNI3aIOiKwdo7OkE3VwVPHGLrizzWxlRMy+Cf7JVXh9s8KgyxdwSCYhTZYzZJMZZb3ZpvG8XvHomPME2SSkDN/3rDcmDR+HhU6AcPebx+t0ag49C/A3i/U9AAD//w=="
