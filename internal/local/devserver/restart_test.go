package devserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/local/devserver"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// TestRestart stops the dev server while contacts wait in the welcome
// journey, on a Wait state (pause), on a wait-for-event task token
// (wait-open) and on an approval's task token (ask-sales), starts it
// again on the same data folder and port, and sees every one finish:
// the open and the approval arrive after the restart, through the
// tracking pixel and the built-in flow.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	cfg := devserver.Config{
		Root: "../../../journeys", DataDir: t.TempDir(), Addr: freeAddr(t), Journeys: []string{"../../../journeys/welcome.journey.yaml"},
		Contacts: []string{"../../../journeys/contacts/northwind.contacts.yaml"},
	}
	s1, clock := startServer(t, cfg, t0)
	enrolIn(t, s1, "welcome", "c-0005") // no open: reminder, then the 2-day pause
	advance(t, s1, 3*24*time.Hour+time.Hour)
	if _, err := s1.System().Store.UpsertContact(ctx, "northwind", store.ContactPatch{ID: "c-0003",
		Attributes: map[string]store.Value{"leadScore": store.NumberValue(80)}}); err != nil {
		t.Fatal(err)
	}
	enrolIn(t, s1, "welcome", "c-0003") // opens: a warm lead waits for the approval
	enrolIn(t, s1, "welcome", "c-0024") // waits for an open
	advance(t, s1, 0)
	if code := get(t, pixel(t, s1, "c-0003", "send-intro")); code != http.StatusOK {
		t.Fatalf("pixel: %d", code)
	}
	advance(t, s1, time.Hour)
	pending, err := s1.Flow().Pending(ctx)
	if err != nil || len(pending) != 1 || pending[0].Contact.ID != "c-0003" {
		t.Fatalf("pending approvals before the restart: %+v, %v", pending, err)
	}
	running := runningNames(t, s1)
	if len(running) != 3 {
		t.Fatalf("running before the restart: %v", running)
	}
	stoppedAt := clock.Now()
	if err := s1.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s2, _ := startServer(t, cfg, stoppedAt)
	if n := s2.Restored(); n != 3 {
		t.Fatalf("restored %d executions, want 3", n)
	}
	for _, r := range s2.Published() {
		if r.Status != "unchanged" || r.Version != 1 {
			t.Fatalf("after the restart: %+v, want welcome v1 unchanged", r)
		}
	}
	if code := get(t, pixel(t, s2, "c-0024", "send-intro")); code != http.StatusOK {
		t.Fatalf("pixel after the restart: %d", code)
	}
	var listed struct {
		Pending []struct{ Approval, Approve string }
	}
	getJSON(t, s2.URL()+"/local/approvals", &listed)
	if len(listed.Pending) != 1 {
		t.Fatalf("approvals listed after the restart: %+v", listed)
	}
	if code := post(t, listed.Pending[0].Approve, ""); code != http.StatusOK {
		t.Fatalf("approve: %d", code)
	}
	advance(t, s2, 10*24*time.Hour)
	for contact, want := range map[string]store.EnrolmentStatus{"c-0005": store.EnrolmentCompleted, "c-0003": store.EnrolmentCompleted, "c-0024": store.EnrolmentCompleted} {
		if e := enrolment(t, s2, "welcome", contact, "test"); e.Status != want {
			t.Errorf("%s: %s (%s), want %s", contact, e.Status, e.Reason, want)
		}
	}
	tasks, err := s2.System().Store.ListSalesTasksByContact(ctx, "northwind", "c-0003")
	if err != nil || len(tasks) != 1 {
		t.Fatalf("sales tasks of the approved lead: %+v, %v", tasks, err)
	}
	if got := runningNames(t, s2); len(got) != 0 {
		t.Fatalf("still running: %v", got)
	}
	// The management API reports the same, through the dev server.
	var status struct {
		Journey struct{ Current int }
		Alias   string
		Active  int `json:"activeEnrolments"`
	}
	getJSON(t, s2.URL()+"/manage/northwind/journeys/welcome", &status)
	if status.Journey.Current != 1 || status.Active != 0 || status.Alias == "" {
		t.Fatalf("management API status: %+v", status)
	}
}

func runningNames(t *testing.T, s *devserver.Server) []string {
	t.Helper()
	machine := s.System().Workflow.MachineArn("journeys-northwind_welcome")
	infos, err := s.System().Workflow.Running(context.Background(), machine, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, i := range infos {
		if i.Status == workflow.StatusRunning {
			out = append(out, i.Name)
		}
	}
	return out
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
