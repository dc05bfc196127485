package manage_test

import (
	"context"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
	"github.com/journeys-oss/journeys/internal/store/dynamo/dynamotest"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// TestContentOnMoto uploads journeys/content into the DynamoDB adapter on
// moto through the API and publishes a journey that the store's content
// checks, as a deployment does.
func TestContentOnMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the moto server")
	}
	cfg := testsvc.AWSConfig(t)
	db, name := dynamotest.Table(t, cfg, "journeys")
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	st, err := dynamo.New(db, name, store.Config{Now: c.now, SuppressionKey: []byte("test-key")})
	if err != nil {
		t.Fatal(err)
	}
	publishWithUploadedContent(t, st, contentDeployment(t, st, c.now))

	// A content approval keeps its pending content in the table and the
	// hook writes it once however often the decision comes.
	ctx := context.Background()
	block := store.Content{Kind: store.ContentBlock, ID: "banner", Locale: "default", Version: 1, Body: "<p>banner</p>", Fields: map[string]string{"params": ""}}
	a, err := st.CreateApproval(ctx, bu, store.Approval{Kind: store.ApprovalContent, ExpiresAt: c.now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := approval.KeepPendingContent(ctx, st, bu, a.ID, approval.PendingContent{V: 1, By: "key:deployer", Items: []store.Content{block}}, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	if a, err = st.DecideApproval(ctx, bu, a.ID, store.Decision{Approved: true, Responder: "Dana"}); err != nil {
		t.Fatal(err)
	}
	hook := approval.ContentHook{Store: st, Now: c.now}
	for range 2 {
		if err := hook.OnDecision(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := st.GetContent(ctx, bu, store.ContentBlock, "banner", "default", 0); err != nil || got.Version != 1 || got.Body != block.Body {
		t.Errorf("approved banner: %+v, %v", got, err)
	}
}
