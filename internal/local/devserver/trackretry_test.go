package devserver_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	ctracking "github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/local/devserver"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/tracking"
)

// TestTrackRetryResumesWait: a contact opens the welcome email once, and
// the resume of its wait-for-open fails (Step Functions throttled): the
// open is recorded, the wait given back, a job queued, as the tracking
// endpoint leaves them. The dev server's retry worker resumes the wait and
// the journey takes the opened branch (send-resources), not the timeout's
// reminder.
func TestTrackRetryResumesWait(t *testing.T) {
	ctx := context.Background()
	cfg := devserver.Config{
		Root: "../../../journeys", DataDir: t.TempDir(), Addr: freeAddr(t), Journeys: []string{"../../../journeys/welcome.journey.yaml"},
		Contacts: []string{"../../../journeys/contacts/northwind.contacts.yaml"},
	}
	s, clock := startServer(t, cfg, t0)
	enrolIn(t, s, "welcome", "c-0024")
	advance(t, s, 0)
	u, err := url.Parse(pixel(t, s, "c-0024", "send-intro"))
	if err != nil {
		t.Fatal(err)
	}
	msg := u.Query().Get(ctracking.ParamMessage)
	ref, err := channel.ParseMessageRef(msg)
	if err != nil {
		t.Fatal(err)
	}
	st := s.System().Store
	i, err := st.AppendInteraction(ctx, "northwind", store.Interaction{ID: store.NewID("i-"), Contact: "c-0024", Kind: store.InteractionOpened,
		Channel: channel.Email, At: clock.Now(), Journey: ref.Journey, Version: ref.Version, Step: ref.Step, Message: msg})
	if err != nil {
		t.Fatal(err)
	}
	job := tracking.Job{V: tracking.JobVersion, Message: msg, Interaction: i.ID, Kind: i.Kind, At: i.At, Recorded: true, Event: "email.opened"}
	body, _ := json.Marshal(job)
	q := queue.NewStore(st.(store.Queue), devserver.TrackRetryQueue, queue.StoreOptions{})
	if _, _, err := q.Send(ctx, body, queue.SendOptions{DedupeID: job.DedupeID("northwind")}); err != nil {
		t.Fatal(err)
	}
	if w, _, err := s.TrackRetryQueue(ctx); err != nil || w != 1 {
		t.Fatalf("queued jobs: %d, %v; want 1", w, err)
	}
	advance(t, s, time.Hour)
	if w, d, err := s.TrackRetryQueue(ctx); err != nil || w != 0 || d != 0 {
		t.Fatalf("after the worker: %d waiting, %d dead, %v; want none", w, d, err)
	}
	advance(t, s, 10*24*time.Hour)
	if e := enrolment(t, s, "welcome", "c-0024", "test"); e.Status != store.EnrolmentCompleted {
		t.Errorf("enrolment %s (%s), want completed", e.Status, e.Reason)
	}
	sent := sentSteps(t, s, "c-0024")
	if !slices.Contains(sent, "send-resources") || slices.Contains(sent, "send-reminder") {
		t.Errorf("emails of steps %v: want send-resources (the opened branch), no send-reminder (the timeout's)", sent)
	}
	page, err := st.ListInteractions(ctx, "northwind", "c-0024", store.InteractionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	opens := 0
	for _, it := range page.Items {
		if it.Kind == store.InteractionOpened {
			opens++
		}
	}
	if opens != 1 {
		t.Errorf("%d opens recorded, want 1", opens)
	}
}

// sentSteps lists the steps that emailed a contact, in order.
func sentSteps(t *testing.T, s *devserver.Server, contact string) []string {
	t.Helper()
	msgs, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, m := range msgs {
		if ref, err := channel.ParseMessageRef(m.ID); err == nil && ref.Contact == contact {
			steps = append(steps, ref.Step)
		}
	}
	return steps
}
