package bench

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
)

// The HTTP benchmarks serve the simulator's REST API over real loopback
// HTTP and, in the same run, a bare net/http handler that writes the very
// bytes the simulator answered (status, Content-Type, body): the most this
// machine can do for that response. Each pair reports the simulator's
// throughput as a share of the bare handler's (%bare, higher is better)
// and the latency percentiles of both (p50-ms, p99-ms).
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

// benchClient keeps enough idle connections for RunParallel's goroutines.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}

// do sends x and reads the whole answer; it returns the status and body.
func do(base string, x exchange) (int, []byte, error) {
	resp, err := benchClient.Do(x.request(base))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

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

// benchAgainstBare benchmarks x on the simulator at simURL and on a bare
// handler answering what the simulator answered, in that order, as the
// sub-benchmarks bare and sim, from parallel clients; with serial also
// from one client at a time (bare-serial, sim-serial), whose latency is
// that of a request on an otherwise idle server.
func benchAgainstBare(b *testing.B, simURL string, x exchange, wantStatus int, serial bool) {
	status, body, err := do(simURL, x)
	if err != nil || status != wantStatus {
		b.Fatalf("%s %s: status %d, err %v; want %d", x.method, x.path, status, err, wantStatus)
	}
	resp, err := benchClient.Do(x.request(simURL))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	bare := httptest.NewServer(BareHandler{Exchange{Method: x.method, Path: x.path}.Key(): {
		Status: status, ContentType: resp.Header.Get("Content-Type"), Body: body}})
	defer bare.Close()

	type mode struct {
		suffix string
		run    func(b *testing.B, base string, x exchange, wantStatus int) []time.Duration
	}
	modes := []mode{{"", runParallel}}
	if serial {
		modes = append(modes, mode{"-serial", runSerial})
	}
	for _, m := range modes {
		var bareNsPerOp float64
		b.Run("bare"+m.suffix, func(b *testing.B) {
			bareNsPerOp = report(b, m.run(b, bare.URL, x, wantStatus), len(body))
		})
		b.Run("sim"+m.suffix, func(b *testing.B) {
			ns := report(b, m.run(b, simURL, x, wantStatus), len(body))
			if bareNsPerOp > 0 && ns > 0 {
				b.ReportMetric(100*bareNsPerOp/ns, "%bare")
			}
		})
	}
}

// runParallel repeats x from parallel clients (two per core) and returns
// every request's latency.
func runParallel(b *testing.B, base string, x exchange, wantStatus int) []time.Duration {
	b.SetParallelism(2)
	var mu sync.Mutex
	var lat []time.Duration
	b.RunParallel(func(pb *testing.PB) {
		mine := exchangeLoop(b, base, x, wantStatus, pb.Next)
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	return lat
}

// runSerial repeats x from one client, one request at a time.
func runSerial(b *testing.B, base string, x exchange, wantStatus int) []time.Duration {
	return exchangeLoop(b, base, x, wantStatus, b.Loop)
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

// report adds allocations, MB/s (size is the answer's length) and the
// latency percentiles to the benchmark's result and returns its wall-clock
// ns/op, the inverse of its throughput.
func report(b *testing.B, lat []time.Duration, size int) float64 {
	b.ReportAllocs()
	b.SetBytes(int64(size))
	b.ReportMetric(float64(Percentile(lat, 50))/1e6, "p50-ms")
	b.ReportMetric(float64(Percentile(lat, 99))/1e6, "p99-ms")
	return float64(b.Elapsed().Nanoseconds()) / float64(max(b.N, 1))
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
