package jsonapi

import (
	"syscall"
	"testing"
	"time"
)

// cpuMeter reports a benchmark's process CPU time per operation (user +
// system, every thread: the garbage collector's work included) as
// cpu-ns/op. On a shared two-core machine the wall-clock ns/op swings
// with whatever else runs; CPU time per operation is far steadier.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{processCPU()} }

func (m cpuMeter) report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-m.start)/float64(b.N), "cpu-ns/op")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
