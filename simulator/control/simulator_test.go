package control_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/control"
	"github.com/mxharness/mxharness/spec"
)

// simHarness is the simulator wired the way `mxharness serve` wires it: the
// REST API inside the fault middleware, the control API on /sim/v1/, one
// SQL listener for RW-Split-Router, all over real sockets. It runs the
// documented profile, so that every REST answer can be checked against the
// contract without the ledger of 24.02's deviations.
type simHarness struct {
	url     string
	sqlAddr string
	clock   *clock.Sim
}

func startSimulator(t *testing.T) *simHarness {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	clk := clock.New()
	srv, err := simulator.New(config.Default(), simulator.WithClock(clk), simulator.WithLogger(logger),
		simulator.WithProfile(simulator.ProfileDocumented))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	faults, err := control.NewFaults(clk.Now, logger)
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := control.New(srv.Registry(), clk, faults, control.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/sim/v1/", ctl)
	mux.Handle("/", faults.Wrap(srv.Handler()))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.ServeMySQL(ctx, ln, "RW-Split-Router") }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("ServeMySQL: %v", err)
		}
	})
	return &simHarness{url: ts.URL, sqlAddr: ln.Addr().String(), clock: clk}
}

// do sends a request as admin and returns status, body and how long it took.
// Control API answers are checked against spec/control.yaml, REST API
// answers against the sessions contract unless faulted is set (an injected
// answer is off-contract on purpose).
func (h *simHarness) do(t *testing.T, method, path, body string, faulted bool) (int, []byte, time.Duration) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, h.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", "mariadb")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case strings.HasPrefix(path, "/sim/v1/"):
		control.ValidateResponse(t, req, resp, got)
	case !faulted:
		if err := spec.ValidateResponse(t.Context(), req, resp.StatusCode, resp.Header, got); err != nil {
			t.Errorf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode, got, elapsed
}

func (h *simHarness) expect(t *testing.T, method, path, body string, want int) []byte {
	t.Helper()
	status, got, _ := h.do(t, method, path, body, false)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, status, want, got)
	}
	return got
}

type sessionDoc struct {
	ID         string `json:"id"`
	Attributes struct {
		User       string          `json:"user"`
		Remote     string          `json:"remote"`
		Port       int             `json:"port"`
		Idle       float64         `json:"idle"`
		Parameters map[string]bool `json:"parameters"`
		Client     map[string]any  `json:"client"`
	} `json:"attributes"`
	Relationships struct {
		Services struct {
			Data []struct{ ID string } `json:"data"`
		} `json:"services"`
		Filters *struct {
			Data []struct{ ID string } `json:"data"`
		} `json:"filters"`
	} `json:"relationships"`
}

