package channel_test

import (
	"context"
	"errors"
	"net/mail"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/channel/channeltest"
	"github.com/journeys-oss/journeys/internal/webhook"
)

func TestMessageRef(t *testing.T) {
	tests := []struct {
		name string
		ref  channel.MessageRef
	}{
		{"journey send", channel.MessageRef{BU: "northwind", Contact: "c-81f2", Journey: "welcome", Version: 3, Step: "send-intro", Exec: channel.ExecTag("arn:x", "send-intro")}},
		{"test send", channel.MessageRef{BU: "acme", Contact: "c.1", Test: true, Exec: channel.TestExec()}},
		{"unicode ids", channel.MessageRef{BU: "bü", Contact: "kontakt-ä", Journey: "j", Version: 1, Step: "s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.ref.String()
			if strings.ContainsAny(id, " /+=#,") {
				t.Errorf("id %q is not URL and header safe", id)
			}
			got, err := channel.ParseMessageRef(id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.ref, got); diff != "" {
				t.Error(diff)
			}
		})
	}
	for _, bad := range []string{"", "m1.", "x1.YQ", "m1.!!", "m1." + strings.Repeat("A", 2000), channel.MessageRef{BU: "a"}.String()} {
		if _, err := channel.ParseMessageRef(bad); !errors.Is(err, channel.ErrBadRef) {
			t.Errorf("ParseMessageRef(%.20q) = %v, want ErrBadRef", bad, err)
		}
	}
	a, b := channel.SendKey("e1", "s"), channel.SendKey("e1", "s")
	if a != b || a == channel.SendKey("e2", "s") || a == channel.SendKey("e1", "t") || len(a) != 64 {
		t.Error("SendKey is not a function of execution and step")
	}
}

func FuzzParseMessageRef(f *testing.F) {
	f.Add(channel.MessageRef{BU: "b", Contact: "c", Journey: "j", Version: 2, Step: "s", Exec: "e"}.String())
	f.Add("t1.YQpiCmMKMQpzCmU")
	f.Fuzz(func(t *testing.T, id string) {
		r, err := channel.ParseMessageRef(id)
		if err != nil {
			return
		}
		back, err := channel.ParseMessageRef(r.String())
		if err != nil || back != r {
			t.Fatalf("round trip of %q: %+v, %v", id, back, err)
		}
	})
}

