package storetest

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// A Meter reports a benchmark's operations per second of wall time and per
// second of the process's CPU time (all threads, the garbage collector's
// included). On a machine shared with other work the wall figure measures
// the sharing as much as the store; the CPU figure is the store's cost.
type Meter struct {
	b   *testing.B
	cpu time.Duration
}

// StartMeter resets the benchmark's timer and starts measuring: call it
// just before the timed loop.
func StartMeter(b *testing.B) *Meter {
	b.ReportAllocs()
	b.ResetTimer()
	return &Meter{b, cpuTime()}
}

// Report reports n operations as unit (e.g. "gets/s") and as its CPU twin
// ("gets/cpu-s").
func (m *Meter) Report(n int, unit string) {
	m.b.ReportMetric(float64(n)/m.b.Elapsed().Seconds(), unit)
	if cpu := cpuTime() - m.cpu; cpu > 0 {
		m.b.ReportMetric(float64(n)/cpu.Seconds(), strings.TrimSuffix(unit, "/s")+"/cpu-s")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
