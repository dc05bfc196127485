package approval_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

func TestContentHook(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Millisecond); return now }
	block := func(body string) store.Content {
		return store.Content{Kind: store.ContentBlock, ID: "footer", Locale: "default", Version: 2, Body: body}
	}
	for _, tt := range []struct {
		name     string
		approve  bool
		keep     bool          // the pending content was kept
		stored   store.Content // a version stored before the decision
		body     string        // version 2's body afterwards ("" none)
		audit    string
		conflict bool
	}{
		{name: "approve_writes", approve: true, keep: true, body: "new", audit: "Dana approve-content"},
		{name: "reject_writes_nothing", keep: true, audit: "Dana reject-content"},
		{name: "conflict_is_recorded", approve: true, keep: true, stored: block("meanwhile"), body: "meanwhile", audit: "Dana approve-content", conflict: true},
		{name: "same_version_stored_is_fine", approve: true, keep: true, stored: block("new"), body: "new", audit: "Dana approve-content"},
		{name: "pending_gone", approve: true, audit: "Dana approve-content"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := embedded.Open(filepath.Join(t.TempDir(), "s.db"), store.Config{Now: clock}, embedded.Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			a, err := st.CreateApproval(ctx, bu, store.Approval{Kind: store.ApprovalContent, ExpiresAt: clock().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if tt.keep {
				p := approval.PendingContent{V: 1, By: "key:writer", Items: []store.Content{block("new")}}
				if err := approval.KeepPendingContent(ctx, st, bu, a.ID, p, 2*time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			if tt.stored.ID != "" {
				if _, err := st.PutContent(ctx, bu, tt.stored); err != nil {
					t.Fatal(err)
				}
			}
			if a, err = st.DecideApproval(ctx, bu, a.ID, store.Decision{Approved: tt.approve, Responder: "Dana"}); err != nil {
				t.Fatal(err)
			}
			hook := approval.ContentHook{Store: st, Now: clock}
			for range 2 { // a repeated decision acts once
				if err := hook.OnDecision(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			got, err := st.GetContent(ctx, bu, store.ContentBlock, "footer", "default", 0)
			switch {
			case tt.body == "" && !errors.Is(err, store.ErrNotFound):
				t.Errorf("content %+v, %v: want none", got, err)
			case tt.body != "" && (err != nil || got.Body != tt.body || got.Version != 2):
				t.Errorf("content %+v, %v: want v2 %q", got, err, tt.body)
			}
			page, err := st.ListAudit(ctx, bu, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, e := range page.Items {
				lines = append(lines, e.Actor+" "+e.Action)
				if _, ok := e.Details["conflicts"]; ok != tt.conflict {
					t.Errorf("audit details %v: conflicts recorded %v, want %v", e.Details, ok, tt.conflict)
				}
			}
			if diff := cmp.Diff([]string{tt.audit}, lines); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeepPendingContentBounded(t *testing.T) {
	st, err := embedded.Open(filepath.Join(t.TempDir(), "s.db"), store.Config{}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	big := make([]byte, approval.MaxPendingContent)
	p := approval.PendingContent{Items: []store.Content{{Kind: store.ContentBlock, ID: "x", Locale: "default", Version: 1, Body: string(big)}}}
	if err := approval.KeepPendingContent(context.Background(), st, bu, "ap-1", p, time.Hour); !errors.Is(err, approval.ErrPendingTooLarge) {
		t.Errorf("err = %v, want ErrPendingTooLarge", err)
	}
}
