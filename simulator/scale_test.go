package simulator

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/seed"
	"github.com/mxharness/mxharness/simulator/session"
)

// TestConcurrentClientsAndAPICalls runs real clients and REST calls at the
// same time; under -race it checks the registry's locking.
func TestConcurrentClientsAndAPICalls(t *testing.T) {
	s := startSim(t, func(c *config.Config) { c.RetainLastStatements = 2; c.SessionTrace = 2 })
	const clients = 16
	cfg := gomysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "maxuser", "maxpwd", "tcp", s.SQLAddrs["RW-Split-Router"]
	connector, err := gomysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Errorf("client %d: %v", i, err)
				return
			}
			defer conn.Close()
			for ctx.Err() == nil {
				if _, err := conn.ExecContext(ctx, "SET @a = "+strconv.Itoa(i)); err != nil {
					return // killed by the API below
				}
				var n int
				if err := conn.QueryRowContext(ctx, "SELECT @a").Scan(&n); err != nil {
					return
				}
			}
		})
	}
	eventually(t, "all clients connected", func() bool { return s.Server.Registry().Len() == clients })
	var api sync.WaitGroup
	for range 4 {
		api.Go(func() {
			for range 3 {
				for _, id := range s.sessionIDs(t) {
					s.api(t, "GET", "/v1/sessions/"+id, "")
					s.api(t, "PATCH", "/v1/sessions/"+id, `{"data":{"attributes":{"parameters":{"log_info":true}},"relationships":{"filters":{"data":[{"id":"my-hint-filter"}]}}}}`)
				}
				s.api(t, "POST", "/v1/sessions/restart", "")
			}
		})
	}
	api.Wait()
	for _, id := range s.sessionIDs(t) {
		if r := s.api(t, "DELETE", "/v1/sessions/"+id, ""); r.status != http.StatusOK && r.status != http.StatusNotFound {
			t.Errorf("DELETE %s: %d", id, r.status)
		}
	}
	cancel()
	wg.Wait()
	eventually(t, "no sessions left", func() bool { return s.Server.Registry().Len() == 0 })
}

func TestCloseEndsClientConnections(t *testing.T) {
	s := startSim(t, nil)
	conn, _ := s.dial(t, "Read-Connection-Router")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRowContext(t.Context(), "SELECT 1").Scan(&n); err == nil {
		t.Error("query after Close succeeded")
	}
	if _, err := http.Get(s.APIURL + "/v1/sessions"); err == nil {
		t.Error("REST API still answers after Close")
	}
}

func TestPreconditionsPerProfile(t *testing.T) {
	for _, tc := range []struct {
		profile string
		applied bool
	}{{ProfileMaxScale, true}, {ProfileDocumented, false}} {
		t.Run(tc.profile, func(t *testing.T) {
			s := startSim(t, nil, WithProfile(tc.profile))
			_, id := s.dial(t, "RW-Split-Router")
			r := s.api(t, "PATCH", "/v1/sessions/"+id, `{"data":{"attributes":{"parameters":{"log_notice":true}}}}`, "If-Match", `"wrong"`)
			wantStatus(t, "PATCH If-Match wrong", r, http.StatusPreconditionFailed, "")
			if got := attr(s.session(t, id), "parameters").(map[string]any)["log_notice"] == true; got != tc.applied {
				t.Errorf("log_notice applied = %v, want %v", got, tc.applied)
			}
		})
	}
}

func TestDocumentedProfileDoesNotDefer(t *testing.T) {
	s := startSim(t, func(c *config.Config) { c.RetainLastStatements = 1 }, WithProfile(ProfileDocumented))
	conn, id := s.dial(t, "RW-Split-Router")
	backend := queryInt(t, conn, "SELECT CONNECTION_ID()")
	done := make(chan error, 1)
	go func() { _, err := conn.ExecContext(context.Background(), "SELECT SLEEP(30)"); done <- err }()
	s.waitRunning(t, id, "SELECT SLEEP(30)")
	s.api(t, "PATCH", "/v1/sessions/"+id, `{"data":{"relationships":{"filters":{"data":[{"id":"my-hint-filter"}]}}}}`)
	if _, ok := s.session(t, id)["relationships"].(map[string]any)["filters"]; !ok {
		t.Error("documented profile: filter change on a busy session not shown at once")
	}
	s.api(t, "POST", "/v1/sessions/"+id+"/restart", "")
	got := attr(s.session(t, id), "connections").([]any)[0].(map[string]any)["connection_id"]
	if num(t, got) == float64(backend) {
		t.Error("documented profile: restart did not replace the backend connection at once")
	}
	s.api(t, "DELETE", "/v1/sessions/"+id, "")
	<-done
}

