// Package bench measures the simulator as a whole and proves it holds:
// HTTP benchmarks of the REST API, each beside a bare net/http handler
// writing the same bytes (the upper bound on the machine); a benchmark of a
// whole suite run; the load generator behind `mxharness load` (real wire
// protocol clients by the thousand while the API is polled); and, in its
// tests, the bad-input table and the soak test.
//
// See docs/PERFORMANCE.md for the targets, the figures and the commands.
package bench

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"slices"
	"syscall"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/mxharness/mxharness/simulator/seed"
	"github.com/mxharness/mxharness/simulator/wire"
)

// QuietClientLogs sends the log lines of vitess' protocol code and of the
// MySQL driver to nowhere: clients the soak and the load deliberately cut
// off make both print a line each ("unexpected EOF"). It changes
// process-wide state, so only mains, TestMains and the load command call it.
func QuietClientLogs() {
	wire.RouteVitessLogs(slog.New(slog.DiscardHandler))
	_ = gomysql.SetLogger(log.New(io.Discard, "", 0))
}

// Percentile returns the p-th percentile (0 < p <= 100) of ds by the
// nearest-rank method; 0 for no samples. ds is sorted in place.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(p/100*float64(len(ds))+0.5) - 1
	return ds[min(max(rank, 0), len(ds)-1)]
}

// RaiseFileLimit raises the soft limit on open files to want, or to the
// hard limit when that is lower and cannot be raised (CAP_SYS_RESOURCE), and
// returns the soft limit in force. Thousands of loopback clients need two
// descriptors each (both ends live in this process).
func RaiseFileLimit(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("read the open-file limit: %w", err)
	}
	if lim.Cur >= want {
		return lim.Cur, nil
	}
	if want > lim.Max {
		// Root may raise the hard limit too; anyone else stops at it.
		raised := syscall.Rlimit{Cur: want, Max: want}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			return want, nil
		}
		want = lim.Max
	}
	lim.Cur = want
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("raise the open-file limit to %d: %w", want, err)
	}
	return lim.Cur, nil
}

// SyntheticSessions returns n synthetic sessions modelled on the demo
// data set's real clients (their connection attributes, users and
// services), each with its own address, for filling a simulator through
// its registry without sockets.
func SyntheticSessions(n int) []seed.Session {
	demo, ok := seed.Lookup("demo")
	if !ok || len(demo.Sessions) == 0 {
		demo.Sessions = []seed.Session{{Service: "RW-Split-Router", User: "maxuser"}}
	}
	out := make([]seed.Session, n)
	for i := range out {
		s := demo.Sessions[i%len(demo.Sessions)]
		s.Remote = fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
		s.Port = 0
		// The registry may keep what it is given: every session its own.
		s.ConnectionAttributes = maps.Clone(s.ConnectionAttributes)
		s.Parameters = maps.Clone(s.Parameters)
		s.Filters = slices.Clone(s.Filters)
		out[i] = s
	}
	return out
}

// FileLimitShort says, for a program that needs want open files, why it has
// only got (the hard limit, which only a process with CAP_SYS_RESOURCE may
// raise) and how to get more; "" when got is enough.
func FileLimitShort(want, got uint64) string {
	if got >= want {
		return ""
	}
	return fmt.Sprintf("the open-file limit is %d and this process may not raise it further (the hard limit: raising it needs "+
		"root with CAP_SYS_RESOURCE), but %d are needed: connections beyond that fail. Raise it first (ulimit -Hn %d) or open fewer clients",
		got, want, want)
}
