package bench

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
)

// The HTTP benchmarks serve the simulator's REST API over real loopback
// HTTP and, in the same run, a bare net/http handler that writes the very
// bytes the simulator answered (status, header fields, body): the most
// this machine can do for that response. Each reports the simulator's
// throughput as a share of the bare handler's (%bare, higher is better)
// and the latency percentiles of both (p50-ms, p99-ms, bare-p50-ms),
// measured in alternating rounds (benchAgainstBare).
//
//	go test -run '^$' -bench . -benchmem -count 6 ./bench/ | tee new.txt
//	benchstat new.txt

// apiUser is the default admin account of config.Default.
const apiUser, apiPassword = "admin", "mariadb"

// simWithSessions starts a simulator with n synthetic sessions behind a
// loopback HTTP server and returns its base URL.
func simWithSessions(tb testing.TB, n int) string {
	tb.Helper()
	srv, err := simulator.New(config.Default())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	for _, s := range SyntheticSessions(n) {
		if _, err := srv.Registry().CreateSynthetic(s); err != nil {
			tb.Fatal(err)
		}
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	return ts.URL
}

// exchange is one request the benchmarks repeat.
type exchange struct {
	method, path, body string
}

func (x exchange) request(base string) *http.Request {
	var body io.Reader
	if x.body != "" {
		body = bytes.NewReader([]byte(x.body))
	}
	req, err := http.NewRequest(x.method, base+x.path, body)
	if err != nil {
		panic(err) // the paths are constants of this file
	}
	req.SetBasicAuth(apiUser, apiPassword)
	return req
}

// benchClient keeps enough idle connections for the parallel clients.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}

// discard sends x and reads the answer into a reused buffer: the client's
// side of a benchmark should cost as little as possible (io.ReadAll of a
// 32 MB body into fresh memory cost more than serving it).
func discard(base string, x exchange) (int, error) {
	resp, err := benchClient.Do(x.request(base))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	_, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{resp.Body}, *buf)
	return resp.StatusCode, err
}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// benchAgainstBare benchmarks x on the simulator at simURL beside a bare
// handler answering what the simulator answered (Capture), in rounds that
// alternate between the two: the speed of the machines this runs on
// drifts by 10–15 % over a run, and a bare handler measured for seconds
// before the simulator compared the two at different speeds. The
// sub-benchmark sim sends from parallel clients (two per core); with
// serial, sim-serial also sends from one client at a time, whose latency
// is that of a request on an otherwise idle server. Each reports the
// simulator's figures, the bare handler's (bare-ns/op, bare-p50-ms), and
// %bare: the median over the rounds of the bare handler's time for the
// round's requests over the simulator's (higher is better).
func benchAgainstBare(b *testing.B, simURL string, x exchange, wantStatus int, serial bool) {
	captured := Exchange{Method: x.method, Path: x.path, Body: x.body}
	rep, err := Capture(b.Context(), simURL, captured)
	if err != nil || rep.Status != wantStatus {
		b.Fatalf("%s %s: status %d, err %v; want %d", x.method, x.path, rep.Status, err, wantStatus)
	}
	bare := httptest.NewServer(BareHandler{captured.Key(): rep})
	defer bare.Close()

	run := func(name string, clients int) {
		b.Run(name, func(b *testing.B) {
			p := paired{b: b, x: x, wantStatus: wantStatus, clients: clients}
			p.run(bare.URL, simURL)
			p.report(len(rep.Body))
		})
	}
	run("sim", 2*runtime.GOMAXPROCS(0))
	if serial {
		run("sim-serial", 1)
	}
}

// pairedRounds is how many rounds a paired benchmark alternates: enough
// for a median, each long enough (b.N/pairedRounds requests) to be timed.
const pairedRounds = 10

// paired measures a bare handler and the simulator in alternating rounds.
type paired struct {
	b          *testing.B
	x          exchange
	wantStatus int
	clients    int

	ratios       []float64 // bare's time over the simulator's, by round
	bareTime     time.Duration
	lat, bareLat []time.Duration
}