// manySessions fills a simulator with n synthetic sessions.
func manySessions(tb testing.TB, n int, opts ...Option) *Server {
	tb.Helper()
	srv, err := New(config.Default(), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	for i := range n {
		if _, err := srv.Registry().CreateSynthetic(seed.Session{Service: "RW-Split-Router", User: "app",
			Remote: fmt.Sprintf("10.0.%d.%d", i/250, i%250+1), ConnectionAttributes: map[string]string{"_client_name": "libmariadb"}}); err != nil {
			tb.Fatal(err)
		}
	}
	return srv
}

func TestTenThousandSessions(t *testing.T) {
	srv := manySessions(t, 10000)
	h := srv.Handler()
	req := httptest.NewRequest("GET", "/v1/sessions?fields[sessions]=user&pretty=false", nil)
	req.SetBasicAuth("admin", "mariadb")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || strings.Count(rec.Body.String(), `"type":"sessions"`) != 10000 {
		t.Fatalf("GET /v1/sessions with 10000 sessions: %d, %d sessions", rec.Code, strings.Count(rec.Body.String(), `"type":"sessions"`))
	}
	one := httptest.NewRequest("GET", "/v1/sessions/9999", nil)
	one.SetBasicAuth("admin", "mariadb")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, one)
	checkContract(t, srv.profile, one, rec.Code, rec.Header(), rec.Body.Bytes())
	if rec.Code != 200 {
		t.Errorf("GET one of 10000: %d", rec.Code)
	}
}

// benchGet serves GET path on a simulator with 10000 sessions, b.N times.
func benchGet(b *testing.B, path string, opts ...Option) {
	h := manySessions(b, 10000, opts...).Handler()
	// The steady state of a polled server: the first GET keeps each
	// session's parts, the second freezes them (BenchmarkListSessions10kAllChanged
	// measures sessions that change between GETs).
	for range 2 {
		getOK(b, h, path)
	}
	for b.Loop() {
		getOK(b, h, path)
	}
}

func getOK(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest("GET", path, nil)
	req.SetBasicAuth("admin", "mariadb")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
}

func BenchmarkListSessions10k(b *testing.B) { benchGet(b, "/v1/sessions") }

// BenchmarkListSessions10kDocumented: the documented profile's ETag leaves
// the volatile attributes out, which reads every row as objects.
func BenchmarkListSessions10kDocumented(b *testing.B) {
	benchGet(b, "/v1/sessions", WithProfile(ProfileDocumented))
}

// BenchmarkListSessions10kAllChanged is the worst case for the parts kept
// with each session: every session changes between two GETs, so every
// GET builds and encodes all of them anew.
func BenchmarkListSessions10kAllChanged(b *testing.B) {
	srv := manySessions(b, 10000)
	h := srv.Handler()
	ids := make([]string, 0, 10000)
	for _, s := range srv.Registry().List() {
		ids = append(ids, s.ID)
	}
	on := false
	for b.Loop() {
		b.StopTimer()
		on = !on
		for _, id := range ids {
			if err := srv.Registry().Patch(id, session.Update{Parameters: map[string]bool{"log_info": on}}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		getOK(b, h, "/v1/sessions")
	}
}

func BenchmarkGetSessionOf10k(b *testing.B) { benchGet(b, "/v1/sessions/5000") }

// BenchmarkRenderMemo measures what the parts kept with each session cost
// in live heap once a collection has been rendered in both formats often
// enough to freeze them (memo-B/session), and how long one pretty render
// of 10,000 sessions then takes.
func BenchmarkRenderMemo(b *testing.B) {
	srv := manySessions(b, 10000)
	snaps := srv.Registry().List()
	ip := func(addr string) string { return addr }
	render := func() any {
		rows := make([]any, len(snaps))
		for i := range snaps {
			rows[i] = sessionResource(&snaps[i], "http://127.0.0.1:8989/v1/", ip, nil)
		}
		return map[string]any{"data": rows}
	}
	heapNow := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// Streamed, so that no large reply buffer is kept to blur the figure.
	write := func(pretty bool) {
		if err := jsonapi.MarshalTo(io.Discard, render(), pretty); err != nil {
			b.Fatal(err)
		}
	}
	before := heapNow()
	for range 2 { // the first render keeps the parts, the second freezes them
		write(false)
		write(true)
	}
	kept := heapNow()
	for b.Loop() {
		write(true)
	}
	b.ReportMetric(float64(kept-before)/float64(len(snaps)), "memo-B/session")
}

// BenchmarkListedHeap measures what being listed costs a session in live
// heap (listed-B/session): its kept state, its parts and a kept
// selection once GET has listed 10,000 sessions twice in each format and
// with a fieldset of bench/'s, through the handler.
func BenchmarkListedHeap(b *testing.B) {
	heapNow := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for b.Loop() {
		srv := manySessions(b, 10000)
		h := srv.Handler()
		unlisted := heapNow()
		for _, path := range []string{"/v1/sessions?pretty=false", "/v1/sessions", "/v1/sessions?pretty=false", "/v1/sessions",
			"/v1/sessions?fields[sessions]=user,state,client/connection_attributes/_client_name"} {
			req := httptest.NewRequest("GET", path, nil)
			req.SetBasicAuth("admin", "mariadb")
			h.ServeHTTP(&droppingWriter{header: http.Header{}}, req)
		}
		listed := heapNow()
		// The body kept for the fieldset (docCache) is bounded for the
		// whole server, not a session's: reported apart.
		srv.docs = newDocCache()
		perSession := heapNow()
		b.ReportMetric(float64(perSession-unlisted)/10000, "listed-B/session")
		b.ReportMetric(float64(listed-perSession), "kept-bodies-B")
	}
}
