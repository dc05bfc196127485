package devserver_test

import (
	"bufio"
	"context"
	"flag"
	"os"
	"runtime"
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
// the live heap after a collection and the process's peak resident set.
func BenchmarkWaiting(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		s, _ := startServer(b, devserver.Config{
			Root: "../../../journeys", DataDir: b.TempDir(), Addr: "127.0.0.1:0",
			Journeys: []string{"../../../journeys/welcome.journey.yaml"},
		}, t0)
		lib := s.System().Library
		_, all, err := local.ReadSeeds("../../../journeys/contacts/northwind"+journey.SuffixContacts, lib, t0)
		if err != nil {
			b.Fatal(err)
		}
		// The sample leads and MQLs with email consent: they all wait for
		// an open (customers are excluded, SQLs reach the goal at once).
		var seeds []local.Seed
		for _, sd := range all {
			switch sd.ID {
			case "c-0003", "c-0005", "c-0012", "c-0017", "c-0019", "c-0024", "c-0026", "c-0031":
				seeds = append(seeds, sd)
			}
		}
		began := time.Now()
		enrolled := 0
		for k := range *waiting {
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
		running, err := s.System().Workflow.Running(ctx, s.System().Workflow.MachineArn("journeys-northwind_welcome"), *waiting+1)
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(began)
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(len(running)), "waiting")
		b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MB")
		b.ReportMetric(float64(procStatus("VmHWM"))/(1<<10), "peak-RSS-MB")
		// RssFile is mostly the store file bbolt maps into memory (clean
		// pages the kernel may drop); RssAnon is the process's own.
		b.ReportMetric(float64(procStatus("RssAnon"))/(1<<10), "anon-RSS-MB")
		b.ReportMetric(float64(procStatus("RssFile"))/(1<<10), "file-RSS-MB")
		b.ReportMetric(float64(enrolled)/elapsed.Seconds(), "enrolments/s")
		if err := s.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
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
