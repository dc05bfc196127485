package lambdamain_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

const bu = "northwind"

// countingStore counts the content reads that reach the store.
type countingStore struct {
	next              lambdamain.ContentStore
	mu                sync.Mutex
	lists, gets, revs int
}

func (c *countingStore) ContentRevision(ctx context.Context, bu string) (string, error) {
	c.mu.Lock()
	c.revs++
	c.mu.Unlock()
	return c.next.ContentRevision(ctx, bu)
}

func (c *countingStore) GetContent(ctx context.Context, bu string, kind store.ContentKind, id, locale string, version int) (store.Content, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.next.GetContent(ctx, bu, kind, id, locale, version)
}

func (c *countingStore) ListContent(ctx context.Context, bu string) ([]store.Content, error) {
	c.mu.Lock()
	c.lists++
	c.mu.Unlock()
	return c.next.ListContent(ctx, bu)
}

// calls is what reached the store since the last take.
type calls struct{ Revs, Lists, Gets int }

func (c *countingStore) take() calls {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := calls{c.revs, c.lists, c.gets}
	c.revs, c.lists, c.gets = 0, 0, 0
	return n
}

// exampleFiles loads the example content library in journeys/content.
func exampleFiles(t testing.TB) *content.FileSource {
	t.Helper()
	dir := filepath.Join(testsvc.Root(t), "journeys", "content")
	src, probs := content.LoadFiles(os.DirFS(dir), "journeys/content")
	if len(probs) > 0 {
		t.Fatalf("load journeys/content: %v", probs.Err())
	}
	return src
}

// seeded returns a memory store holding every template and block version
// of the example library as shared content, as the sample seeds it.
func seeded(t testing.TB, files *content.FileSource) *memory.Store {
	t.Helper()
	ctx := context.Background()
	st := memory.New(store.Config{})
	idx, err := files.List(ctx, bu)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range idx.Templates {
		tpl, err := files.Template(ctx, bu, e.ID, e.Locale, e.Version)
		if err != nil {
			t.Fatal(err)
		}
		put(t, st, lambdamain.ContentRecord(tpl))
	}
	for _, e := range idx.Blocks {
		b, err := files.Block(ctx, bu, e.Name, e.Locale, e.Version)
		if err != nil {
			t.Fatal(err)
		}
		put(t, st, lambdamain.BlockRecord(b))
	}
	return st
}

func put(t testing.TB, st store.Contents, c store.Content) {
	t.Helper()
	if _, err := st.PutContent(context.Background(), bu, c); err != nil {
		t.Fatal(err)
	}
}

