package devserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/local/devserver"
	"github.com/journeys-oss/journeys/internal/store"
)

// TestEventAttributesReachMessages posts webinar.registered to the dev
// server's POST /events as a webinar platform would, and finds the
// event's title and time in the messages the webinar journey sends: the
// confirmation at once, the reminders nine days later.
func TestEventAttributesReachMessages(t *testing.T) {
	ctx := context.Background()
	s, _ := startServer(t, devserver.Config{
		Root: "../../../journeys", DataDir: t.TempDir(), Addr: freeAddr(t),
		Journeys: []string{"../../../journeys/webinar.journey.yaml"},
		Contacts: []string{"../../../journeys/contacts/northwind.contacts.yaml"},
	}, t0)
	const key = "jk_test_webinar_platform"
	if err := s.System().Store.PutAPIKey(ctx, store.APIKey{Hash: intake.HashAPIKey(key), BU: "northwind", Name: "webinars"}); err != nil {
		t.Fatal(err)
	}
	body := `{"name":"webinar.registered","id":"reg-501","contact":"c-0006","attributes":{"webinarId":"nw-2026-12-forecasting",` +
		`"webinarTitle":"Forecasting with confidence","webinarStartsAt":"2026-12-10T15:00:00Z","joinUrl":"https://webinars.northwind-analytics.example/j/8841"}}`
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var res intake.Result
	if err := json.Unmarshal(raw, &res); resp.StatusCode != http.StatusOK || err != nil || len(res.Started) != 1 || len(res.Started[0].Missing) != 0 {
		t.Fatalf("POST /events: %d %s", resp.StatusCode, raw)
	}
	advance(t, s, 0)
	advance(t, s, 9*24*time.Hour+8*time.Hour) // past 09:00 in New York on 10 December

	want := map[string][]string{ // step → what its message shows
		"confirm":      {"You're registered: Forecasting with confidence", "Thursday, December 10, 2026 at 15:00 UTC"},
		"remind-email": {"Starting soon: Forecasting with confidence", "starts at 15:00 UTC"},
		"remind-sms":   {`Forecasting with confidence\" starts at 15:00 UTC. Join: https://webinars.northwind-analytics.example/j/8841 `},
	}
	msgs, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		ref, err := channel.ParseMessageRef(m.ID)
		if err != nil || ref.Contact != "c-0006" || want[ref.Step] == nil {
			continue
		}
		seen[ref.Step] = true
		file := m.HTML
		if file == "" {
			file = m.File
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		shown := m.Subject + "\n" + string(b)
		for _, part := range want[ref.Step] {
			if !strings.Contains(shown, part) {
				t.Errorf("%s: message lacks %q:\n%s", ref.Step, part, shown)
			}
		}
	}
	for step := range want {
		if !seen[step] {
			t.Errorf("no message of step %s in the outbox (%d messages)", step, len(msgs))
		}
	}
}
