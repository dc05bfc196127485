package preference_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/journeys-oss/journeys/internal/content/preference"
	ctracking "github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
	"github.com/journeys-oss/journeys/internal/tracking"
)

const chromiumPath = "/usr/bin/chromium"

// noTasks answers no waits: the preference centre resumes none.
type noTasks struct{}

func (noTasks) SendTaskSuccess(context.Context, string, string) error { return nil }

// wiring is the tracking endpoint as the track function and the dev server
// build it (tracking.New: the preference page over tracking.Consents over
// the store), on a loopback server, over the memory store.
type wiring struct {
	st    *memory.Store
	url   string // the unsubscribe link of a marketing email to c-1
	links *ctracking.Links
}

const bu = "acme"

func newWiring(t *testing.T) *wiring {
	t.Helper()
	dir := t.TempDir()
	src := "businessUnit: acme\ntracking: {keys: [{id: k1, secret: tracking-key}]}\n" +
		"preferences:\n  brand: Acme\n" +
		"  topics: [{id: newsletter, label: Newsletter, default: true}, {id: offers, label: Offers}]\n" +
		"  channels: [{id: email, label: Email, default: true}, {id: sms, label: Text messages, default: true}]\n"
	if err := os.WriteFile(filepath.Join(dir, "acme.settings.yaml"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{settings.EnvName("tracking-key"): "acme-tracking-key-0123456789"}
	secrets := &settings.LocalSecrets{File: filepath.Join(dir, "secrets.yaml"), Getenv: func(k string) string { return vars[k] }, NoGenerate: true}
	sd := settings.NewDir(dir)
	st := memory.New(store.Config{}) // real time: the browser's form nonce must not expire
	if _, err := st.UpsertContact(context.Background(), bu, store.ContactPatch{ID: "c-1", Email: store.String("ada@example.com")}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/t"
	renderers := handler.NewContentRenderers(nil, sd, secrets, base)
	h, err := tracking.New(tracking.Config{Store: st, Links: renderers, Settings: sd, Secrets: secrets, Tasks: noTasks{}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = http.StripPrefix("/t", h)
	srv.Start()
	t.Cleanup(srv.Close)
	links, err := renderers.Links(context.Background(), bu)
	if err != nil {
		t.Fatal(err)
	}
	token, err := links.Signer.Token(ctracking.Subscriber{BU: bu, Contact: "c-1", Message: "m-1", Topic: "newsletter"})
	if err != nil {
		t.Fatal(err)
	}
	return &wiring{st: st, url: links.Unsubscribe(token), links: links}
}

// consent is a stored consent without its time.
type consent struct{ Status, Source string }

// stored returns the contact's recorded topic and channel consents.
func (w *wiring) stored(t *testing.T) (topics, channels map[string]consent) {
	t.Helper()
	c, err := w.st.GetContact(context.Background(), bu, "c-1")
	if err != nil {
		t.Fatal(err)
	}
	conv := func(m map[string]store.Consent) map[string]consent {
		out := map[string]consent{}
		for k, v := range m {
			if v.At.IsZero() {
				t.Errorf("consent %s has no time", k)
			}
			out[k] = consent{string(v.Status), v.Source}
		}
		return out
	}
	return conv(c.Topics), conv(c.Channels)
}

// TestBrowser drives the preference centre in headless Chromium through
// the real wiring: the unsubscribe link of an email opens the page with
// the contact's state, each change saved through the form shows in the
// stored contact's consent (topics, channels, then unsubscribe from
// everything), and the page shows what the store holds.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s is missing: run `make tools` (it installs Debian's chromium)", chromiumPath)
	}
	w := newWiring(t)
	browser := newBrowser(t)
	page := &page{t: t, ctx: browser}

	page.do("open the unsubscribe link", chromedp.Navigate(w.url), chromedp.WaitVisible(chromedp.ID("prefs")))
	if title := page.eval(`document.title`); title != "Email preferences" {
		t.Fatalf("title %q", title)
	}
	page.want("before any change (the catalogue's defaults)", map[string]bool{
		"topic-newsletter": true, "topic-offers": false, "channel-email": true, "channel-sms": true})
	w.wantStored(t, "before any change", map[string]consent{}, map[string]consent{})

	page.save("topics", "topic-newsletter", "topic-offers")
	page.want("after the topics change", map[string]bool{
		"topic-newsletter": false, "topic-offers": true, "channel-email": true, "channel-sms": true})
	w.wantStored(t, "after the topics change", map[string]consent{
		"newsletter": {"denied", preference.SourcePage}, "offers": {"granted", preference.SourcePage},
	}, map[string]consent{})

	page.save("channels", "channel-sms")
	page.want("after the channel change", map[string]bool{
		"topic-newsletter": false, "topic-offers": true, "channel-email": true, "channel-sms": false})
	w.wantStored(t, "after the channel change", map[string]consent{
		"newsletter": {"denied", preference.SourcePage}, "offers": {"granted", preference.SourcePage},
	}, map[string]consent{"sms": {"denied", preference.SourcePage}})

	page.save("unsubscribe from everything", "unsubscribe-all")
	page.want("after unsubscribing from everything", map[string]bool{
		"topic-newsletter": false, "topic-offers": false, "channel-email": false, "channel-sms": false})
	all := preference.SourceUnsubscribeAll
	w.wantStored(t, "after unsubscribing from everything", map[string]consent{
		"newsletter": {"denied", preference.SourcePage}, "offers": {"denied", all},
	}, map[string]consent{"email": {"denied", all}, "sms": {"denied", preference.SourcePage}})
	w.wantUnsubscribes(t, []string{
		"topic newsletter " + preference.SourcePage, "channel sms " + preference.SourcePage,
		"topic offers " + all, "channel email " + all,
	})

	// A fresh visit (the preferences link this time) shows the stored state.
	prefs := w.links.Preferences(page.eval(`new URLSearchParams(location.search).get("t")`))
	page.do("open the preferences link", chromedp.Navigate(prefs), chromedp.WaitVisible(chromedp.ID("prefs")))
	page.want("on a fresh visit", map[string]bool{
		"topic-newsletter": false, "topic-offers": false, "channel-email": false, "channel-sms": false})
}

func (w *wiring) wantStored(t *testing.T, when string, topics, channels map[string]consent) {
	t.Helper()
	gotTopics, gotChannels := w.stored(t)
	if diff := cmp.Diff(topics, gotTopics); diff != "" {
		t.Errorf("%s: stored topic consent (-want +got):\n%s", when, diff)
	}
	if diff := cmp.Diff(channels, gotChannels); diff != "" {
		t.Errorf("%s: stored channel consent (-want +got):\n%s", when, diff)
	}
}

// wantUnsubscribes checks the unsubscribed interactions every opt-out
// recorded ("<scope> <name> <source>").
func (w *wiring) wantUnsubscribes(t *testing.T, want []string) {
	t.Helper()
	p, err := w.st.ListInteractions(context.Background(), bu, "c-1", store.InteractionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, i := range p.Items {
		if i.Kind != store.InteractionUnsubscribed {
			continue
		}
		for _, scope := range []string{"topic", "channel"} {
			if name := i.Detail[scope]; name != "" {
				got = append(got, scope+" "+name+" "+i.Detail["source"])
			}
		}
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("unsubscribed interactions (-want +got):\n%s", diff)
	}
}

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	return browser
}

// page drives the preference page in one browser tab.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v\npage: %s", what, err, p.eval(`location.href + "\n" + document.body.innerText`))
	}
}

func (p *page) eval(js string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// save clicks the given boxes (toggling them), or the unsubscribe-all
// button, submits, and waits for the saved page.
func (p *page) save(what string, ids ...string) {
	p.t.Helper()
	p.eval(`document.getElementById("status") ? document.getElementById("status").remove() || "" : ""`)
	var actions []chromedp.Action[chromedp.Void]
	for _, id := range ids {
		actions = append(actions, chromedp.Click(chromedp.ID(id)))
	}
	if ids[len(ids)-1] != "unsubscribe-all" {
		actions = append(actions, chromedp.Click(chromedp.ID("save")))
	}
	p.do("save "+what, actions...)
	wait, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.ID("status"))); err != nil {
		p.t.Fatalf("save %s: no saved status: %v\npage: %s", what, err, p.eval(`location.href + "\n" + document.body.innerText`))
	}
	if s := p.eval(`document.getElementById("status").innerText`); s != "Your preferences are saved." {
		p.t.Errorf("save %s: status %q", what, s)
	}
}

// want checks the page's checkboxes.
func (p *page) want(when string, boxes map[string]bool) {
	p.t.Helper()
	got := map[string]bool{}
	for id := range boxes {
		v, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById(%q).checked`, id)))
		if err != nil {
			p.t.Fatalf("%s: read %s: %v", when, id, err)
		}
		got[id] = v
	}
	if diff := cmp.Diff(boxes, got); diff != "" {
		p.t.Errorf("%s: page (-want +got):\n%s", when, diff)
	}
}
