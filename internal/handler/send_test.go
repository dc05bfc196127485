package handler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/channel/channeltest"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

const sendSteps = `  - {id: hello, send: {channel: email, template: hello}}
  - {id: notice, send: {channel: email, template: notice}}
  - {id: text, send: {channel: sms, template: reminder-sms}}
  - {id: push, send: {channel: custom, customChannel: push, template: push-hello}}
`

func TestSendDelivers(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	j := f.publish(journeyYAML("sends", "", sendSteps))
	f.contact("acme", "c1", nil)
	f.enrol("acme", j, "c1")
	ctx := context.Background()
	for i, step := range []string{"hello", "notice", "text", "push"} {
		f.clock.Set(start.Add(time.Duration(i) * time.Second))
		res, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, step))
		if err != nil || res.Status != "sent" {
			t.Fatalf("send %s = %+v, %v", step, res, err)
		}
	}
	msgs := f.provider.Messages()
	if len(msgs) != 2 {
		t.Fatalf("provider got %d messages, want the two emails", len(msgs))
	}
	hello := msgs[0]
	if hello.To != "c1@example.com" || hello.Subject != "Hello Ada" || hello.Metadata.Topic != "news" || hello.From.Email != "hello@acme.example" {
		t.Errorf("email as delivered: to %q subject %q topic %q from %+v", hello.To, hello.Subject, hello.Metadata.Topic, hello.From)
	}
	if !strings.Contains(hello.HTML, "https://t.example/t/c?") || !strings.Contains(hello.HTML, "https://t.example/t/o?") {
		t.Error("marketing email lacks tracked links or the open pixel")
	}
	var unsub bool
	for _, h := range hello.Headers {
		unsub = unsub || h.Name == "List-Unsubscribe-Post"
	}
	if !unsub {
		t.Error("marketing email lacks the one-click unsubscribe headers")
	}
	ref, err := channel.ParseMessageRef(hello.ID)
	if err != nil || ref.Contact != "c1" || ref.Step != "hello" || ref.Exec != channel.ExecTag(execution(j, "c1"), "hello") {
		t.Errorf("message id %+v, %v", ref, err)
	}
	box, err := channel.ListOutbox(f.outbox + "/acme")
	if err != nil || len(box) != 2 || box[0].Channel != "sms" && box[1].Channel != "sms" {
		t.Errorf("outbox: %+v, %v", box, err)
	}
	want := []string{"hello sent: sent on email", "notice sent: sent on email", "text sent: sent on sms", "push sent: sent on push"}
	if diff := cmp.Diff(want, f.stepLogs("acme", "c1")); diff != "" {
		t.Errorf("step logs (-want +got):\n%s", diff)
	}
	wantFunnel := map[string]int64{"hello/sent": 1, "notice/sent": 1, "text/sent": 1, "push/sent": 1}
	if diff := cmp.Diff(wantFunnel, f.funnel("acme", j)); diff != "" {
		t.Errorf("funnel (-want +got):\n%s", diff)
	}
	// The outbox says delivered at once: sent and delivered are recorded.
	wantIn := []string{"email.sent", "email.sent", "push.delivered", "push.sent", "sms.delivered", "sms.sent"}
	if diff := cmp.Diff(wantIn, f.interactions("acme", "c1")); diff != "" {
		t.Errorf("interactions (-want +got):\n%s", diff)
	}

	// Repeated invocations (a Lambda retry, a Step Functions retry) return
	// the stored result and deliver nothing more.
	f.clock.Set(start.Add(time.Hour))
	for i := 0; i < 3; i++ {
		if res, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, "hello")); err != nil || res.Status != "sent" {
			t.Fatalf("repeat = %+v, %v", res, err)
		}
	}
	if st := f.provider.Stats(); st.Delivered != 2 || st.Requests != 2 {
		t.Errorf("provider after repeats: %+v", st)
	}
	if n := len(f.stepLogs("acme", "c1")); n != 4 {
		t.Errorf("%d step logs after repeats, want 4", n)
	}
}