// run sends b.N requests to each, bare first in every round; only the
// simulator's rounds are timed (and their allocations counted).
func (p *paired) run(bareURL, simURL string) {
	b := p.b
	rounds := min(pairedRounds, b.N)
	b.StopTimer()
	p.round(bareURL, p.clients) // warm-up: connections, and the simulator's kept bodies
	p.round(simURL, p.clients)
	for r := range rounds {
		n := b.N / rounds
		if r < b.N%rounds {
			n++
		}
		bareElapsed, bareLat := p.round(bareURL, n)
		b.StartTimer()
		elapsed, lat := p.round(simURL, n)
		b.StopTimer()
		p.ratios = append(p.ratios, float64(bareElapsed)/float64(elapsed))
		p.bareTime += bareElapsed
		p.lat, p.bareLat = append(p.lat, lat...), append(p.bareLat, bareLat...)
	}
}

// round sends n requests to base from p.clients clients at once and
// returns how long they took and their latencies.
func (p *paired) round(base string, n int) (time.Duration, []time.Duration) {
	var left atomic.Int64
	left.Store(int64(n))
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for range min(p.clients, n) {
		wg.Go(func() {
			mine := exchangeLoop(p.b, base, p.x, p.wantStatus, func() bool { return left.Add(-1) >= 0 })
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return time.Since(start), lat
}

// report adds allocations, MB/s (size is the answer's length), the
// latency percentiles of both and %bare to the benchmark's result.
func (p *paired) report(size int) {
	b := p.b
	b.ReportAllocs()
	b.SetBytes(int64(size))
	b.ReportMetric(float64(Percentile(p.lat, 50))/1e6, "p50-ms")
	b.ReportMetric(float64(Percentile(p.lat, 99))/1e6, "p99-ms")
	b.ReportMetric(float64(p.bareTime.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(Percentile(p.bareLat, 50))/1e6, "bare-p50-ms")
	slices.Sort(p.ratios)
	b.ReportMetric(100*p.ratios[len(p.ratios)/2], "%bare")
}

// exchangeLoop sends x while next says so and returns the latencies.
func exchangeLoop(b *testing.B, base string, x exchange, wantStatus int, next func() bool) []time.Duration {
	var lat []time.Duration
	for next() {
		start := time.Now()
		status, err := discard(base, x)
		lat = append(lat, time.Since(start))
		if err != nil || status != wantStatus {
			b.Errorf("%s %s: status %d, err %v", x.method, x.path, status, err)
			return lat
		}
	}
	return lat
}

func BenchmarkGetOneSession(b *testing.B) {
	url := simWithSessions(b, 1000)
	benchAgainstBare(b, url, exchange{method: "GET", path: "/v1/sessions/500"}, http.StatusOK, false)
}

func BenchmarkGetAllSessions(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			url := simWithSessions(b, n)
			benchAgainstBare(b, url, exchange{method: "GET", path: "/v1/sessions"}, http.StatusOK, n == 10000)
		})
	}
}

// BenchmarkQuery10000Sessions: fields, filter and page over 10,000
// sessions.
func BenchmarkQuery10000Sessions(b *testing.B) {
	url := simWithSessions(b, 10000)
	for _, tc := range []struct{ name, query string }{
		{"fields", "fields[sessions]=user,state,client/connection_attributes/_client_name"},
		{"filter", "filter=/attributes/user=%22maxuser%22"},
		{"filter-jsonpath", "filter[relationships.services.data[*].id]=eq(%22Read-Connection-Router%22)"},
		{"page", "page[size]=100&page[number]=3"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchAgainstBare(b, url, exchange{method: "GET", path: "/v1/sessions?" + tc.query}, http.StatusOK, false)
		})
	}
}

func BenchmarkPatchSession(b *testing.B) {
	url := simWithSessions(b, 1000)
	benchAgainstBare(b, url, exchange{method: "PATCH", path: "/v1/sessions/500",
		body: `{"data":{"attributes":{"parameters":{"log_info":true}}}}`}, http.StatusOK, false)
}