func message(key string) channel.Message {
	return channel.Message{
		ID:             channel.MessageRef{BU: "northwind", Contact: "c-1", Journey: "welcome", Version: 1, Step: "send-intro", Exec: key[:24]}.String(),
		IdempotencyKey: key, Channel: channel.Email, BU: "northwind", Contact: "c-1",
		To: "ada@example.com", From: channel.Address{Name: "Northwind", Email: "hello@northwind.example"},
		Subject: "Welcome, Ada – ünïcode", HTML: "<p>Hello Ada</p>", Text: "Hello Ada\n",
		Headers:  []channel.Header{{Name: "List-Unsubscribe", Value: "<https://t.example/unsubscribe?t=x>"}, {Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"}},
		Template: "welcome-intro", TemplateVersion: 1,
	}
}

func client(t *testing.T, secrets []webhook.Secret, timeout time.Duration) *webhook.Client {
	t.Helper()
	c, err := webhook.NewClient(webhook.ClientOptions{
		Policy:  &webhook.Policy{AllowedHosts: []string{"127.0.0.1"}, HTTPHosts: []string{"127.0.0.1"}, AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
		Secrets: secrets, Timeout: timeout, MaxAttempts: 2,
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWebhookProvider(t *testing.T) {
	secret, _ := webhook.NewSecret(nil)
	other, _ := webhook.NewSecret(nil)
	key := func(s string) string { return strings.Repeat(s, 64)[:64] }
	faults := map[string]channeltest.Fault{key("a"): channeltest.None, key("b"): channeltest.Status500, key("c"): channeltest.Status400, key("d"): channeltest.Status429}
	prov := channeltest.Start(t, []webhook.Secret{secret}, func(k string, n int) channeltest.Fault { return faults[k] })
	p := channel.NewWebhookProvider(client(t, []webhook.Secret{secret}, 2*time.Second), prov.URL, "https://t.example/t/status")
	ctx := context.Background()

	r1, err := p.Deliver(ctx, message(key("a")))
	if err != nil || r1.ProviderID == "" || r1.Status != channel.StatusAccepted {
		t.Fatalf("Deliver = %+v, %v", r1, err)
	}
	r2, err := p.Deliver(ctx, message(key("a")))
	if err != nil || r2 != r1 {
		t.Errorf("repeat Deliver = %+v, %v; want the first receipt %+v", r2, err, r1)
	}
	for k, want := range map[string]error{key("b"): channel.ErrTransient, key("c"): channel.ErrPermanent, key("d"): channel.ErrTransient} {
		if _, err := p.Deliver(ctx, message(k)); !errors.Is(err, want) {
			t.Errorf("fault %v: %v, want %v", faults[k], err, want)
		}
	}
	wrong := channel.NewWebhookProvider(client(t, []webhook.Secret{other}, 2*time.Second), prov.URL, "")
	if _, err := wrong.Deliver(ctx, message(key("e"))); !errors.Is(err, channel.ErrPermanent) {
		t.Errorf("wrongly signed: %v, want a permanent failure (401)", err)
	}
	st := prov.Stats()
	if st.Delivered != 1 || st.Rejected != 1 {
		t.Errorf("stats %+v, want 1 delivered and 1 rejected", st)
	}
	got := prov.Messages()[0]
	if got.To != "ada@example.com" || got.Class != "email" || got.StatusURL != "https://t.example/t/status" || got.Metadata.Template != "welcome-intro" {
		t.Errorf("request as the provider saw it: %+v", got)
	}
}

func TestWebhookProviderBlockedDestination(t *testing.T) {
	secret, _ := webhook.NewSecret(nil)
	c, _ := webhook.NewClient(webhook.ClientOptions{Policy: &webhook.Policy{AnyHost: true}, Secrets: []webhook.Secret{secret}})
	p := channel.NewWebhookProvider(c, "https://169.254.169.254/latest/meta-data", "")
	if _, err := p.Deliver(context.Background(), message(strings.Repeat("f", 64))); !errors.Is(err, channel.ErrPermanent) || !errors.Is(err, webhook.ErrBlocked) && !strings.Contains(err.Error(), "blocked") {
		t.Errorf("metadata address: %v, want a permanent, blocked failure", err)
	}
}

func TestOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	now := time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)
	o := channel.NewOutbox(dir, func() time.Time { return now })
	ctx := context.Background()
	email := message(strings.Repeat("1", 64))
	if _, err := o.Deliver(ctx, email); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Deliver(ctx, email); err != nil {
		t.Fatalf("repeat: %v", err)
	}
	now = now.Add(time.Minute)
	sms := channel.Message{ID: "m1.x", IdempotencyKey: strings.Repeat("2", 64), Channel: channel.SMS, To: "+4917012345", Text: "Hi", Contact: "c-1"}
	push := channel.Message{ID: "t1.y", IdempotencyKey: strings.Repeat("3", 64), Channel: "push", Payload: []byte(`{"title":"Hi"}`), Test: true}
	for _, m := range []channel.Message{sms, push} {
		if _, err := o.Deliver(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	list, err := channel.ListOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Channel+" "+e.ID+" "+e.Subject+" "+e.At.Format(time.TimeOnly)+" "+filepath.Ext(e.File))
	}
	want := []string{"email " + email.ID + " Welcome, Ada – ünïcode 09:30:00 .eml", "sms m1.x  09:31:00 .json", "push t1.y  09:31:00 .json"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}
	f, _ := os.Open(list[0].File)
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("the .eml is not RFC 5322: %v", err)
	}
	if msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative") {
		t.Errorf("headers: %v", msg.Header)
	}
	if html, err := os.ReadFile(list[0].HTML); err != nil || string(html) != "<p>Hello Ada</p>" {
		t.Errorf(".html = %q, %v", html, err)
	}
	if !list[2].Test {
		t.Error("the test send is not marked")
	}
	if _, err := o.Deliver(ctx, channel.Message{IdempotencyKey: "../x", Channel: "sms"}); !errors.Is(err, channel.ErrPermanent) {
		t.Errorf("path in key: %v", err)
	}
}
