package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mxharness/mxharness/bench"
	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
)

func init() {
	commands["load"] = command{
		summary: "open N real client sessions and poll the REST API; print rates, latencies, heap per session",
		run:     load,
	}
}

// loadFlags are the load command's settings.
type loadFlags struct {
	clients     int
	parallel    int
	duration    time.Duration
	pollers     int
	allEvery    int
	inProcess   bool
	clientsOnly bool
	sqlAddr     string
	heapProfile string
	synthetic   int
	requests    int
	allMax      int
}

const loadUsage = `usage: mxharness load [flags]

Starts the simulator on loopback, opens --clients real client sessions (handshake and
login, then idle) from a child process, measures the simulator's heap per idle session,
then polls the REST API for --duration and prints throughput and p50/p99 latency.
It raises its open-file limit to fit the clients. See docs/PERFORMANCE.md.

`

func load(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f loadFlags
	fs := newFlagSet("load", loadUsage, stderr)
	fs.IntVar(&f.clients, "clients", 1000, "client `sessions` to open through the wire protocol (up to 10000 on a 2-core machine)")
	fs.IntVar(&f.parallel, "parallel", 32, "connections opened at the same time")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "how long to poll the REST API once every client is connected")
	fs.IntVar(&f.pollers, "pollers", 4, "concurrent REST API pollers")
	fs.IntVar(&f.allEvery, "all-every", 20, "every `N`th poll is GET /v1/sessions (the others GET one session); 0 for never")
	fs.BoolVar(&f.inProcess, "in-process-clients", false, "open the clients in this process (the heap figure then includes the clients' side)")
	fs.StringVar(&f.heapProfile, "heap-profile", "", "write a pprof heap profile to `file` once the clients are idle")
	fs.IntVar(&f.synthetic, "synthetic", 0, "also create this many synthetic `sessions` through the control API once the clients are idle")
	fs.IntVar(&f.requests, "requests", 1000, "requests of the paired page[size]=100 measurement against the bare handler, in all; GET all sends a tenth of them")
	fs.IntVar(&f.allMax, "all-max", 20000, "measure GET all only up to this many `sessions` (a session is ~3.2 KB of body)")
	fs.BoolVar(&f.clientsOnly, "clients-only", false, "internal: open the clients to --sql, print their statistics, hold them until stdin closes")
	fs.StringVar(&f.sqlAddr, "sql", "", "internal: the SQL listener for --clients-only")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if f.clients < 1 || f.parallel < 1 || f.pollers < 1 || f.duration <= 0 || f.requests < 1 || f.synthetic < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "mxharness load: --clients, --parallel, --pollers, --requests and --duration must be positive, --synthetic not negative; no arguments")
		return 2
	}
	user := config.Default().SQLUsers[0]
	bench.QuietClientLogs()
	if f.clientsOnly {
		return holdClients(ctx, f, user, stdout, stderr)
	}
	if err := runLoad(ctx, f, user, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "mxharness load: %v\n", err)
		return 1
	}
	return 0
}

// fileHeadroom is the descriptors a process needs besides its clients'
// sockets (listeners, the API's connections, files).
const fileHeadroom = 256

