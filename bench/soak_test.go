package bench

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
)

// soakSize is how many clients churn for how long: MXH_SOAK=1 is the full
// soak of issue 7 (1,000 clients, 30 s); the default keeps `make test`
// quick, -short quicker still.
func soakSize() (clients int, d time.Duration) {
	switch {
	case os.Getenv("MXH_SOAK") == "1":
		return 1000, 30 * time.Second
	case testing.Short():
		return 20, 2 * time.Second
	}
	return 100, 5 * time.Second
}

// TestSoak runs clients that connect, query and disconnect in a loop
// through the real wire protocol while the API is polled and sessions are
// PATCHed, DELETEd (at once and with a ttl) and restarted at random. The
// only errors allowed are a client's whose session was deleted, and 404s
// for sessions that ended between listing and acting. At the end no
// session and no goroutine may be left. Run it with -race.
func TestSoak(t *testing.T) {
	clients, d := soakSize()
	if _, err := RaiseFileLimit(uint64(4*clients + 1024)); err != nil {
		t.Fatal(err)
	}
	baseline := runtime.NumGoroutine()
	run := startLoopback(t)
	api := &apiClient{base: run.APIURL, http: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
	s := &soak{api: api, sqlAddr: run.SQLAddrs["RW-Split-Router"]}

	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() { s.client(ctx, int64(i)) })
	}
	for range 2 {
		wg.Go(func() { s.poll(ctx) })
	}
	wg.Go(func() { s.chaos(ctx) })
	wg.Wait()

	t.Logf("%d clients for %v: %d connections, %d queries, %d API calls, %d deletes (seen by their clients: %d)",
		clients, d, s.connects.Load(), s.queries.Load(), s.apiCalls.Load(), s.deletes.Load(), s.killedSeen.Load())
	for _, e := range s.errorList() {
		t.Error(e)
	}
	if s.connects.Load() < int64(clients) || s.apiCalls.Load() == 0 {
		t.Errorf("the soak did too little: %d connections, %d API calls", s.connects.Load(), s.apiCalls.Load())
	}
	// Every client has hung up: no session may remain (a pending ttl
	// included: its client is gone).
	var left []listedSession
	eventually(t, "no sessions left", func() bool {
		var err error
		left, err = api.sessions(context.Background())
		return err == nil && len(left) == 0
	}, func() string {
		_, body, _ := api.do(context.Background(), "GET", "/v1/sessions?fields[sessions]=state,port,io_activity,connected&pretty=false", "")
		return fmt.Sprintf("%d sessions left: %.2000s", len(left), body)
	})
	api.http.CloseIdleConnections()
	if err := run.Close(); err != nil {
		t.Errorf("simulator stopped with: %v", err)
	}
	eventuallyGoroutines(t, baseline)
}

// soak is the shared state of one soak run.
type soak struct {
	api     *apiClient
	sqlAddr string
	// killed holds the client ports of sessions chaos deleted: such a
	// client's errors are expected.
	killed sync.Map // int (port) -> struct{}

	connects, queries, apiCalls, deletes, killedSeen atomic.Int64

	mu     sync.Mutex
	errors []string
}

// maxReported bounds the errors kept for the report.
const maxReported = 30

func (s *soak) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errors) < maxReported {
		s.errors = append(s.errors, fmt.Sprintf(format, args...))
	}
}

func (s *soak) errorList() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errors...)
}

// client connects, runs a few statements and disconnects until ctx ends.
func (s *soak) client(ctx context.Context, seed int64) {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	var port atomic.Int64
	cfg := gomysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "maxuser", "maxpwd", "tcp", s.sqlAddr
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			p := conn.LocalAddr().(*net.TCPAddr).Port
			s.killed.Delete(p) // a reused port starts clean
			port.Store(int64(p))
		}
		return conn, err
	}
	connector, err := gomysql.NewConnector(cfg)
	if err != nil {
		s.fail("client %d: %v", seed, err)
		return
	}
	// ctx only says when to stop; each connection runs to its end under
	// its own deadline, so that the end of the run fails nothing.
	for ctx.Err() == nil {
		opCtx, cancel := context.WithTimeout(context.Background(), soakOpTimeout)
		err := s.session(opCtx, connector, rng, &port)
		cancel()
		if err != nil {
			s.fail("client %d (port %d): %v", seed, port.Load(), err)
		}
	}
}

// soakOpTimeout bounds one connection's life in the soak: connect, a few
// statements, hang up. The race detector and a thousand clients on two
// cores make a connect take seconds at worst, never this long.
const soakOpTimeout = 60 * time.Second