func (h *simHarness) sessions(t *testing.T) []sessionDoc {
	t.Helper()
	var doc struct{ Data []sessionDoc }
	if err := json.Unmarshal(h.expect(t, "GET", "/v1/sessions", "", 200), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Data
}

func (h *simHarness) session(t *testing.T, id string) sessionDoc {
	t.Helper()
	var doc struct{ Data sessionDoc }
	if err := json.Unmarshal(h.expect(t, "GET", "/v1/sessions/"+id, "", 200), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Data
}

// TestThroughTheSimulator drives the control API and reads the results
// through the simulator's REST API and a real SQL client.
func TestThroughTheSimulator(t *testing.T) {
	h := startSimulator(t)

	// A real client takes id 1; synthetic sessions continue the counter.
	// The driver's own logger would print the EOF of the kill below.
	connector, err := mysql.NewConnector(&mysql.Config{User: "maxuser", Passwd: "maxpwd", Net: "tcp",
		Addr: h.sqlAddr, AllowNativePasswords: true, Logger: &mysql.NopLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatalf("real client: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	h.expect(t, "POST", "/sim/v1/sessions", `{"data":{"attributes":{"count":2,"service":"Read-Connection-Router",
		"user":"app","remote":"10.0.0.7","port":51000,"connection_attributes":{"_client_name":"Go-MySQL-Driver"},
		"parameters":{"log_info":true},"filters":["my-log-filter"]}}}`, 201)
	list := h.sessions(t)
	if len(list) != 3 || list[0].ID != "1" || list[0].Attributes.User != "maxuser" || list[1].ID != "2" || list[2].ID != "3" {
		t.Fatalf("sessions %+v, want the real client as 1 and synthetic 2 and 3", list)
	}
	for i, s := range list[1:] {
		a := s.Attributes
		if a.User != "app" || a.Remote != "10.0.0.7" || a.Port != 51000+i || !a.Parameters["log_info"] ||
			s.Relationships.Services.Data[0].ID != "Read-Connection-Router" ||
			s.Relationships.Filters == nil || s.Relationships.Filters.Data[0].ID != "my-log-filter" ||
			a.Client["connection_attributes"].(map[string]any)["_client_name"] != "Go-MySQL-Driver" {
			t.Errorf("synthetic session %s: %+v", s.ID, s)
		}
		if _, ok := a.Client["sescmd_history_len"]; ok {
			t.Errorf("session %s of readconnroute shows sescmd_history_len", s.ID)
		}
	}

	t.Run("kill closes a real client's socket", func(t *testing.T) {
		h.expect(t, "DELETE", "/sim/v1/sessions/1", "", 204)
		if err := conn.PingContext(t.Context()); err == nil {
			t.Error("the real client's connection still works after the kill")
		}
		h.expect(t, "GET", "/v1/sessions/1", "", 404)
	})

	t.Run("fault with status and detail, then the real answer", func(t *testing.T) {
		h.expect(t, "POST", "/sim/v1/faults", `{"data":{"attributes":{"operation":"listSessions",
			"status":503,"detail":"MaxScale is shutting down","count":1}}}`, 201)
		status, body, _ := h.do(t, "GET", "/v1/sessions/", "", true)
		if status != 503 || !strings.Contains(string(body), `"detail": "MaxScale is shutting down"`) {
			t.Errorf("faulted list: %d %s", status, body)
		}
		h.expect(t, "GET", "/v1/sessions", "", 200)
		h.expect(t, "GET", "/sim/v1/faults", "", 200)
	})

	t.Run("latency", func(t *testing.T) {
		const latency = 5 * time.Millisecond
		h.expect(t, "POST", "/sim/v1/faults", `{"data":{"attributes":{"path":"/v1/sessions/*","method":"GET","latency":"5ms","count":1}}}`, 201)
		status, _, elapsed := h.do(t, "GET", "/v1/sessions/2", "", false)
		if status != 200 || elapsed < latency || elapsed > 5*time.Second {
			t.Errorf("delayed get: status %d after %s, want 200 after at least %s", status, elapsed, latency)
		}
	})

	t.Run("frozen clock: idle grows and a TTL kill lands on advance", func(t *testing.T) {
		h.expect(t, "PATCH", "/sim/v1/clock", `{"data":{"attributes":{"frozen":true}}}`, 200)
		before := h.session(t, "3").Attributes.Idle
		h.expect(t, "DELETE", "/v1/sessions/2?ttl=1", "", 204)
		h.expect(t, "POST", "/sim/v1/clock/advance", `{"data":{"attributes":{"by":"3s"}}}`, 200)
		h.expect(t, "GET", "/v1/sessions/2", "", 404)
		if after := h.session(t, "3").Attributes.Idle; after < before+3 {
			t.Errorf("idle %v after advancing 3 s from %v", after, before)
		}
		h.expect(t, "POST", "/sim/v1/sessions/3/age", `{"data":{"attributes":{"by":"1h"}}}`, 204)
		if idle := h.session(t, "3").Attributes.Idle; idle < 3603 {
			t.Errorf("idle %v after ageing by 1h", idle)
		}
	})

	t.Run("reset", func(t *testing.T) {
		h.expect(t, "POST", "/sim/v1/faults", `{"data":{"attributes":{"operation":"getSession","status":500}}}`, 201)
		h.expect(t, "POST", "/sim/v1/reset", "", 204)
		if got := h.sessions(t); len(got) != 0 {
			t.Errorf("%d sessions after reset", len(got))
		}
		if h.clock.Frozen() {
			t.Error("clock still frozen after reset")
		}
		body := h.expect(t, "POST", "/sim/v1/seeds/demo", "", 201)
		if !strings.Contains(string(body), `"id": "1"`) {
			t.Errorf("first session after reset is not 1: %s", body)
		}
		h.session(t, "1") // the getSession fault is gone
		if n := len(h.sessions(t)); n != 12 {
			t.Errorf("%d sessions after the demo seed, want 12", n)
		}
	})
}
