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

const demoUsage = `[--root DIR] [--data DIR] [--clock-speed N] [--timeout 50s] [--verbose]

The local runtime on the bundled examples, end to end, in under a minute
(what make run runs): the dev server on loopback with a fresh data folder
and a fast clock, a local LinkedIn whose leads reach the welcome journey
through the real webhook with signed notifications, a local approval flow
answering through callback URLs, contacts opening and clicking their
emails through the tracking URLs in the outbox; then the welcome journey's
funnel and where the outbox is.`

func runDemo(c *cli, args []string) int {
	fs := c.newFlagSet("demo", demoUsage)
	root := fs.String("root", "journeys", "the journeys folder")
	data := fs.String("data", ".journeys/demo", "the data folder (emptied first)")
	speed := fs.Float64("clock-speed", 86400, "how much faster than real time the journeys run")
	timeout := fs.Duration("timeout", 50*time.Second, "stop after this long, finished or not")
	verbose := fs.Bool("verbose", false, "print the servers' logs on stderr")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	log := slog.New(slog.DiscardHandler)
	if *verbose {
		log = slog.New(slog.NewTextHandler(c.stderr, nil))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began := time.Now()
	res, err := demo.Run(ctx, demo.Options{Root: *root, DataDir: *data, Speed: *speed, Timeout: *timeout, Out: c.stdout, Log: log})
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
