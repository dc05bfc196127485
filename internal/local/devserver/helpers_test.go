package devserver_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/local/devserver"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// startServer starts a dev server on a virtual clock showing at, on the
// data folder dir and a fixed loopback port (links in messages name it,
// as they name :8080 in real use).
func startServer(t testing.TB, cfg devserver.Config, at time.Time) (*devserver.Server, *asl.VirtualClock) {
	t.Helper()
	clock := asl.NewVirtualClock(at)
	cfg.Clock = clock
	cfg.NoSync = true
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	s, err := devserver.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, clock
}

func freeAddr(t *testing.T) string { return fmt.Sprintf("127.0.0.1:%d", testsvc.FreePort(t)) }

// enrolIn enrols a contact into a journey as a trigger would.
func enrolIn(t *testing.T, s *devserver.Server, journeyID, contact string) string {
	t.Helper()
	out, err := s.System().Enroller.Enrol(context.Background(), enrol.Request{BU: "northwind", Journey: journeyID, Contact: contact, Entry: "test"})
	if err != nil || out.Status != enrol.Enrolled {
		t.Fatalf("enrol %s: %+v, %v", contact, out, err)
	}
	return out.Execution
}

func advance(t *testing.T, s *devserver.Server, d time.Duration) {
	t.Helper()
	if err := s.Advance(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

var pixelRE = regexp.MustCompile(`https?://[^"'\s]+/t/o\?[^"'\s]+`)

// pixel returns the open-tracking URL of the email the contact got at a
// step, read from the outbox.
func pixel(t *testing.T, s *devserver.Server, contact, step string) string {
	t.Helper()
	msgs, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		ref, err := channel.ParseMessageRef(m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ref.Contact != contact || ref.Step != step || m.HTML == "" {
			continue
		}
		b, err := os.ReadFile(m.HTML)
		if err != nil {
			t.Fatal(err)
		}
		if u := pixelRE.FindString(string(b)); u != "" {
			return html.UnescapeString(u)
		}
	}
	t.Fatalf("no email with a pixel for %s at %s in the outbox (%d messages)", contact, step, len(msgs))
	return ""
}

// get fetches a URL over real HTTP and returns the status.
func get(t *testing.T, u string) int {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// post posts to a URL over real HTTP and returns the status.
func post(t *testing.T, u, body string) int {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// enrolment returns a contact's enrolment in a journey.
func enrolment(t *testing.T, s *devserver.Server, journeyID, contact, entry string) store.Enrolment {
	t.Helper()
	e, err := s.System().Store.GetEnrolment(context.Background(), "northwind", journeyID, contact, entry)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
