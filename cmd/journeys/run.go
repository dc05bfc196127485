package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/local/sim"
)

const runUsage = `JOURNEY [--contacts FILE] [--events FILE] [--until 30d] [--start TIME]
       [--generate N] [--trace CONTACT] [--seed N] [--json] [--root DIR]

Simulate a journey on a virtual clock: the contacts enter at the start,
the scripted events (opens, clicks, custom events, approval decisions,
updates; see docs/local.md) happen at their times, and months of journey
time pass in seconds with the real handlers in-process. Messages are
counted, not sent. Prints the funnel: per step how many entered, what the
step did (sent, skipped and why), where they went, how they left; the goal
rate of each split's variants and holdout; with --trace, one contact's path
with the reason for every decision.

JOURNEY is a journey file, or a journey id of the journeys folder.`

type runOptions struct {
	root, contacts, events, until, start, trace string
	generate                                    int
	seed                                        uint64
	json                                        bool
}

func runRun(c *cli, args []string) int {
	var o runOptions
	fs := c.newFlagSet("run", runUsage)
	fs.StringVar(&o.root, "root", "", "the journeys folder (default: the journey file's)")
	fs.StringVar(&o.contacts, "contacts", "", "contacts file (default: <root>/contacts/<business unit>.contacts.yaml)")
	fs.StringVar(&o.events, "events", "", "events file of scripted interactions")
	fs.StringVar(&o.until, "until", "30d", "how long to simulate (virtual time)")
	fs.StringVar(&o.start, "start", "", "when the contacts enter, RFC 3339 (default: the journey's start date, else the day after the sample data's newest interaction, 09:00 UTC)")
	fs.IntVar(&o.generate, "generate", 0, "run N contacts cloned from the contacts file with fresh ids")
	fs.StringVar(&o.trace, "trace", "", "explain this contact's path")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of every random choice (same seed, same run)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(c.stderr, "journeys run: give one journey (a file, or an id of the journeys folder)")
		return exitUsage
	}
	opts, code := c.simOptions(o, fs.Arg(0))
	if code >= 0 {
		return code
	}
	defer simulationGC(runtime.GOMAXPROCS(0))()
	began := time.Now()
	opts.Progress = c.progress()
	res, err := sim.Run(context.Background(), opts)
	c.endProgress()
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys run: %v\n", err)
		return exitFailed
	}
	wall := time.Since(began)
	if o.json {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res.Report); err != nil {
			return exitFailed
		}
	} else if err := res.Report.WriteText(c.stdout); err != nil {
		return exitFailed
	}
	n := len(opts.Contacts)
	if opts.Generate > 0 {
		n = opts.Generate
	}
	rss := ""
	if kb := peakRSSKiB(); kb > 0 {
		rss = fmt.Sprintf(", peak RSS %d MiB", kb>>10)
	}
	fmt.Fprintf(c.stderr, "simulated %d contacts over %s in %s (%.0f contacts/s%s)\n", n, o.until, sim.Elapsed(wall), float64(n)/wall.Seconds(), rss)
	return exitOK
}

// simulationGC tunes the garbage collector for a simulation, which
// allocates a lot and keeps little (each batch's system is dropped when
// the batch ends, and a batch of 5,000 contacts keeps about 60 MB): it
// collects when the heap has grown to 9 times what survived the last
// collection instead of twice (GOGC 800), which saves most of the
// collector's work, under a soft memory limit of 256 MiB plus 256 MiB per
// batch running at once, which keeps a big run's memory bounded (on two
// cores: 768 MiB). GOGC or GOMEMLIMIT in the environment win. It returns
// what restores the previous settings.
func simulationGC(parallel int) (restore func()) {
	percent, limit := -2, int64(-1)
	if os.Getenv("GOGC") == "" {
		percent = debug.SetGCPercent(800)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		limit = debug.SetMemoryLimit(int64(1+max(1, parallel)) << 28)
	}
	return func() {
		if percent != -2 {
			debug.SetGCPercent(percent)
		}
		if limit >= 0 {
			debug.SetMemoryLimit(limit)
		}
	}
}

// simOptions resolves the journey, contacts and events of a run.
func (c *cli) simOptions(o runOptions, arg string) (sim.Options, int) {
	file := arg
	if !strings.HasSuffix(file, journey.SuffixJourney) {
		root := o.root
		if root == "" {
			root = "journeys"
		}
		file = filepath.Join(root, arg+journey.SuffixJourney)
	}
	root := o.root
	if root == "" {
		root = journey.Root(file)
	}
	lib, probs := journey.LoadDir(root)
	checked, more := journey.ReadJourney(file, lib)
	if probs = append(probs, more...); len(probs) > 0 {
		fmt.Fprint(c.stderr, probs.Sort().Format(0))
		return sim.Options{}, exitInvalid
	}
	until, err := journey.ParseDuration(o.until)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys run: --until: %v\n", err)
		return sim.Options{}, exitUsage
	}
	contacts := o.contacts
	if contacts == "" {
		contacts = filepath.Join(root, "contacts", checked.Journey.BusinessUnit+journey.SuffixContacts)
	}
	_, seeds, err := local.ReadSeeds(contacts, lib, time.Unix(0, 0).UTC())
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys run: %v\n", err)
		return sim.Options{}, exitInvalid
	}
	opts := sim.Options{Root: root, Journey: file, Contacts: seeds, Until: until, Seed: o.seed, Trace: o.trace}
	opts.Generate = o.generate
	opts.Start = sim.DefaultStart(checked.Journey, seeds, time.Now())
	if o.start != "" {
		w, err := sim.ParseWhen(o.start)
		if err != nil || w.Abs.IsZero() {
			fmt.Fprintf(c.stderr, "journeys run: --start: %q is not a time like 2026-12-01T09:00:00Z\n", o.start)
			return sim.Options{}, exitUsage
		}
		opts.Start = w.Abs
	}
	if o.events != "" {
		if opts.Events, err = sim.ReadEvents(o.events); err != nil {
			fmt.Fprintf(c.stderr, "%v\n", err)
			return sim.Options{}, exitInvalid
		}
	}
	return opts, -1
}

// progress returns a progress callback drawing a bar on stderr when it is
// a terminal (nil otherwise).
func (c *cli) progress() func(done float64, now time.Time) {
	f, ok := c.stderr.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	var last time.Time
	return func(done float64, now time.Time) {
		if time.Since(last) < 100*time.Millisecond && done < 1 {
			return
		}
		last = time.Now()
		drawBar(c.stderr, done, now)
	}
}

func drawBar(w io.Writer, done float64, now time.Time) {
	const width = 30
	n := int(min(1, done) * width)
	fmt.Fprintf(w, "\r[%s%s] %3.0f%%  %s", strings.Repeat("#", n), strings.Repeat(" ", width-n), 100*min(1, done), now.UTC().Format("2006-01-02 15:04"))
}

// endProgress clears the bar's line.
func (c *cli) endProgress() {
	if f, ok := c.stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(c.stderr, "\r\033[K")
		}
	}
}

// peakRSSKiB reads the process's peak resident set on Linux (VmHWM); 0
// elsewhere.
func peakRSSKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
