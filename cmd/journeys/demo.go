package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/journeys-oss/journeys/internal/local/demo"
)

const demoUsage = `[--root DIR] [--data DIR] [--clock-speed N] [--start TIME] [--timeout 50s] [--verbose]

The local runtime on the bundled examples, end to end, in under a minute
(what make run runs): the dev server on loopback with a fresh data folder
and a fast clock, a local LinkedIn whose leads reach the welcome journey
through the real webhook with signed notifications, a local approval flow
answering through callback URLs, contacts opening and clicking their
emails through the tracking URLs in the outbox; then the welcome journey's
funnel and where the outbox is. With --start the journeys run on a virtual
clock from that time instead, as fast as the machine allows: every run
is the same.`

func runDemo(c *cli, args []string) int {
	fs := c.newFlagSet("demo", demoUsage)
	root := fs.String("root", "journeys", "the journeys folder")
	data := fs.String("data", ".journeys/demo", "the data folder (emptied first)")
	speed := fs.Float64("clock-speed", 86400, "how much faster than real time the journeys run")
	start := fs.String("start", "", "run on a virtual clock from this RFC 3339 time (the same run every time)")
	timeout := fs.Duration("timeout", 50*time.Second, "stop after this long, finished or not")
	verbose := fs.Bool("verbose", false, "print the servers' logs on stderr")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	var from time.Time
	if *start != "" {
		t, err := time.Parse(time.RFC3339, *start)
		if err != nil {
			fmt.Fprintf(c.stderr, "journeys demo: --start %q: want an RFC 3339 time such as 2026-12-01T09:00:00Z\n", *start)
			return exitUsage
		}
		from = t
	}
	log := slog.New(slog.DiscardHandler)
	if *verbose {
		log = slog.New(slog.NewTextHandler(c.stderr, nil))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began := time.Now()
	res, err := demo.Run(ctx, demo.Options{Root: *root, DataDir: *data, Speed: *speed, Start: from, Timeout: *timeout, Out: c.stdout, Log: log})
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys demo: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(c.stdout, "demo done in %s\n", time.Since(began).Round(100*time.Millisecond))
	if !res.Finished {
		return exitFailed
	}
	return exitOK
}