func TestSendSkips(t *testing.T) {
	denied := store.Consent{Status: store.ConsentDenied, Source: "test", At: start.Add(-time.Minute)}
	tests := []struct {
		name   string
		step   string
		edit   func(p *store.ContactPatch)
		before func(f *fixture)
		reason string
	}{
		{"no email consent", "hello", func(p *store.ContactPatch) { p.Channels = map[string]store.Consent{"email": denied} }, nil, "no email consent"},
		{"email consent unknown", "hello", func(p *store.ContactPatch) { p.Channels = nil }, nil, "no email consent"},
		{"no sms consent", "text", func(p *store.ContactPatch) { p.Channels = map[string]store.Consent{"email": granted} }, nil, "no sms consent"},
		{"no email address", "hello", func(p *store.ContactPatch) { p.Email = nil }, nil, "no email address"},
		{"no phone number", "text", func(p *store.ContactPatch) { p.Phone = nil }, nil, "no phone number"},
		{"topic denied", "hello", func(p *store.ContactPatch) { p.Topics = map[string]store.Consent{"news": denied} }, nil, "no consent for topic news"},
		{"suppressed address", "hello", nil, func(f *fixture) {
			f.store.Suppress(context.Background(), "acme", store.AddressEmail, "c1@example.com", store.SuppressedBounce)
		}, "address suppressed"},
		{"transactional never skips suppression", "notice", nil, func(f *fixture) {
			f.store.Suppress(context.Background(), "acme", store.AddressEmail, "C1@Example.com", store.SuppressedComplaint)
		}, "address suppressed"},
		{"frequency cap skip", "text", nil, func(f *fixture) {
			for i := 0; i < 2; i++ {
				f.store.AppendInteraction(context.Background(), "acme", store.Interaction{Contact: "c1", Kind: store.InteractionSent, Channel: "sms", At: start.Add(-time.Duration(i+1) * time.Hour)})
			}
		}, "frequency cap"},
	}
	extras := "policies:\n  frequencyCap: [{channel: sms, max: 2, per: 7d, then: skip}]\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			j := f.publish(journeyYAML("skips", extras, sendSteps))
			f.contact("acme", "c1", tt.edit)
			f.enrol("acme", j, "c1")
			if tt.before != nil {
				tt.before(f)
			}
			res, err := f.h.Send(context.Background(), req("acme", j, "c1", wire.OpSend, tt.step))
			if err != nil || res.Status != "skipped" {
				t.Fatalf("Send = %+v, %v; want skipped", res, err)
			}
			if diff := cmp.Diff([]string{tt.step + " skipped: " + tt.reason}, f.stepLogs("acme", "c1")); diff != "" {
				t.Errorf("step log (-want +got):\n%s", diff)
			}
			if got := f.funnel("acme", j)[tt.step+"/skipped"]; got != 1 {
				t.Errorf("skipped counter %d", got)
			}
			if st := f.provider.Stats(); st.Requests != 0 {
				t.Errorf("provider was called: %+v", st)
			}
		})
	}
}

func TestSendTransactionalSkipsTopicConsent(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	j := f.publish(journeyYAML("tx", "", sendSteps))
	f.contact("acme", "c1", func(p *store.ContactPatch) {
		p.Topics = map[string]store.Consent{"news": {Status: store.ConsentDenied, At: start}}
	})
	f.enrol("acme", j, "c1")
	if res, err := f.h.Send(context.Background(), req("acme", j, "c1", wire.OpSend, "notice")); err != nil || res.Status != "sent" {
		t.Fatalf("transactional send = %+v, %v", res, err)
	}
	if res, err := f.h.Send(context.Background(), req("acme", j, "c1", wire.OpSend, "hello")); err != nil || res.Status != "skipped" {
		t.Fatalf("marketing send = %+v, %v", res, err)
	}
}

