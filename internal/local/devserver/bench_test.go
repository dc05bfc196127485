package devserver_test

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/local/devserver"
)

var waiting = flag.Int("waiting", 10000, "contacts BenchmarkWaiting puts in the welcome journey")

// BenchmarkWaiting measures the dev server's memory with -waiting contacts
// waiting in the welcome journey (each sent its intro and waiting for an
// open on a task token), with the data in the embedded store on disk:
// the live heap after a collection and the process's peak resident set,
// and what each waiting execution adds to the live heap (heap-B/waiting),
// both as enrolled and after the server restarts on the same data folder
// and restores them from their snapshots (restored-heap-B/waiting).
// store-B/waiting is the store file per waiting contact: the mapped file
// pages are the rest of the resident set.
func BenchmarkWaiting(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		cfg := devserver.Config{
			Root: "../../../journeys", DataDir: b.TempDir(), Addr: "127.0.0.1:0",
			Journeys: []string{"../../../journeys/welcome.journey.yaml"},
		}
		s, clock := startServer(b, cfg, t0)
		empty := liveHeap()
		began := time.Now()
		enrolled := fillWaiting(b, s, *waiting)
		elapsed := time.Since(began)
		running := countRunning(b, s)
		heap := liveHeap()
		b.ReportMetric(float64(running), "waiting")
		b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
		b.ReportMetric(float64(heap-empty)/float64(max(running, 1)), "heap-B/waiting")
		b.ReportMetric(float64(procStatus("VmHWM"))/(1<<10), "peak-RSS-MB")
		// RssFile is mostly the store file bbolt maps into memory (clean
		// pages the kernel may drop); RssAnon is the process's own.
		b.ReportMetric(float64(procStatus("RssAnon"))/(1<<10), "anon-RSS-MB")
		b.ReportMetric(float64(procStatus("RssFile"))/(1<<10), "file-RSS-MB")
		b.ReportMetric(float64(enrolled)/elapsed.Seconds(), "enrolments/s")
		stoppedAt := clock.Now()
		if err := s.Close(ctx); err != nil {
			b.Fatal(err)
		}
		if fi, err := os.Stat(filepath.Join(cfg.DataDir, "store.db")); err == nil {
			b.ReportMetric(float64(fi.Size())/float64(max(running, 1)), "store-B/waiting")
		}
		// The restart: every waiting execution comes back from its snapshot.
		// The peak resident set is measured afresh from here (what a dev
		// server started on this data folder takes), once the first
		// server's freed memory is back with the system.
		before := liveHeap()
		debug.FreeOSMemory()
		fresh := resetPeakRSS()
		s, _ = startServer(b, cfg, stoppedAt)
		if got := countRunning(b, s); got != running || s.Restored() != running {
			b.Fatalf("restored %d, %d running, want %d", s.Restored(), got, running)
		}
		b.ReportMetric(float64(liveHeap()-before)/float64(max(running, 1)), "restored-heap-B/waiting")
		if fresh {
			b.ReportMetric(float64(procStatus("VmHWM"))/(1<<10), "restored-peak-RSS-MB")
		}
		if err := s.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// fillWaiting enrols n clones of the sample leads and MQLs with email
// consent (they all wait for an open: customers are excluded, SQLs reach
// the goal at once) and runs them until they wait. It returns how many
// were enrolled.
func fillWaiting(b *testing.B, s *devserver.Server, n int) int {
	ctx := context.Background()
	lib := s.System().Library
	_, all, err := local.ReadSeeds("../../../journeys/contacts/northwind"+journey.SuffixContacts, lib, t0)
	if err != nil {
		b.Fatal(err)
	}
	var seeds []local.Seed
	for _, sd := range all {
		switch sd.ID {
		case "c-0003", "c-0005", "c-0012", "c-0017", "c-0019", "c-0024", "c-0026", "c-0031":
			seeds = append(seeds, sd)
		}
	}
	enrolled := 0
	for k := range n {
		sd := local.Clone(seeds, k)
		if err := local.LoadSeeds(ctx, s.System().Store, "northwind", []local.Seed{sd}); err != nil {
			b.Fatal(err)
		}
		out, err := s.System().Enroller.Enrol(ctx, enrol.Request{BU: "northwind", Journey: "welcome", Contact: sd.ID, Entry: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if out.Status == enrol.Enrolled {
			enrolled++
		}
		if k%1000 == 999 {
			if err := s.Advance(ctx, 0); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := s.Advance(ctx, time.Hour); err != nil {
		b.Fatal(err)
	}
	return enrolled
}

// countRunning counts the running executions of the welcome journey.
func countRunning(b *testing.B, s *devserver.Server) int {
	wf := s.System().Workflow
	running, err := wf.Running(context.Background(), wf.MachineArn("journeys-northwind_welcome"), *waiting+1)
	if err != nil {
		b.Fatal(err)
	}
	return len(running)
}

// resetPeakRSS starts the process's peak resident set (VmHWM) afresh from
// its current resident set; false where Linux's clear_refs is not there.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// liveHeap returns the bytes of live heap after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// procStatus reads a field of /proc/self/status (VmHWM: the peak resident
// set; RssAnon, RssFile), in KiB; 0 where there is none.
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
