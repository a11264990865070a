package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mxharness/mxharness/bench"
)

func init() {
	commands["bench-peers"] = command{
		summary: "drive the bare handler, the simulator, Prism and a MaxScale with the same load; print a markdown table",
		run:     benchPeers,
	}
}

const benchPeersUsage = `usage: mxharness bench-peers [flags]

Serves the same data sets from a bare net/http handler writing the simulator's bytes and
from the simulator, runs Prism on the contract and, with --maxscale, drives a real MaxScale;
each gets the same closed-loop load. Prints a markdown table (docs/PERFORMANCE.md).

`

func benchPeers(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := bench.PeersOptions{Log: stderr}
	fs := newFlagSet("bench-peers", benchPeersUsage, stderr)
	sizes := fs.String("sessions", "100,10000", "comma-separated data set `sizes` (synthetic sessions); GET one and PATCH use the first")
	fs.IntVar(&o.Requests, "requests", 2000, "requests per case and server")
	fs.IntVar(&o.LargeRequests, "large-requests", 64, "requests per server for a collection of 1,000 sessions or more")
	fs.IntVar(&o.Concurrency, "concurrency", 16, "closed-loop clients")
	fs.IntVar(&o.Rounds, "rounds", 3, "measure every case this many times, interleaved; the table shows medians")
	noPrism := fs.Bool("no-prism", false, "leave Prism out")
	prism := fs.String("prism", strings.Join(bench.PrismCommand, " "), "the Prism `command` ({spec} and {port} are replaced)")
	fs.StringVar(&o.MaxScale, "maxscale", "", "a real MaxScale's REST API `URL` to measure too (e.g. http://127.0.0.1:8989)")
	fs.StringVar(&o.MaxScaleUser, "maxscale-user", "admin", "MaxScale REST API user")
	fs.StringVar(&o.MaxScalePassword, "maxscale-password", "mariadb", "MaxScale REST API password")
	fs.IntVar(&o.MaxScaleRequests, "maxscale-requests", 50, "at most this many requests per case to MaxScale (first round only)")
	fs.BoolVar(&o.MaxScalePatch, "maxscale-patch", false, "PATCH a session of MaxScale too (it sets log_info on its first session)")
	fs.StringVar(&o.MaxScaleSQL, "maxscale-sql", "", "`HOST:PORT` of a MaxScale SQL listener: connect as many clients through it as the first --sessions size before measuring MaxScale")
	fs.StringVar(&o.MaxScaleSQLUser, "maxscale-sql-user", "maxuser", "SQL user of the --maxscale-sql clients")
	fs.StringVar(&o.MaxScaleSQLPassword, "maxscale-sql-password", "maxpwd", "password of --maxscale-sql-user")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	for part := range strings.SplitSeq(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "mxharness bench-peers: --sessions: %q is not a positive number\n", part)
			return 2
		}
		o.Sessions = append(o.Sessions, n)
	}
	if o.Requests < 1 || o.LargeRequests < 1 || o.Concurrency < 1 || o.Rounds < 1 || o.MaxScaleRequests < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "mxharness bench-peers: counts must be positive; no arguments")
		return 2
	}
	if o.MaxScaleSQL != "" && o.MaxScale == "" {
		fmt.Fprintln(stderr, "mxharness bench-peers: --maxscale-sql needs --maxscale (the REST API of the same MaxScale)")
		return 2
	}
	if !*noPrism {
		o.Prism = strings.Fields(*prism)
	}
	if _, err := bench.RaiseFileLimit(4096); err != nil {
		fmt.Fprintf(stderr, "mxharness bench-peers: %v (continuing)\n", err)
	}
	start := time.Now().UTC()
	loadBefore := loadAverage()
	rows, err := bench.RunPeers(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "mxharness bench-peers: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s, %d CPUs, %s %s/%s, GOMAXPROCS %d; load average %s before, %s after; concurrency %d, %d rounds (medians)\n\n",
		start.Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		runtime.GOMAXPROCS(0), loadBefore, loadAverage(), o.Concurrency, o.Rounds)
	bench.Table(stdout, rows)
	for _, r := range rows {
		if r.Sample.Errors > 0 {
			fmt.Fprintf(stderr, "mxharness bench-peers: %s on %s: %d errors (first: %s)\n", r.Case, r.Peer, r.Sample.Errors, r.Sample.FirstError)
			return 1
		}
	}
	return 0
}

// loadAverage is the first three fields of /proc/loadavg: what else the
// machine was doing.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
