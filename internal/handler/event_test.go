package handler_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// eventJourney is triggered by webinar.registered, which carries what its
// templates read; it sends at once, branches on an event attribute and
// reminds ten days later.
const eventJourney = `id: webinar
name: Webinar
businessUnit: acme
trigger:
  event: {name: webinar.registered, carries: [webinarTitle, webinarStartsAt, joinUrl, tier]}
steps:
  - {id: confirm, send: {channel: email, template: webinar-reminder}}
  - id: gold
    if: {condition: 'has(event.tier) && event.tier == "gold"', then: later, else: later}
  - {id: later, wait: {duration: 10d}}
  - {id: remind, send: {channel: email, template: webinar-reminder}}
  - {id: text, send: {channel: sms, template: webinar-sms}}
`

var registration = map[string]any{"webinarTitle": "Forecasting <live>", "webinarStartsAt": "2026-12-10T15:00:00Z",
	"joinUrl": "https://webinars.acme.example/j/8841", "tier": "gold"}

// TestSendRendersTriggerEvent: every send of an entry an event started
// renders that event's attributes, days later too, and conditions read
// them; an entry without an event renders them empty.
func TestSendRendersTriggerEvent(t *testing.T) {
	for _, tt := range []struct {
		name    string
		event   map[string]any
		subject string
		html    []string // parts of the email's HTML
		sms     string   // the SMS's text
		gold    bool
	}{
		{"an event's entry", registration, "Starting soon: Forecasting <live>",
			[]string{"Hi Ada, Forecasting &lt;live&gt; starts at 15:00 UTC.", `<a href="https://t.example/t/c?`},
			"Forecasting <live> starts at 15:00 UTC. Join: https://webinars.acme.example/j/8841", true},
		{"an entry without an event", nil, "Starting soon: our webinar", []string{"Hi Ada,  starts at .", `<a href="">`}, "starts at . Join:", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			ctx := context.Background()
			j := f.publish(eventJourney)
			f.contact("acme", "c1", nil)
			if _, err := f.store.CreateEnrolment(ctx, "acme", store.Enrolment{Journey: j, Contact: "c1", Entry: "e1", Version: 1,
				Execution: execution(j, "c1"), Event: tt.event}); err != nil {
				t.Fatal(err)
			}
			send := func(step string) {
				t.Helper()
				if res, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, step)); err != nil || res.Status != "sent" {
					t.Fatalf("send %s = %+v, %v", step, res, err)
				}
			}
			send("confirm")
			res, err := f.h.Evaluate(ctx, req("acme", j, "c1", wire.OpCondition, "gold"))
			if err != nil || res.Result == nil || *res.Result != tt.gold {
				t.Errorf("condition on event.tier = %+v, %v; want %v", res, err, tt.gold)
			}
			f.clock.Set(start.Add(10 * 24 * time.Hour))
			send("remind")
			send("text")

			msgs := f.provider.Messages()
			if len(msgs) != 2 {
				t.Fatalf("provider got %d emails, want 2", len(msgs))
			}
			for i, m := range msgs {
				if m.Subject != tt.subject {
					t.Errorf("email %d subject %q, want %q", i, m.Subject, tt.subject)
				}
				for _, part := range tt.html {
					if !strings.Contains(m.HTML, part) {
						t.Errorf("email %d HTML lacks %q:\n%s", i, part, m.HTML)
					}
				}
			}
			if got := smsText(t, f.outbox+"/acme"); got != tt.sms {
				t.Errorf("sms %q, want %q", got, tt.sms)
			}
		})
	}
}

// smsText returns the text of the one SMS in an outbox folder.
func smsText(t *testing.T, dir string) string {
	t.Helper()
	box, err := channel.ListOutbox(dir)
	if err != nil || len(box) != 1 || box[0].Channel != "sms" {
		t.Fatalf("outbox: %+v, %v; want one sms", box, err)
	}
	raw, err := os.ReadFile(box[0].File)
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Text string }
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.Text
}
