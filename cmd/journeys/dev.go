package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/journeys-oss/journeys/internal/local/devserver"
)

const devUsage = `[--root DIR] [--data DIR] [--addr HOST:PORT] [--clock-speed N]
       [--deliver outbox|settings] [--contacts FILE]
       [--rie [--rie-bin FILE] [--build-dir DIR] [--aws-endpoint URL]] [JOURNEY...]

Run the journeys system on this machine: the HTTP routes of the deployed
API (tracking /t/..., POST /approvals/callback, POST /events, the LinkedIn
webhook /linkedin/webhook), the embedded store in the data folder, the
journeys of the journeys folder (or those given) published and running on
the local Step Functions engine, the LinkedIn lead worker, and messages
delivered to the outbox (GET /outbox) or to the providers the settings
name. Stop it with Ctrl-C; starting it again on the same data folder
carries on every contact waiting in a journey.

Local routes: GET /local/approvals lists the built-in approval flow's
requests (POST /local/approvals/{id}/approve or /reject decides one),
GET /local/executions the engine's executions, GET /healthz.

At start each business unit gets a local all-scopes API key, written to
api-keys.json in the data folder (readable by you only): management
commands given --api of this server and no $JOURNEYS_API_KEY use it.
A sped-up clock's journey time is saved in the store and resumes where it
stood at the next start (never behind the wall clock).

--rie runs the task functions as their built bootstraps (make build-host)
under the Lambda Runtime Interface Emulator, one per function. The data
then live in DynamoDB on a moto server (started from .venv unless
--aws-endpoint names one), which the functions and the server share; moto
keeps them in memory only, so this mode starts afresh each time.`

// devOptions are the flags of journeys dev.
type devOptions struct {
	root, data, addr, deliver string
	speed                     float64
	contacts                  stringList
	linkedIn                  linkedInFlags
	rie                       bool
	rieBin, buildDir, aws     string
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// linkedInFlags say where the lead worker fetches leads.
type linkedInFlags struct {
	api, version, tokenFile string
}

func runDev(c *cli, args []string) int { return runDevEnv(c, args, os.Getenv) }

func runDevEnv(c *cli, args []string, getenv func(string) string) int {
	var o devOptions
	fs := c.newFlagSet("dev", devUsage)
	fs.StringVar(&o.root, "root", "journeys", "the journeys folder")
	fs.StringVar(&o.data, "data", dataDir(getenv), "the data folder (store.db, secrets.yaml, outbox/, api-keys.json; env "+envData+")")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "where to listen")
	fs.Float64Var(&o.speed, "clock-speed", 1, "how much faster than real time journeys run (3600: an hour a second)")
	fs.StringVar(&o.deliver, "deliver", devserver.DeliverOutbox, "outbox (files, listed at GET /outbox) or settings (the providers the settings files name)")
	fs.Var(&o.contacts, "contacts", "load the contacts of this file at start (repeatable; existing contacts are kept)")
	fs.StringVar(&o.linkedIn.api, "linkedin-api-url", getenv(envLinkedInAPIURL), "LinkedIn API base URL (env "+envLinkedInAPIURL+")")
	fs.StringVar(&o.linkedIn.version, "linkedin-version", getenv(envLinkedInVersion), "LinkedIn-Version, YYYYMM (env "+envLinkedInVersion+")")
	fs.StringVar(&o.linkedIn.tokenFile, "linkedin-token-file", getenv(envLinkedInTokenFile), "file holding the LinkedIn access token; without one leads wait in the queue (env "+envLinkedInTokenFile+")")
	fs.BoolVar(&o.rie, "rie", false, "run the built task functions under the Lambda emulator (data in DynamoDB on moto)")
	fs.StringVar(&o.rieBin, "rie-bin", "bin/aws-lambda-rie", "with --rie: the Lambda Runtime Interface Emulator")
	fs.StringVar(&o.buildDir, "build-dir", "build/host", "with --rie: the built functions (make build-host)")
	fs.StringVar(&o.aws, "aws-endpoint", "", "with --rie: a running moto server (default: start one from .venv)")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if o.speed < 1 {
		fmt.Fprintln(c.stderr, "journeys dev: --clock-speed must be 1 or more")
		return exitUsage
	}
	if o.deliver != devserver.DeliverOutbox && o.deliver != devserver.DeliverSettings {
		fmt.Fprintln(c.stderr, "journeys dev: --deliver is outbox or settings")
		return exitUsage
	}
	cfg := devserver.Config{
		Root: o.root, DataDir: o.data, Addr: o.addr, ClockSpeed: o.speed, Journeys: fs.Args(),
		Contacts: o.contacts, Deliver: o.deliver, Getenv: getenv,
		Logger: slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	if o.linkedIn.tokenFile != "" {
		tok, err := os.ReadFile(o.linkedIn.tokenFile)
		if err != nil {
			fmt.Fprintf(c.stderr, "journeys dev: %v\n", err)
			return exitUsage
		}
		cfg.LinkedIn = devserver.LinkedInConfig{APIURL: o.linkedIn.api, Version: o.linkedIn.version, Token: strings.TrimSpace(string(tok))}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.rie {
		endpoint := o.aws
		if endpoint == "" {
			ep, stopMoto, err := startMoto(ctx, ".venv/bin/moto_server")
			if err != nil {
				fmt.Fprintf(c.stderr, "journeys dev: %v\n", err)
				return exitFailed
			}
			defer stopMoto()
			endpoint = ep
		}
		cfg.RIE = &devserver.RIEConfig{RIE: o.rieBin, BuildDir: o.buildDir, Endpoint: endpoint,
			Template: "template-fragments/store.yaml", Log: c.stderr}
	}
	s, err := devserver.Start(ctx, cfg)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys dev: %v\n", err)
		return exitFailed
	}
	c.devBanner(s, o)
	<-ctx.Done()
	fmt.Fprintln(c.stderr, "journeys dev: stopping (contacts waiting in journeys carry on at the next start)")
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(closeCtx); err != nil {
		fmt.Fprintf(c.stderr, "journeys dev: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func (c *cli) devBanner(s *devserver.Server, o devOptions) {
	fmt.Fprintf(c.stdout, "journeys dev on %s (data in %s, clock x%g, journey time %s)\n", s.URL(), o.data, o.speed,
		s.System().Now().UTC().Format(time.RFC3339))
	for _, r := range s.Published() {
		fmt.Fprintf(c.stdout, "  journey %-14s v%d %s\n", r.Journey, r.Version, r.Status)
	}
	if n := s.Restored(); n > 0 {
		fmt.Fprintf(c.stdout, "  %d executions carried on from the last run\n", n)
	}
	fmt.Fprintf(c.stdout, "  outbox:     %s/outbox (files in %s)\n", s.URL(), s.OutboxDir())
	fmt.Fprintf(c.stdout, "  approvals:  %s/local/approvals\n", s.URL())
	fmt.Fprintf(c.stdout, "  api keys:   %s (journeys status --api %s ... uses them)\n", s.KeyFile(), s.URL())
	fmt.Fprintf(c.stdout, "  events:     POST %s/events   linkedin: %s/linkedin/webhook   tracking: %s/t/\n", s.URL(), s.URL(), s.URL())
}
