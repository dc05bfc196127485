// Package demo is `journeys demo` (what `make run` runs): the bundled
// example journeys on the dev server, driven from outside as in
// production. It starts the dev server in-process on loopback with a
// fresh data folder and a fast clock, a local LinkedIn (the Lead Sync
// protocol, with a subscription validated through the challenge
// handshake) and a local approval flow; then LinkedIn publishes leads,
// which reach the welcome journey through the real webhook with signed
// notifications; the contacts open and click their emails through the
// tracking URLs in the outbox; the flow answers approvals through their
// callback URLs; and at the end it prints the welcome journey's funnel and
// where the outbox is.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/linkedintest"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/local/devserver"
	"github.com/journeys-oss/journeys/internal/local/sim"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
)

// Options configure a demo.
type Options struct {
	// Root is the journeys folder (journeys).
	Root string
	// DataDir is the dev server's data folder; emptied first.
	DataDir string
	// Speed is the clock's speed (default 86400: a day a second).
	Speed float64
	// Start, when set, runs the demo on a virtual clock from Start that
	// the demo advances itself, as fast as the machine allows, so every
	// run is the same (tests); Speed is then unused. Zero runs on a real
	// clock at Speed from now (make run).
	Start time.Time
	// Timeout bounds the demo's wall time (default 50s).
	Timeout time.Duration
	// Out gets the narration and the report; Log the servers' logs.
	Out io.Writer
	Log *slog.Logger
}

// Result is what a demo did.
type Result struct {
	Report     *sim.Report
	Outbox     string
	OutboxURL  string
	Messages   int
	Opens      int
	Clicks     int
	Approvals  int
	SalesTasks int
	Finished   bool // every contact left the journey before the timeout
}

// The demo's LinkedIn account and form (the welcome journey's trigger).
const (
	owner  = "urn:li:sponsoredAccount:507404993"
	formID = 6840193257
)

// Run runs the demo.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Speed <= 0 {
		o.Speed = 86400
	}
	if o.Timeout <= 0 {
		o.Timeout = 50 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if err := os.RemoveAll(o.DataDir); err != nil {
		return nil, err
	}
	d := &demo{o: o, opened: map[string]bool{}}
	if o.Start.IsZero() {
		d.clock = asl.NewRealClock(o.Speed)
	} else {
		d.virtual = asl.NewVirtualClock(o.Start)
		d.clock = d.virtual
	}
	defer d.close()
	if err := d.start(ctx); err != nil {
		return nil, err
	}
	return d.play(ctx)
}

// demo is a running demo.
type demo struct {
	o        Options
	clock    asl.Clock
	virtual  *asl.VirtualClock // the clock when the demo advances it (Options.Start)
	li       *linkedintest.Server
	flow     *devserver.Flow
	flowSrv  *http.Server
	server   *devserver.Server
	observer *sim.Observer
	secret   string
	opened   map[string]bool // message ids acted on
	opens    int
	clicks   int
}

func randomSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// start starts LinkedIn, the flow and the dev server, and subscribes the
// dev server's webhook at LinkedIn.
func (d *demo) start(ctx context.Context) error {
	d.secret = randomSecret()
	var err error
	if d.li, err = startLinkedIn(d.secret); err != nil {
		return err
	}
	flowSecret, err := settings.GenerateSecret()
	if err != nil {
		return err
	}
	env := map[string]string{
		settings.EnvName(devserver.LinkedInSecret): d.secret,
		settings.EnvName(local.LocalFlowSecret):    flowSecret,
	}
	secrets := &local.DerivedSecrets{}
	secrets.Set(local.LocalFlowSecret, flowSecret)
	d.flow = devserver.NewFlow(devserver.FlowConfig{Secrets: secrets, Now: d.clock.Now, Logger: d.o.Log, Decide: decision})
	flowURL, err := d.serveFlow()
	if err != nil {
		return err
	}
	lib, probs := journey.LoadDir(d.o.Root)
	checked, more := journey.ReadJourney(filepath.Join(d.o.Root, "welcome"+journey.SuffixJourney), lib)
	if probs = append(probs, more...); len(probs) > 0 {
		return probs
	}
	if d.observer, err = sim.NewObserver(checked, "journeys-northwind_welcome"); err != nil {
		return err
	}
	d.server, err = devserver.Start(ctx, devserver.Config{
		Root: d.o.Root, DataDir: d.o.DataDir, Addr: "127.0.0.1:0", Clock: d.clock, FlowURL: flowURL,
		Contacts: []string{filepath.Join(d.o.Root, "contacts", "northwind"+journey.SuffixContacts)},
		// The business unit's settings route the leads and map the form
		// (linkedin: owners, mapping), as they would in production.
		LinkedIn: devserver.LinkedInConfig{APIURL: d.li.URL, Version: "202601", Token: d.li.Token()},
		Getenv:   func(k string) string { return env[k] }, Trace: d.observer.Trace, Logger: d.o.Log,
	})
	if err != nil {
		return err
	}
	return d.subscribe(ctx)
}

// serveFlow serves the flow on a loopback port of its own.
func (d *demo) serveFlow() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	d.flowSrv = &http.Server{Handler: d.flow, ReadHeaderTimeout: 5 * time.Second}
	go d.flowSrv.Serve(l)
	return "http://" + l.Addr().String() + "/flows/approvals", nil
}

// subscribe creates the lead notification subscription, which the fake
// LinkedIn validates with the challenge handshake against the webhook.
func (d *demo) subscribe(ctx context.Context) error {
	c, err := linkedin.NewClient(linkedin.ClientOptions{BaseURL: d.li.URL, Version: "202601", Tokens: linkedin.StaticToken(d.li.Token())})
	if err != nil {
		return err
	}
	_, err = c.Subscribe(ctx, linkedin.Subscription{Webhook: d.server.URL() + "/linkedin/webhook",
		Owner: linkedin.Union{Kind: "sponsoredAccount", URN: owner}, LeadType: linkedin.LeadTypeSponsored})
	if err != nil {
		return fmt.Errorf("subscribe the webhook at LinkedIn: %w", err)
	}
	return nil
}

func (d *demo) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if d.flow != nil {
		d.flow.Wait()
	}
	if d.server != nil {
		_ = d.server.Close(ctx)
	}
	if d.flowSrv != nil {
		_ = d.flowSrv.Shutdown(ctx)
	}
	if d.li != nil {
		d.li.Close()
	}
}

// finished reports whether every lead was processed and every welcome
// enrolment has ended.
func (d *demo) finished(ctx context.Context, expected int) (bool, error) {
	if waiting, _, err := d.server.LeadQueue(ctx); err != nil || waiting > 0 {
		return false, err
	}
	st := d.server.System().Store
	page, err := st.ListEnrolments(ctx, "northwind", "welcome", store.EnrolmentActive, "", 1)
	if err != nil {
		return false, err
	}
	if len(page.Items) > 0 {
		return false, nil
	}
	ended := 0
	for _, s := range []store.EnrolmentStatus{store.EnrolmentCompleted, store.EnrolmentGoal, store.EnrolmentExited, store.EnrolmentFailed} {
		page, err := st.ListEnrolments(ctx, "northwind", "welcome", s, "", store.MaxLimit)
		if err != nil {
			return false, err
		}
		ended += len(page.Items)
	}
	return ended >= expected, nil
}