// holdClients is the child process: it opens the clients, reports how that
// went as one JSON line and keeps them open until its stdin closes.
func holdClients(ctx context.Context, f loadFlags, user config.SQLUser, stdout, stderr io.Writer) int {
	need := uint64(f.clients + fileHeadroom)
	got, err := bench.RaiseFileLimit(need)
	if err != nil {
		fmt.Fprintf(stderr, "mxharness load: %v\n", err)
		return 1
	}
	if msg := bench.FileLimitShort(need, got); msg != "" {
		fmt.Fprintf(stderr, "mxharness load: client process: %s\n", msg)
	}
	clients, stats := bench.OpenClients(ctx, f.sqlAddr, user.Name, user.Password, f.clients, f.parallel)
	defer clients.Close()
	if err := json.NewEncoder(stdout).Encode(stats); err != nil {
		return 1
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// runLoad starts the simulator, opens the clients, measures and prints.
func runLoad(ctx context.Context, f loadFlags, user config.SQLUser, out, stderr io.Writer) error {
	// The simulator holds one descriptor per client; in-process clients
	// add their own end.
	need := uint64(f.clients + fileHeadroom)
	if f.inProcess {
		need += uint64(f.clients)
	}
	fdLimit, err := bench.RaiseFileLimit(need)
	if err != nil {
		return err
	}
	if msg := bench.FileLimitShort(need, fdLimit); msg != "" {
		fmt.Fprintf(stderr, "mxharness load: %s\n", msg)
	}
	cfg := config.Default()
	cfg.API.Address = "127.0.0.1:0"
	for i := range cfg.Services {
		cfg.Services[i].Listener = "127.0.0.1:0"
	}
	run, err := simulator.Start(ctx, cfg, simulator.WithControlAPI())
	if err != nil {
		return err
	}
	defer run.Close()
	sqlAddr := run.SQLAddrs[cfg.Services[0].Name]

	before := bench.SampleHeap()
	var stats bench.ConnectStats
	if f.inProcess {
		var clients *bench.Clients
		clients, stats = bench.OpenClients(ctx, sqlAddr, user.Name, user.Password, f.clients, f.parallel)
		defer clients.Close()
	} else {
		stop, s, err := clientProcess(ctx, f, sqlAddr)
		if err != nil {
			return err
		}
		defer stop()
		stats = s
	}
	if stats.Opened == 0 {
		return fmt.Errorf("no client connected: %s", stats.FirstError)
	}
	after := bench.SampleHeap()
	if f.heapProfile != "" {
		if err := writeHeapProfile(f.heapProfile); err != nil {
			return err
		}
	}
	heap, stack, goroutines := bench.PerSession(before, after, stats.Opened)

	fmt.Fprintf(out, "machine: %d CPUs, %s %s/%s, GOMAXPROCS %d, open-file limit %d\n",
		runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), fdLimit)
	fmt.Fprintf(out, "clients: %d opened in %v (%.0f connections/s), %d failed%s\n",
		stats.Opened, stats.Elapsed.Round(time.Millisecond), stats.Rate(), stats.Failed, firstError(stats))
	where := "simulator only (clients in a child process)"
	if f.inProcess {
		where = "simulator and clients (same process)"
	}
	fmt.Fprintf(out, "heap per idle session: %.2f KiB (%s; heap %.1f -> %.1f MiB); stacks %.2f KiB and %.1f goroutines per session\n",
		heap/1024, where, mib(before.HeapAlloc), mib(after.HeapAlloc), stack/1024, goroutines)

	sessions, unlisted := stats.Opened, after // unlisted: the heap before any GET
	if f.synthetic > 0 {
		start := time.Now()
		if err := bench.CreateSynthetic(ctx, run.APIURL, "admin", "mariadb", f.synthetic); err != nil {
			return err
		}
		elapsed := time.Since(start)
		withSynthetic := bench.SampleHeap()
		perSynthetic, _, _ := bench.PerSession(after, withSynthetic, f.synthetic)
		sessions += f.synthetic
		fmt.Fprintf(out, "synthetic: %d created through the control API in %v; heap per synthetic session %.2f KiB (heap %.1f MiB in all)\n",
			f.synthetic, elapsed.Round(time.Millisecond), perSynthetic/1024, mib(withSynthetic.HeapAlloc))
		unlisted = withSynthetic
	}
	if err := pairedFigures(ctx, out, run.APIURL, f, sessions); err != nil {
		return err
	}
	// What being listed keeps: each session's kept state and parts, and the
	// bodies kept for the lists just polled (bounded for the whole server).
	listed := bench.SampleHeap()
	perListed, _, _ := bench.PerSession(unlisted, listed, sessions)
	fmt.Fprintf(out, "heap per session once listed: +%.2f KiB (kept parts and bodies; heap %.1f MiB)\n",
		perListed/1024, mib(listed.HeapAlloc))

	allEvery := f.allEvery
	if sessions > f.allMax {
		allEvery = 0 // a GET all of them would not end within the run
	}
	one, all, err := bench.Poll(ctx, run.APIURL, "admin", "mariadb", f.pollers, allEvery, f.duration)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "API, %d pollers for %v with %d sessions:\n", f.pollers, f.duration, sessions)
	for _, e := range []bench.EndpointStats{one, all} {
		fmt.Fprintf(out, "  %-22s %6d requests %8.1f req/s  p50 %-10v p99 %-10v errors %d\n",
			e.Name, e.Requests, e.PerSec, e.P50.Round(time.Microsecond), e.P99.Round(time.Microsecond), e.Errors)
	}
	if one.Errors+all.Errors+stats.Failed > 0 {
		return fmt.Errorf("%d failed connections, %d failed API requests", stats.Failed, one.Errors+all.Errors)
	}
	return nil
}