func testLinks(t testing.TB) *tracking.Links {
	t.Helper()
	s, err := tracking.NewSigner(tracking.Key{ID: "k1", Secret: []byte("test secret, thirty-two bytes!!!")})
	if err != nil {
		t.Fatal(err)
	}
	l, err := tracking.NewLinks("https://t.example.com", s, "unsubscribe@northwind.example")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func request(template, locale string) content.Request {
	return content.Request{
		BU: bu, Template: template, Locale: locale, ContactID: "c-81f2", MessageID: "msg-1",
		Contact: map[string]any{"firstName": "Ada", "company": "Acme", "plan": "pro", "industry": "retail"},
		Event:   map[string]any{"webinarTitle": "Dashboards", "webinarStartsAt": "2026-12-01T10:00:00Z", "joinUrl": "https://example.com/join"},
		Journey: content.JourneyInfo{ID: "welcome", Name: "Welcome", Version: 3}, Step: "send-intro",
		Owner: content.Owner{Name: "Grace Hopper", Email: "grace@northwind.example"},
	}
}

// render renders with a new Library, so that every lookup reaches src.
func render(ctx context.Context, t testing.TB, src content.Source, req content.Request) (*content.Message, error) {
	return content.NewLibrary(src, content.Options{Links: testLinks(t)}).Render(ctx, req)
}

const ttl = time.Minute

func cachedSource(t testing.TB) (*lambdamain.StoreContent, *countingStore, *memory.Store, *asl.VirtualClock) {
	t.Helper()
	st := seeded(t, exampleFiles(t))
	cs := &countingStore{next: st}
	clk := asl.NewVirtualClock(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	return lambdamain.NewStoreContent(cs, lambdamain.ContentCache{TTL: ttl, Now: clk.Now}), cs, st, clk
}

// lookup is one use of a content source, summarised for comparison.
type lookup func(ctx context.Context, t testing.TB, src content.Source) (string, error)

func renderOf(id, locale string) lookup {
	return func(ctx context.Context, t testing.TB, src content.Source) (string, error) {
		m, err := render(ctx, t, src, request(id, locale))
		if err != nil {
			return "", err
		}
		return m.Locale + "|" + m.Subject + "|" + m.HTML + "|" + m.Text, nil
	}
}

func blockOf(name, locale string, version int) lookup {
	return func(ctx context.Context, t testing.TB, src content.Source) (string, error) {
		b, err := src.Block(ctx, bu, name, locale, version)
		if err != nil {
			return "", err
		}
		return b.Name + "@" + b.Locale + "|" + b.Source, nil
	}
}

func templateOf(id, locale string, version int) lookup {
	return func(ctx context.Context, t testing.TB, src content.Source) (string, error) {
		tpl, err := src.Template(ctx, bu, id, locale, version)
		if err != nil {
			return "", err
		}
		return tpl.ID + "@" + tpl.Locale + "|" + tpl.Part(content.PartSubject).Source, nil
	}
}

func listOf(ctx context.Context, t testing.TB, src content.Source) (string, error) {
	idx, err := src.List(ctx, bu)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range idx.Templates {
		b.WriteString(e.ID + "@" + e.Locale + " ")
	}
	for _, e := range idx.Blocks {
		b.WriteString(e.Name + "@" + e.Locale + " ")
	}
	return b.String(), nil
}

// TestStoreContentCalls: what one lookup costs the store on a cold cache
// and again on a warm one, and that the cached source answers as the
// uncached one does.
func TestStoreContentCalls(t *testing.T) {
	cases := []struct {
		name         string
		do           lookup
		notFound     bool
		first, again calls
	}{
		{name: "render falling back de-AT to de and default blocks", do: renderOf("welcome-intro", "de-AT"), first: calls{Revs: 1, Lists: 1}},
		{name: "render of the default variant", do: renderOf("welcome-intro", ""), first: calls{Revs: 1, Lists: 1}},
		{name: "render of a locale without variants", do: renderOf("welcome-intro", "fr-CA"), first: calls{Revs: 1, Lists: 1}},
		{name: "render of an SMS", do: renderOf("webinar-reminder-sms", "de"), first: calls{Revs: 1, Lists: 1}},
		{name: "unknown template", do: renderOf("no-such-template", "de"), notFound: true, first: calls{Revs: 1, Lists: 1}},
		{name: "latest block in a locale", do: blockOf("footer", "de", 0), first: calls{Revs: 1, Lists: 1}},
		{name: "latest template", do: templateOf("welcome-intro", "de-AT", 0), first: calls{Revs: 1, Lists: 1}},
		{name: "pinned latest version", do: blockOf("footer", "", 2), first: calls{Revs: 1, Lists: 1}},
		{name: "pinned old version", do: blockOf("footer", "", 1), first: calls{Revs: 1, Lists: 1, Gets: 1}},
		{name: "pinned old version missing in a locale", do: blockOf("footer", "de", 1), notFound: true, first: calls{Revs: 1, Lists: 1, Gets: 1}},
		{name: "pinned version newer than the latest", do: blockOf("footer", "", 9), notFound: true, first: calls{Revs: 1, Lists: 1}},
		{name: "invalid locale", do: blockOf("footer", "de AT", 0), notFound: true, first: calls{Revs: 1, Lists: 1}},
		{name: "list", do: listOf, first: calls{Revs: 1, Lists: 1}},
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, cs, st, _ := cachedSource(t)
			want, werr := c.do(ctx, t, lambdamain.NewStoreContent(st, lambdamain.ContentCache{}))
			for i, wantCalls := range []calls{c.first, c.again} {
				got, err := c.do(ctx, t, src)
				if (err == nil) != (werr == nil) || errors.Is(err, content.ErrNotFound) != c.notFound {
					t.Fatalf("lookup %d: error %v, uncached %v", i, err, werr)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("lookup %d differs from the uncached one (-uncached +cached):\n%s", i, diff)
				}
				if diff := cmp.Diff(wantCalls, cs.take()); diff != "" {
					t.Errorf("lookup %d: store calls (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

// TestStoreContentTTL: content published after the listing shows up once
// the TTL has passed, and not before; so does a pinned version found
// missing.
func TestStoreContentTTL(t *testing.T) {
	ctx := context.Background()
	src, cs, st, clk := cachedSource(t)
	footer := func(locale string, version int) store.Content {
		return store.Content{Kind: store.ContentBlock, ID: "footer", Locale: locale, Version: version, Shared: true,
			Body: "<tr><td>FOOTER " + locale + " v" + strconv.Itoa(version) + ` <a href="{{ links.unsubscribe }}">x</a></td></tr>`}
	}
	hasFooter := func(want string) lookup {
		return func(ctx context.Context, t testing.TB, src content.Source) (string, error) {
			m, err := render(ctx, t, src, request("welcome-intro", "de-AT"))
			if err != nil {
				return "", err
			}
			return strconv.FormatBool(strings.Contains(m.HTML, want)), nil
		}
	}
	steps := []struct {
		name    string
		advance time.Duration
		publish []store.Content
		do      lookup
		want    string
		calls   calls
	}{
		{name: "cold", do: hasFooter("FOOTER"), want: "false", calls: calls{Revs: 1, Lists: 1}},
		{name: "published, within the TTL", publish: []store.Content{footer("default", 3), footer("de", 3)},
			advance: ttl - time.Second, do: hasFooter("FOOTER de v3"), want: "false"},
		{name: "after the TTL", advance: time.Second, do: hasFooter("FOOTER de v3"), want: "true", calls: calls{Revs: 1, Lists: 1}},
		{name: "warm again", do: hasFooter("FOOTER de v3"), want: "true"},
		{name: "old version missing in a locale", do: blockOf("footer", "de", 1), want: "", calls: calls{Gets: 1}},
		{name: "published, the miss is cached", publish: []store.Content{footer("de", 1)},
			do: blockOf("footer", "de", 1), want: ""},
		{name: "after the TTL the pinned version is found", advance: ttl, do: blockOf("footer", "de", 1),
			want: "footer@de|" + footer("de", 1).Body, calls: calls{Revs: 1, Lists: 1, Gets: 1}},
		{name: "nothing published for a TTL: the revision is read, not the listing; the pinned version is kept",
			advance: ttl, do: blockOf("footer", "de", 1), want: "footer@de|" + footer("de", 1).Body, calls: calls{Revs: 1}},
		{name: "and the listing still answers", do: hasFooter("FOOTER de v3"), want: "true"},
	}
	for _, s := range steps {
		for _, c := range s.publish {
			put(t, st, c)
		}
		clk.Advance(s.advance)
		got, err := s.do(ctx, t, src)
		if err != nil && !errors.Is(err, content.ErrNotFound) {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: got %q, want %q", s.name, got, s.want)
		}
		if diff := cmp.Diff(s.calls, cs.take()); diff != "" {
			t.Errorf("%s: store calls (-want +got):\n%s", s.name, diff)
		}
	}
}

// TestStoreContentEviction: pinned versions beyond MaxBytes are read again.
func TestStoreContentEviction(t *testing.T) {
	ctx := context.Background()
	st := seeded(t, exampleFiles(t))
	for _, name := range []string{"header", "cta-button"} {
		put(t, st, store.Content{Kind: store.ContentBlock, ID: name, Locale: "default", Shared: true, Body: "v2"})
	}
	cs := &countingStore{next: st}
	clk := asl.NewVirtualClock(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	old := func(name string) int {
		b, err := st.GetContent(ctx, bu, store.ContentBlock, name, "default", 1)
		if err != nil {
			t.Fatal(err)
		}
		return len(b.Body)
	}
	// Room for the larger of two old versions, not both.
	src := lambdamain.NewStoreContent(cs, lambdamain.ContentCache{TTL: ttl, Now: clk.Now, MaxBytes: max(old("header"), old("cta-button")) + 400})
	steps := []struct {
		name string
		gets int
	}{{"header", 1}, {"header", 0}, {"cta-button", 1}, {"header", 1}, {"cta-button", 1}}
	for i, s := range steps {
		cs.take()
		if _, err := src.Block(ctx, bu, s.name, "", 1); err != nil {
			t.Fatal(err)
		}
		if got := cs.take().Gets; got != s.gets {
			t.Errorf("step %d (%s@1): %d store reads, want %d", i, s.name, got, s.gets)
		}
	}
}

// TestStoreContentConcurrent: renders racing on a cold cache read the
// business unit's content once.
func TestStoreContentConcurrent(t *testing.T) {
	ctx := context.Background()
	src, cs, _, _ := cachedSource(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = render(ctx, t, src, request("welcome-intro", []string{"de-AT", "de", "", "en-GB"}[i%4]))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(calls{Revs: 1, Lists: 1}, cs.take()); diff != "" {
		t.Errorf("store calls (-want +got):\n%s", diff)
	}
}

// TestStoreContentRendersAsFiles: every example template renders from the
// store, cached or not, as it does from journeys/content.
func TestStoreContentRendersAsFiles(t *testing.T) {
	ctx := context.Background()
	files := exampleFiles(t)
	st := seeded(t, files)
	sources := map[string]content.Source{
		"uncached": lambdamain.NewStoreContent(st, lambdamain.ContentCache{}),
		"cached":   lambdamain.NewStoreContent(st, lambdamain.ContentCache{TTL: ttl}),
	}
	libs := map[string]*content.Library{"files": content.NewLibrary(files, content.Options{Links: testLinks(t)})}
	for name, src := range sources {
		libs[name] = content.NewLibrary(src, content.Options{Links: testLinks(t)})
	}
	idx, err := files.List(ctx, bu)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range idx.Templates {
		for _, locale := range []string{"", "de", "de-AT", "fr"} {
			if seen[e.ID+"."+locale] {
				continue
			}
			seen[e.ID+"."+locale] = true
			t.Run(e.ID+"."+locale, func(t *testing.T) {
				want, werr := libs["files"].Render(ctx, request(e.ID, locale))
				for _, name := range []string{"uncached", "cached"} {
					got, err := libs[name].Render(ctx, request(e.ID, locale))
					if (err == nil) != (werr == nil) {
						t.Fatalf("%s: error %v, from files %v", name, err, werr)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s differs from files (-files +%s):\n%s", name, name, diff)
					}
				}
			})
		}
	}
}