// TestSendImpossibleBeforeDeferral: a send that can never happen (no
// consent, a denied topic, a suppressed address) is skipped at once, not
// held by quiet hours or a full frequency cap first.
func TestSendImpossibleBeforeDeferral(t *testing.T) {
	denied := store.Consent{Status: store.ConsentDenied, Source: "test", At: start.Add(-time.Minute)}
	policies := "policies:\n  quietHours: {from: \"21:00\", to: \"08:00\"}\n  frequencyCap: [{channel: email, max: 2, per: 1d, then: delay}]\n"
	night := time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC)
	capFull := func(f *fixture) {
		for _, ago := range []time.Duration{20 * time.Hour, 2 * time.Hour} {
			f.store.AppendInteraction(context.Background(), "acme", store.Interaction{Contact: "c1", Kind: store.InteractionSent, Channel: "email", At: start.Add(-ago)})
		}
	}
	tests := []struct {
		name   string
		now    time.Time
		edit   func(p *store.ContactPatch)
		before func(f *fixture)
		reason string
	}{
		{"topic denied in quiet hours", night, func(p *store.ContactPatch) { p.Topics = map[string]store.Consent{"news": denied} }, nil, "no consent for topic news"},
		{"topic denied with the cap full", start, func(p *store.ContactPatch) { p.Topics = map[string]store.Consent{"news": denied} }, capFull, "no consent for topic news"},
		{"no email consent in quiet hours", night, func(p *store.ContactPatch) { p.Channels = map[string]store.Consent{"email": denied} }, nil, "no email consent"},
		{"suppressed with the cap full", start, nil, func(f *fixture) {
			capFull(f)
			f.store.Suppress(context.Background(), "acme", store.AddressEmail, "c1@example.com", store.SuppressedBounce)
		}, "address suppressed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			f.clock.Set(tt.now)
			j := f.publish(journeyYAML("order", policies, sendSteps))
			f.contact("acme", "c1", func(p *store.ContactPatch) {
				p.Timezone = store.String("Europe/Berlin")
				if tt.edit != nil {
					tt.edit(p)
				}
			})
			f.enrol("acme", j, "c1")
			if tt.before != nil {
				tt.before(f)
			}
			res, err := f.h.Send(context.Background(), req("acme", j, "c1", wire.OpSend, "hello"))
			if err != nil || res.Status != "skipped" {
				t.Fatalf("Send = %+v, %v; want skipped at once", res, err)
			}
			if diff := cmp.Diff([]string{"hello skipped: " + tt.reason}, f.stepLogs("acme", "c1")); diff != "" {
				t.Errorf("step log (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSendQuietHoursAndCaps(t *testing.T) {
	quiet := "policies:\n  quietHours: {from: \"21:00\", to: \"08:00\"}\n  frequencyCap: [{channel: email, max: 2, per: 1d, then: delay}]\n"
	tests := []struct {
		name      string
		now       time.Time
		zone      string
		sentAgo   []time.Duration
		wantErr   string
		wantUntil string
		reason    string
	}{
		{"berlin night defers to 08:00 berlin", time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC), "Europe/Berlin", nil, wire.ErrDeferred, "2026-12-01T07:00:00Z", "quiet hours until 08:00"},
		{"same time is afternoon in new york", time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC), "America/New_York", nil, "", "", ""},
		{"new york night", time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), "America/New_York", nil, wire.ErrDeferred, "2026-12-01T13:00:00Z", "quiet hours until 08:00"},
		{"quiet hours across spring forward", time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC), "Europe/Berlin", nil, wire.ErrDeferred, "2026-03-29T06:00:00Z", "quiet hours until 08:00"},
		{"no zone uses the unit's (berlin)", time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC), "", nil, wire.ErrDeferred, "2026-12-01T07:00:00Z", "quiet hours until 08:00"},
		{"cap full delays until it frees", start, "Europe/Berlin", []time.Duration{20 * time.Hour, 2 * time.Hour}, wire.ErrDeferred, "2026-11-30T14:00:00Z", "frequency cap: 2 email per 1d"},
		{"cap with room sends", start, "Europe/Berlin", []time.Duration{30 * time.Hour, 2 * time.Hour}, "", "", ""},
		{"a send exactly a period ago has left it", start, "Europe/Berlin", []time.Duration{24 * time.Hour, 2 * time.Hour}, "", "", ""},
		{"a send just inside the period counts", start, "Europe/Berlin", []time.Duration{24*time.Hour - time.Second, 2 * time.Hour}, wire.ErrDeferred, "2026-11-30T10:00:01Z", "frequency cap: 2 email per 1d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			f.clock.Set(tt.now)
			j := f.publish(journeyYAML("quiet", quiet, sendSteps))
			f.contact("acme", "c1", func(p *store.ContactPatch) { p.Timezone = store.String(tt.zone) })
			f.enrol("acme", j, "c1")
			for _, ago := range tt.sentAgo {
				f.store.AppendInteraction(context.Background(), "acme", store.Interaction{Contact: "c1", Kind: store.InteractionSent, Channel: "email", At: tt.now.Add(-ago)})
			}
			res, err := f.h.Send(context.Background(), req("acme", j, "c1", wire.OpSend, "hello"))
			if errName(err) != tt.wantErr {
				t.Fatalf("Send = %+v, %v; want %q", res, err, tt.wantErr)
			}
			if tt.wantErr == "" {
				if res.Status != "sent" {
					t.Fatalf("status %q", res.Status)
				}
				return
			}
			if e := err.(*wire.Error); e.Message != tt.wantUntil {
				t.Errorf("deferred until %s, want %s", e.Message, tt.wantUntil)
			}
			if diff := cmp.Diff([]string{"hello deferred: " + tt.reason}, f.stepLogs("acme", "c1")); diff != "" {
				t.Errorf("step log (-want +got):\n%s", diff)
			}
			// Once the window has passed the same step sends.
			until, _ := time.Parse(time.RFC3339, tt.wantUntil)
			f.clock.Set(until)
			if res, err := f.h.Send(context.Background(), req("acme", j, "c1", wire.OpSend, "hello")); err != nil || res.Status != "sent" {
				t.Errorf("after the deferral: %+v, %v", res, err)
			}
		})
	}
}