// pairedFigures measures the paged list, and the whole list when it holds
// at most --all-max sessions, each beside a bare handler writing the same
// bytes in the same run, and prints both and the ratio.
func pairedFigures(ctx context.Context, out io.Writer, api string, f loadFlags, sessions int) error {
	xs := []bench.Exchange{{Method: http.MethodGet, Path: "/v1/sessions?page%5Bsize%5D=100"}}
	if sessions <= f.allMax {
		xs = append(xs, bench.Exchange{Method: http.MethodGet, Path: "/v1/sessions"})
	}
	bare := bench.BareHandler{}
	for _, x := range xs {
		rep, err := bench.Capture(ctx, api, x)
		if err != nil {
			return err
		}
		bare[x.Key()] = rep
	}
	bareURL, stop, err := bench.ServeLoopback(bare)
	if err != nil {
		return err
	}
	defer stop()
	d := bench.Driver{Concurrency: f.pollers, User: "admin", Password: "mariadb"}
	fmt.Fprintf(out, "beside a bare handler writing the same bytes, %d clients, %d sessions, in alternating rounds (medians):\n", f.pollers, sessions)
	for _, x := range xs {
		requests := f.requests
		if !strings.Contains(x.Path, "page") {
			requests = max(f.requests/10, 2*f.pollers) // 3.2 KB a session: keep it bounded
		}
		b, s, ratio := alternate(ctx, d, bareURL, api, x, requests)
		fmt.Fprintf(out, "  %-38s sim %8.1f req/s p50 %-10v p99 %-10v | bare %8.1f req/s p50 %-10v | %5.1f %% of bare (%d requests of %d bytes)\n",
			"GET "+strings.ReplaceAll(strings.ReplaceAll(x.Path, "%5B", "["), "%5D", "]"), s.PerSec, s.P50.Round(time.Microsecond),
			s.P99.Round(time.Microsecond), b.PerSec, b.P50.Round(time.Microsecond), ratio, requests, s.Bytes)
		if s.Errors+b.Errors > 0 {
			return fmt.Errorf("%s: %d errors (%s)", x.Path, s.Errors+b.Errors, s.FirstError+b.FirstError)
		}
	}
	return nil
}

// loadRounds is how many rounds alternate between the bare handler and
// the simulator, at most: the machine's speed drifts over a run, and
// back-to-back rounds see the same speed.
const loadRounds = 5

// alternate drives x requests times in all against the bare handler and
// the simulator, in up to loadRounds rounds that alternate between them
// (each client sends at least one request a round). It returns the
// median round of each by req/s, with the errors of all rounds, and the
// median of the rounds' ratios of the simulator's req/s to the bare
// handler's, in percent.
func alternate(ctx context.Context, d bench.Driver, bareURL, api string, x bench.Exchange, requests int) (bare, sim bench.Sample, ratio float64) {
	rounds := max(min(loadRounds, requests/max(d.Concurrency, 1)), 1)
	var bares, sims []bench.Sample
	var ratios []float64
	for r := range rounds {
		n := requests / rounds
		if r < requests%rounds {
			n++
		}
		b, s := d.Drive(ctx, bareURL, x, n), d.Drive(ctx, api, x, n)
		if b.PerSec > 0 {
			ratios = append(ratios, 100*s.PerSec/b.PerSec)
		}
		bares, sims = append(bares, b), append(sims, s)
	}
	return medianRound(bares), medianRound(sims), bench.Median(ratios)
}

// medianRound is the round of median req/s, with every round's errors.
func medianRound(rounds []bench.Sample) bench.Sample {
	errs, first := 0, ""
	for _, r := range rounds {
		errs += r.Errors
		if first == "" {
			first = r.FirstError
		}
	}
	slices.SortFunc(rounds, func(a, b bench.Sample) int { return cmp.Compare(a.PerSec, b.PerSec) })
	m := rounds[(len(rounds)-1)/2]
	m.Errors, m.FirstError = errs, first
	return m
}

// clientProcess runs this program's `load --clients-only` against sqlAddr
// and waits for its statistics; stop closes its stdin and waits for it.
func clientProcess(ctx context.Context, f loadFlags, sqlAddr string) (stop func(), stats bench.ConnectStats, err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, stats, fmt.Errorf("find this program to start the clients: %w (try --in-process-clients)", err)
	}
	cmd := exec.CommandContext(ctx, self, "load", "--clients-only", "--sql", sqlAddr,
		"--clients", strconv.Itoa(f.clients), "--parallel", strconv.Itoa(f.parallel))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, stats, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, stats, err
	}
	if err := cmd.Start(); err != nil {
		return nil, stats, fmt.Errorf("start the client process: %w", err)
	}
	stop = func() {
		stdin.Close()
		_ = cmd.Wait()
	}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &stats)
	}
	if err != nil {
		stop()
		return nil, stats, fmt.Errorf("read the client process's statistics: %w", err)
	}
	return stop, stats, nil
}

func writeHeapProfile(path string) error {
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	if err := pprof.WriteHeapProfile(file); err != nil {
		file.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return file.Close()
}

func firstError(s bench.ConnectStats) string {
	if s.FirstError == "" {
		return ""
	}
	return " (first error: " + s.FirstError + ")"
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
