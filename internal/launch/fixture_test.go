package launch_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	"github.com/journeys-oss/journeys/internal/workflow"
	"github.com/journeys-oss/journeys/internal/workflow/workflowtest"
)

const bu = "northwind"

// vclock is a virtual clock: sleeping advances it instead of waiting.
type vclock struct {
	mu     sync.Mutex
	t      time.Time
	slept  time.Duration
	sleeps int
}

func newClock() *vclock { return &vclock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *vclock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vclock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept += d
	c.sleeps++
	return ctx.Err()
}

// population describes the contacts a test creates: contact i is a member
// of newsletter-subscribers unless i%4 == 0, and consents to email unless
// i%10 == 3.
func member(i int) bool  { return i%4 != 0 }
func consent(i int) bool { return i%10 != 3 }

func contactID(i int) string { return fmt.Sprintf("c-%06d", i) }

// expected returns how many of n contacts are members, and of them how
// many consent.
func expected(n int) (members, consenting int) {
	for i := range n {
		if member(i) {
			members++
			if consent(i) {
				consenting++
			}
		}
	}
	return
}

type contactWriter interface {
	UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error)
}

// addContacts writes n contacts with writers in parallel, with an email
// address when email is set.
func addContacts(t *testing.T, st contactWriter, n, writers int, email bool, at time.Time) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += writers {
				p := store.ContactPatch{ID: contactID(i)}
				if email {
					p.Email = store.String(contactID(i) + "@example.com")
				}
				if member(i) {
					p.Attributes = map[string]store.Value{"newsletterFrequency": store.StringValue("monthly")}
				}
				if consent(i) {
					p.Channels = map[string]store.Consent{"email": {Status: store.ConsentGranted, Source: "test", At: at}}
				}
				if _, err := st.UpsertContact(context.Background(), bu, p); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func functions() map[string]string {
	out := map[string]string{}
	for name, fn := range compile.Placeholders {
		out[name] = "arn:aws:lambda:us-east-1:123456789012:function:journeys-" + fn
	}
	return out
}

// newsletter is the bundled newsletter journey: segment-triggered, on a
// schedule, re-entry always. policy replaces its re-entry policy.
func newsletter(t *testing.T, reentry string) journey.Bundle {
	t.Helper()
	dir := filepath.Join("..", "..", "journeys")
	lib, probs := journey.LoadDir(dir)
	checked, more := journey.ReadJourney(filepath.Join(dir, "newsletter.journey.yaml"), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		t.Fatal(probs)
	}
	b, err := journey.NewBundle(checked, lib)
	if err != nil {
		t.Fatal(err)
	}
	b.Journey.Source = strings.Replace(b.Journey.Source, "reentry: always", "reentry: "+reentry, 1)
	return b
}

type publishStore interface {
	publish.Store
}

// publishNewsletter publishes the newsletter journey through the publisher.
func publishNewsletter(t *testing.T, st publishStore, api workflow.API, now func() time.Time, reentry string) {
	t.Helper()
	p, err := publish.New(st, api, publish.Config{RoleArn: "arn:aws:iam::123456789012:role/j", Functions: functions()}, now,
		publish.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(context.Background(), publish.Request{BU: bu, Bundle: newsletter(t, reentry), By: "test"}); err != nil {
		t.Fatal(err)
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// embeddedFixture is an embedded store with the newsletter published on
// the memory workflow API, and a launcher over them.
type embeddedFixture struct {
	st    *embedded.Store
	api   *workflowtest.Memory
	clock *vclock
	l     *launch.Launcher
}

func newEmbedded(t *testing.T, contacts int, cfg launch.Config, reentry string) *embeddedFixture {
	t.Helper()
	f := &embeddedFixture{clock: newClock()}
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"), store.Config{Now: f.clock.now}, embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st, f.api = st, workflowtest.New(f.clock.now)
	publishNewsletter(t, st, f.api, f.clock.now, reentry)
	addContacts(t, st, contacts, 8, true, f.clock.now())
	f.l = f.launcher(cfg, f.api)
	return f
}

func (f *embeddedFixture) launcher(cfg launch.Config, starter enrol.Starter) *launch.Launcher {
	cat := catalog.New(f.st, nil)
	en := enrol.New(f.st, cat, starter, f.clock.now)
	return launch.New(f.st, cat, en, cfg, launch.Options{Now: f.clock.now, Sleep: f.clock.sleep, Logger: quiet()})
}

func (f *embeddedFixture) run(t *testing.T, id string) launch.State {
	t.Helper()
	s, err := launch.Run(context.Background(), f.l, launch.State{V: 1, BU: bu, Journey: "newsletter", Launch: id, By: "test"})
	if err != nil {
		t.Fatalf("launch %s: %v", id, err)
	}
	if !s.Done {
		t.Fatalf("launch %s not done: %+v", id, s)
	}
	return s
}