// session connects, runs one to five statements and hangs up. A failed
// statement is an error unless chaos deleted the session.
func (s *soak) session(ctx context.Context, connector driver.Connector, rng *rand.Rand, port *atomic.Int64) error {
	conn, err := connector.Connect(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	s.connects.Add(1)
	for range 1 + rng.IntN(5) {
		if err = statement(ctx, conn, rng); err != nil {
			break
		}
		s.queries.Add(1)
	}
	if err != nil {
		if _, ok := s.killed.Load(int(port.Load())); ok {
			s.killedSeen.Add(1)
			return nil
		}
		return fmt.Errorf("statement failed, its session was not deleted: %w", err)
	}
	return nil
}

// statement runs one of the statements clients send most, or a short
// SELECT SLEEP that keeps the session busy long enough for chaos to find
// it (and sometimes kill it mid-query).
func statement(ctx context.Context, conn driver.Conn, rng *rand.Rand) error {
	switch rng.IntN(4) {
	case 0:
		_, err := conn.(driver.ExecerContext).ExecContext(ctx, "SET @a = 1", nil)
		return err
	case 1:
		return queryOne(ctx, conn, "SELECT 1")
	case 2:
		return queryOne(ctx, conn, "SELECT @a")
	default:
		return queryOne(ctx, conn, "SELECT SLEEP(0.2)")
	}
}

func queryOne(ctx context.Context, conn driver.Conn, q string) error {
	rows, err := conn.(driver.QueryerContext).QueryContext(ctx, q, nil)
	if err != nil {
		return err
	}
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(dest); err != nil {
			rows.Close()
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// poll reads the collection and single sessions until ctx ends.
func (s *soak) poll(ctx context.Context) {
	for ctx.Err() == nil {
		ids, err := s.api.sessions(ctx)
		s.apiCalls.Add(1)
		if err != nil {
			if ctx.Err() == nil {
				s.fail("GET /v1/sessions: %v", err)
			}
			return
		}
		for _, sess := range ids[:min(len(ids), 5)] {
			s.expect(ctx, "GET", "/v1/sessions/"+sess.ID, "", http.StatusOK, http.StatusNotFound)
		}
	}
}

// chaosPerList is how many operations chaos runs on one listing (a listing
// of a thousand sessions is the slowest call of the run).
const chaosPerList = 10

// chaos PATCHes, deletes and restarts random sessions until ctx ends.
func (s *soak) chaos(ctx context.Context) {
	rng := rand.New(rand.NewPCG(1, 2))
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	var list []listedSession
	for i := 0; ctx.Err() == nil; i++ {
		<-tick.C
		if i%chaosPerList == 0 || len(list) == 0 {
			var err error
			list, err = s.api.sessions(ctx)
			s.apiCalls.Add(1)
			if err != nil || len(list) == 0 {
				continue
			}
		}
		victim := list[rng.IntN(len(list))]
		path := "/v1/sessions/" + victim.ID
		switch rng.IntN(6) {
		case 0:
			s.expect(ctx, "PATCH", path, fmt.Sprintf(`{"data":{"attributes":{"parameters":{"log_info":%v}}}}`, rng.IntN(2) == 0),
				http.StatusOK, http.StatusNotFound)
		case 1:
			s.expect(ctx, "PATCH", path, `{"data":{"relationships":{"filters":{"data":[{"id":"my-hint-filter"}]}}}}`,
				http.StatusOK, http.StatusNotFound)
		case 2, 3:
			target := path
			if rng.IntN(2) == 0 {
				target += "?ttl=1"
			}
			s.killed.Store(victim.Port, struct{}{})
			s.deletes.Add(1)
			s.expect(ctx, "DELETE", target, "", http.StatusOK, http.StatusNotFound)
		case 4:
			s.expect(ctx, "POST", path+"/restart", "", http.StatusOK, http.StatusNotFound)
		default:
			s.expect(ctx, "POST", "/v1/sessions/restart", "", http.StatusOK)
		}
	}
}

// expect sends a request and records an error unless the status is one of
// want (or the run is ending).
func (s *soak) expect(ctx context.Context, method, path, body string, want ...int) {
	status, got, err := s.api.do(ctx, method, path, body)
	s.apiCalls.Add(1)
	switch {
	case ctx.Err() != nil:
	case err != nil:
		s.fail("%s %s: %v", method, path, err)
	case !containsInt(want, status):
		s.fail("%s %s: %d %s, want one of %v", method, path, status, got, want)
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// apiClient talks to the REST API as the default admin.
type apiClient struct {
	base string
	http *http.Client
}

func (a *apiClient) do(ctx context.Context, method, path, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.SetBasicAuth(apiUser, apiPassword)
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp.StatusCode, got, err
}

// listedSession is what the soak needs of a session resource.
type listedSession struct {
	ID   string
	Port int
}

// sessions lists the sessions' ids and client ports.
func (a *apiClient) sessions(ctx context.Context) ([]listedSession, error) {
	status, body, err := a.do(ctx, "GET", "/v1/sessions?fields[sessions]=port", "")
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", status, body)
	}
	var doc struct {
		Data []struct {
			ID         string `json:"id"`
			Attributes struct {
				Port int `json:"port"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET /v1/sessions: %w", err)
	}
	out := make([]listedSession, len(doc.Data))
	for i, d := range doc.Data {
		out[i] = listedSession{ID: d.ID, Port: d.Attributes.Port}
	}
	return out, nil
}

// eventually polls cond for up to 30 seconds (the full soak closes a
// thousand connections under the race detector); describe says what was
// seen when it never holds.
func eventually(t *testing.T, what string, cond func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s: %s", what, describe())
		}
		<-tick.C
	}
}
