package bench

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
)

// Clients is a set of open, idle client connections through the wire
// protocol.
type Clients struct {
	mu    sync.Mutex
	conns []driver.Conn
}

// Close hangs up every client.
func (c *Clients) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

// ConnectStats describes how opening the clients went.
type ConnectStats struct {
	Opened     int           `json:"opened"`
	Failed     int           `json:"failed"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	FirstError string        `json:"first_error,omitempty"`
}

// Rate is the connections opened per second.
func (s ConnectStats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Opened) / s.Elapsed.Seconds()
}

// OpenClients logs n clients in to the SQL listener at addr as user,
// parallel at a time (each a real handshake and login, then idle), and
// keeps them open. It stops early when ctx ends.
func OpenClients(ctx context.Context, addr, user, password string, n, parallel int) (*Clients, ConnectStats) {
	cfg := gomysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = user, password, "tcp", addr
	cfg.Timeout = 30 * time.Second
	clients := &Clients{conns: make([]driver.Conn, 0, n)}
	var stats ConnectStats
	connector, err := gomysql.NewConnector(cfg)
	if err != nil {
		stats.Failed, stats.FirstError = n, err.Error()
		return clients, stats
	}
	start := time.Now()
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range max(parallel, 1) {
		wg.Go(func() {
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				conn, err := connector.Connect(ctx)
				mu.Lock()
				if err != nil {
					stats.Failed++
					if stats.FirstError == "" {
						stats.FirstError = err.Error()
					}
				} else {
					stats.Opened++
					clients.mu.Lock()
					clients.conns = append(clients.conns, conn)
					clients.mu.Unlock()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	stats.Elapsed = time.Since(start)
	return clients, stats
}

// HeapSample is the live heap and goroutine stacks after a collection.
type HeapSample struct {
	HeapAlloc  uint64
	StackInuse uint64
	Goroutines int
}

// SampleHeap collects garbage (twice, so that finalizers run) and reads
// the heap.
func SampleHeap() HeapSample {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return HeapSample{HeapAlloc: m.HeapAlloc, StackInuse: m.StackInuse, Goroutines: runtime.NumGoroutine()}
}

// PerSession divides what grew between before and after by n sessions.
func PerSession(before, after HeapSample, n int) (heap, stack, goroutines float64) {
	if n <= 0 {
		return 0, 0, 0
	}
	d := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
	return d(after.HeapAlloc, before.HeapAlloc), d(after.StackInuse, before.StackInuse),
		float64(after.Goroutines-before.Goroutines) / float64(n)
}

// EndpointStats is what polling one endpoint measured.
type EndpointStats struct {
	Name     string
	Requests int
	Errors   int
	PerSec   float64
	P50, P99 time.Duration
	lat      []time.Duration
}

// Poll runs pollers goroutines against the REST API at base for d: each
// request is GET /v1/sessions/<id> of a random listed session, except every
// allEvery-th, which is GET /v1/sessions. Answers other than 200 count as
// errors (a session that ended in between is a 404 and counts too).
func Poll(ctx context.Context, base, user, password string, pollers, allEvery int, d time.Duration) (one, all EndpointStats, err error) {
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: pollers}}
	defer client.CloseIdleConnections()
	get := func(path string) (int, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return 0, nil, err
		}
		req.SetBasicAuth(user, password)
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, body, err
	}
	status, body, err := get("/v1/sessions?fields[sessions]=state")
	if err != nil || status != http.StatusOK {
		return one, all, fmt.Errorf("list the sessions: status %d, %v", status, err)
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &list); err != nil || len(list.Data) == 0 {
		return one, all, fmt.Errorf("list the sessions: %d sessions, %v", len(list.Data), err)
	}

	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	one.Name, all.Name = "GET /v1/sessions/:id", "GET /v1/sessions"
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for p := range max(pollers, 1) {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(p), 11))
			var mine [2]EndpointStats
			for i := 0; ctx.Err() == nil; i++ {
				which, path := 0, "/v1/sessions/"+list.Data[rng.IntN(len(list.Data))].ID
				if allEvery > 0 && i%allEvery == allEvery-1 {
					which, path = 1, "/v1/sessions"
				}
				t0 := time.Now()
				status, _, err := get(path)
				if ctx.Err() != nil {
					break // cut short by the end of the run: not a sample
				}
				mine[which].Requests++
				mine[which].lat = append(mine[which].lat, time.Since(t0))
				if err != nil || status != http.StatusOK {
					mine[which].Errors++
				}
			}
			mu.Lock()
			for i, st := range []*EndpointStats{&one, &all} {
				st.Requests += mine[i].Requests
				st.Errors += mine[i].Errors
				st.lat = append(st.lat, mine[i].lat...)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, st := range []*EndpointStats{&one, &all} {
		st.PerSec = float64(st.Requests) / elapsed.Seconds()
		st.P50, st.P99 = Percentile(st.lat, 50), Percentile(st.lat, 99)
		st.lat = nil
	}
	return one, all, nil
}

// CreateSynthetic creates n synthetic sessions through the simulator's
// control API at base (POST /sim/v1/sessions, at most 1,000 a request),
// modelled on the demo data set's clients like SyntheticSessions.
func CreateSynthetic(ctx context.Context, base, user, password string, n int) error {
	client := &http.Client{Timeout: time.Minute}
	demo := SyntheticSessions(1)[0]
	attrs, err := json.Marshal(demo.ConnectionAttributes)
	if err != nil {
		return err
	}
	for done := 0; done < n; {
		count := min(n-done, 1000)
		body := fmt.Sprintf(`{"data":{"attributes":{"count":%d,"service":%q,"user":%q,"remote":"10.%d.%d.1","connection_attributes":%s}}}`,
			count, demo.Service, demo.User, done>>16&0xff, done>>8&0xff, attrs)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/sim/v1/sessions", strings.NewReader(body))
		if err != nil {
			return err
		}
		req.SetBasicAuth(user, password)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("create synthetic sessions: %w", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("create synthetic sessions: POST /sim/v1/sessions answered %d", resp.StatusCode)
		}
		done += count
	}
	return nil
}