func TestSendProviderAnswers(t *testing.T) {
	tests := []struct {
		name    string
		fault   channeltest.Fault
		wantErr string
		log     string
	}{
		{"4xx is a permanent failure", channeltest.Status400, wire.ErrDeliveryFailed, "hello failed: provider refused the message"},
		{"5xx is transient", channeltest.Status500, wire.ErrTransient, ""},
		{"429 is transient", channeltest.Status429, wire.ErrTransient, ""},
		{"timeout is transient", channeltest.Hang, wire.ErrTransient, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{timeout: 300 * time.Millisecond,
				faults: func(string, int) channeltest.Fault { return tt.fault }})
			j := f.publish(journeyYAML("answers", "", sendSteps))
			f.contact("acme", "c1", nil)
			f.enrol("acme", j, "c1")
			ctx := context.Background()
			for i := 0; i < 2; i++ { // a repeat answers the same
				_, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, "hello"))
				if errName(err) != tt.wantErr {
					t.Fatalf("attempt %d: %v, want %s", i, err, tt.wantErr)
				}
			}
			var want []string
			if tt.log != "" {
				want = []string{tt.log}
			}
			if diff := cmp.Diff(want, f.stepLogs("acme", "c1")); diff != "" {
				t.Errorf("step log (-want +got):\n%s", diff)
			}
			if tt.fault == channeltest.Status400 && f.funnel("acme", j)["hello/failed"] != 1 {
				t.Errorf("failed counter %v", f.funnel("acme", j))
			}
		})
	}
}

func TestSendLeaseHeld(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	j := f.publish(journeyYAML("lease", "", sendSteps))
	f.contact("acme", "c1", nil)
	f.enrol("acme", j, "c1")
	ctx := context.Background()
	key := "send-" + channel.SendKey(execution(j, "c1"), "hello")
	rec, err := f.store.BeginIdempotency(ctx, "acme", key, time.Minute) // another invocation is sending
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, "hello")); errName(err) != wire.ErrTransient {
		t.Fatalf("with the lease held: %v, want Journey.Transient", err)
	}
	f.store.CompleteIdempotency(ctx, "acme", key, rec.Token, []byte(`{"status":"sent"}`), time.Hour)
	if res, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, "hello")); err != nil || res.Status != "sent" {
		t.Fatalf("after the holder completed: %+v, %v", res, err)
	}
	if st := f.provider.Stats(); st.Requests != 0 {
		t.Errorf("the duplicate sent anyway: %+v", st)
	}
}

// TestSendBlockOverrides: a send step's blocks put another block into the
// template's slot; a step of the same template without them renders the
// default; an unpinned override renders the version the journey was
// published with.
func TestSendBlockOverrides(t *testing.T) {
	const steps = `  - {id: plain, send: {channel: email, template: promo}}
  - {id: spring, send: {channel: email, template: promo, blocks: {hero: spring-hero}}}
  - {id: pinned, send: {channel: email, template: promo, blocks: {hero: spring-hero@1}}}
`
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		pins map[string]int
		want map[string]string // step → the hero it delivers
	}{
		{"latest", nil, map[string]string{
			"plain": "Default hero for Ada", "spring": "Spring hero v2 for Ada", "pinned": "Spring hero v1 for Ada"}},
		{"published pins", map[string]int{"block/spring-hero/": 1}, map[string]string{
			"plain": "Default hero for Ada", "spring": "Spring hero v1 for Ada", "pinned": "Spring hero v1 for Ada"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			j := f.publishPinned(journeyYAML("promos", "", steps), tc.pins)
			f.contact("acme", "c1", nil)
			f.enrol("acme", j, "c1")
			for i, step := range []string{"plain", "spring", "pinned"} {
				f.clock.Set(start.Add(time.Duration(i) * time.Second))
				if res, err := f.h.Send(ctx, req("acme", j, "c1", wire.OpSend, step)); err != nil || res.Status != "sent" {
					t.Fatalf("send %s = %+v, %v", step, res, err)
				}
			}
			got := map[string]string{}
			for _, m := range f.provider.Messages() {
				ref, err := channel.ParseMessageRef(m.ID)
				if err != nil {
					t.Fatal(err)
				}
				_, h1, _ := strings.Cut(m.HTML, "<h1>")
				h1, _, _ = strings.Cut(h1, "</h1>")
				got[ref.Step] = h1
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("heroes delivered (-want +got):\n%s", diff)
			}
		})
	}
}
