package preference

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

const chromiumPath = "/usr/bin/chromium"

// TestBrowser drives the real page in headless Chromium: it renders with
// the recorded state, a change is saved through the form, and the store
// shows the new consent with its source.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s is missing: run `make tools` (it installs Debian's chromium)", chromiumPath)
	}
	f := newFixture(t)
	f.now = time.Now() // the browser's nonce must not be expired by wall-clock time
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
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
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()

	checked := func(id string) bool {
		t.Helper()
		v, err := chromedp.Run(browser, chromedp.Evaluate[bool](`document.getElementById("`+id+`").checked`))
		if err != nil {
			t.Fatalf("read %s: %v", id, err)
		}
		return v
	}
	if err := chromedp.Do(browser,
		chromedp.Navigate(f.links.Unsubscribe(f.token)),
		chromedp.WaitVisible(chromedp.ID("prefs")),
	); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	title, err := chromedp.Run(browser, chromedp.Title())
	if err != nil || title != "Email preferences" {
		t.Fatalf("title %q, %v", title, err)
	}
	if !checked("topic-newsletter") || checked("topic-offers") {
		t.Fatalf("the page should show the defaults: newsletter on, offers off")
	}
	if err := chromedp.Do(browser,
		chromedp.Click(chromedp.ID("topic-newsletter")),
		chromedp.Click(chromedp.ID("topic-offers")),
		chromedp.Click(chromedp.ID("save")),
	); err != nil {
		t.Fatalf("save: %v", err)
	}
	waitCtx, cancelWait := context.WithTimeout(browser, 15*time.Second)
	defer cancelWait()
	if err := chromedp.Do(waitCtx, chromedp.WaitVisible(chromedp.ID("status"))); err != nil {
		page, _ := chromedp.Run(browser, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		t.Fatalf("no saved status after submitting: %v\npage: %s", err, page)
	}
	status, err := chromedp.Run(browser, chromedp.Text(chromedp.ID("status")))
	if err != nil || status != "Your preferences are saved." {
		t.Errorf("status %q, %v", status, err)
	}
	if checked("topic-newsletter") || !checked("topic-offers") {
		t.Errorf("after saving, the page should show newsletter off and offers on")
	}
	got := map[string]bool{}
	for _, c := range f.store.changes() {
		if c.Source != SourcePage {
			t.Errorf("consent %s/%s has source %q, want %q", c.Scope, c.Name, c.Source, SourcePage)
		}
		got[string(c.Scope)+"/"+c.Name] = c.Granted
	}
	if diff := cmp.Diff(map[string]bool{"topic/newsletter": false, "topic/offers": true}, got); diff != "" {
		t.Errorf("stored consent (-want +got):\n%s", diff)
	}
}
