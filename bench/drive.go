package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Exchange is one request a load repeats.
type Exchange struct {
	Method, Path, Body string
}

// Sample is what driving one exchange against one server measured.
type Sample struct {
	Requests int
	// Errors counts transport errors and answers whose status differs
	// from the first answer's.
	Errors     int
	FirstError string
	Status     int // the first answer's
	Bytes      int // the first answer's body length
	PerSec     float64
	P50, P99   time.Duration
}

// Driver is a closed-loop load generator: Concurrency clients each send
// the exchange and read the whole answer before sending the next, until
// Requests have been sent. Connections are kept alive when the server
// allows it.
type Driver struct {
	Concurrency    int
	User, Password string
}

// Drive sends x to base (scheme, host and port) Requests times, after
// Concurrency warm-up requests that are not counted (they open the
// connections; the simulator freezes a state on its second GET of it).
func (d Driver) Drive(ctx context.Context, base string, x Exchange, requests int) Sample {
	conc := max(d.Concurrency, 1)
	transport := &http.Transport{MaxIdleConnsPerHost: conc, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 5 * time.Minute}
	send := func(buf []byte) (status, size int, err error) {
		var body io.Reader
		if x.Body != "" {
			body = bytes.NewReader([]byte(x.Body))
		}
		req, err := http.NewRequestWithContext(ctx, x.Method, base+x.Path, body)
		if err != nil {
			return 0, 0, err
		}
		if x.Body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if d.User != "" {
			req.SetBasicAuth(d.User, d.Password)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		defer resp.Body.Close()
		// A reused buffer: io.ReadAll of a 32 MB body into fresh memory
		// would cost the client more than the server spends on it.
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{resp.Body}, buf)
		return resp.StatusCode, int(n), err
	}

	var s Sample
	var mu sync.Mutex
	fail := func(err error, status int) {
		mu.Lock()
		defer mu.Unlock()
		s.Errors++
		if s.FirstError == "" {
			if err != nil {
				s.FirstError = err.Error()
			} else {
				s.FirstError = "status " + strconv.Itoa(status) + ", want " + strconv.Itoa(s.Status)
			}
		}
	}
	buf := make([]byte, 64<<10)
	status, size, err := send(buf)
	if err != nil {
		fail(err, 0)
		return s
	}
	s.Status, s.Bytes = status, size

	run := func(n int, measure bool) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		lat := make([][]time.Duration, conc)
		start := time.Now()
		for w := range conc {
			wg.Go(func() {
				buf := make([]byte, 64<<10)
				for next.Add(1) <= int64(n) && ctx.Err() == nil {
					t0 := time.Now()
					status, _, err := send(buf)
					lat[w] = append(lat[w], time.Since(t0))
					if err != nil || status != s.Status {
						fail(err, status)
					}
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		if measure {
			var all []time.Duration
			for _, l := range lat {
				all = append(all, l...)
			}
			s.Requests = len(all)
			s.P50, s.P99 = Percentile(all, 50), Percentile(all, 99)
		}
		return elapsed
	}
	run(conc, false)
	s.Errors, s.FirstError = 0, "" // the warm-up's errors show again below
	elapsed := run(requests, true)
	if elapsed > 0 {
		s.PerSec = float64(s.Requests) / elapsed.Seconds()
	}
	return s
}

// BareHandler answers each exchange it knows (by method and request URI)
// with a fixed status, header and body, after reading the request body as
// any handler must: the same bytes the server it was captured from sent
// (Capture), but for the values of its headers that move (Date, ETag),
// with nothing computed — the most the machine can do for those answers.
// Unknown exchanges get 404.
type BareHandler map[string]BareReply

// BareReply is one fixed answer of a BareHandler.
type BareReply struct {
	Status int
	// Header is sent as it is, in one map assignment a field: the server's
	// own fields (Content-Type, Date, ETag, ...) but those net/http writes
	// itself (Content-Length, Transfer-Encoding, Connection).
	Header http.Header
	Body   []byte
}

// Key is the BareHandler key of an exchange.
func (x Exchange) Key() string { return x.Method + " " + x.Path }

func (h BareHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	rep, ok := h[r.Method+" "+r.URL.RequestURI()]
	if !ok {
		rep.Status = http.StatusNotFound
	}
	out := w.Header()
	for k, v := range rep.Header {
		out[k] = v
	}
	out["Content-Length"] = []string{strconv.Itoa(len(rep.Body))}
	w.WriteHeader(rep.Status)
	_, _ = w.Write(rep.Body)
}
