package simulator

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/seed"
	"github.com/mxharness/mxharness/spec"
)

// sim is a simulator started on loopback with free ports.
type sim struct {
	*Running
	clock *clock.Sim
}

func startSim(t *testing.T, mutate func(*config.Config), opts ...Option) *sim {
	t.Helper()
	cfg := config.Default()
	if mutate != nil {
		mutate(&cfg)
	}
	listen := map[string]string{}
	for _, s := range cfg.Services {
		listen[s.Name] = "127.0.0.1:0"
	}
	if err := cfg.Override("127.0.0.1:0", listen); err != nil {
		t.Fatal(err)
	}
	clk := clock.New()
	opts = append([]Option{WithClock(clk), WithLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))}, opts...)
	run, err := Start(t.Context(), cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := run.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &sim{Running: run, clock: clk}
}

// response is one REST exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return v
}

// api sends a request as admin and checks the response against the
// contract; a response the contract does not allow must be one of the
// allowed recorded deviations.
func (s *sim) api(t *testing.T, method, path, body string, header ...string) response {
	t.Helper()
	return s.apiAs(t, "admin", "mariadb", method, path, body, header...)
}

func (s *sim) apiAs(t *testing.T, user, password, method, path, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.APIURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkContract(t, s.Server.profile, req, res.StatusCode, res.Header, data)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// checkContract fails the test unless the response conforms to the
// contract or departs from it only by deviations the contract records and
// the simulator's profile reproduces.
func checkContract(t *testing.T, prof *profile, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if _, err := spec.FindOperation(req); err != nil {
		return // the contract does not describe the request (FOO, GET …/restart): the test's own assertions judge it
	}
	err := spec.ValidateResponse(context.Background(), req, status, header, body)
	if err == nil {
		return
	}
	var ve *spec.ValidationError
	if errors.As(err, &ve) {
		if ids, ok := spec.ExplainProblems(ve.Operation, status, body, ve.Problems, prof.observed); ok && !slices.ContainsFunc(ids, func(id string) bool { return !prof.observed(id) }) {
			return
		}
	}
	t.Errorf("%s %s → %d breaks the contract (profile %s): %v\n%s", req.Method, req.URL.Path, status, prof.name, err, body)
}

// wantStatus fails unless the response has the status and, when body is
// not "-", exactly that body.
func wantStatus(t *testing.T, what string, r response, status int, body string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status = %d, want %d\n%s", what, r.status, status, r.body)
	}
	if body != "-" && string(r.body) != body {
		t.Errorf("%s: body = %q, want %q", what, r.body, body)
	}
}

// errorBody is MaxScale's pretty error document with one detail.
func errorBody(detail string) string {
	return "{\n    \"errors\": [\n        {\n            \"detail\": \"" + detail + "\"\n        }\n    ]\n}"
}

// session fetches one session's attributes.
func (s *sim) session(t *testing.T, id string) map[string]any {
	t.Helper()
	r := s.api(t, "GET", "/v1/sessions/"+id, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET session %s: %d %s", id, r.status, r.body)
	}
	return r.json(t)["data"].(map[string]any)
}

func attr(res map[string]any, path ...string) any {
	var v any = res["attributes"]
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

// sessionIDs lists the ids of the sessions the API shows.
func (s *sim) sessionIDs(t *testing.T) []string {
	t.Helper()
	var ids []string
	for _, d := range s.api(t, "GET", "/v1/sessions", "").json(t)["data"].([]any) {
		ids = append(ids, d.(map[string]any)["id"].(string))
	}
	return ids
}

// dial opens one go-sql-driver connection to a service and returns it with
// its session id (the only new id the API shows).
func (s *sim) dial(t *testing.T, service string) (*sql.Conn, string) {
	t.Helper()
	before := s.sessionIDs(t)
	conn, err := s.openDB(t, service).Conn(t.Context())
	if err != nil {
		t.Fatalf("connect to %s: %v", service, err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, id := range s.sessionIDs(t) {
		if !slices.Contains(before, id) {
			return conn, id
		}
	}
	t.Fatal("no new session after connecting")
	return nil, ""
}

// openDB opens a go-sql-driver pool to a service as maxuser; closing it
// closes its clients' sockets.
func (s *sim) openDB(t *testing.T, service string) *sql.DB {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "maxuser", "maxpwd", "tcp", s.SQLAddrs[service]
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	return db
}

// eventually polls cond every 20 ms until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		<-tick.C
	}
}

func queryInt(t *testing.T, conn *sql.Conn, q string) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRowContext(t.Context(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func num(t *testing.T, v any) float64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	f, err := n.Float64()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// thawed is v with every Frozen and Overlay in it built as plain objects:
// what the query language's slow path reads.
func thawed(v any) any {
	switch x := v.(type) {
	case *jsonapi.Frozen, *jsonapi.Overlay:
		obj, _ := jsonapi.AsObject(x)
		return thawed(obj)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			out[k] = thawed(el)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = thawed(el)
		}
		return out
	}
	return v
}

// synthetic creates a synthetic session of user on RW-Split-Router and
// returns its id.
func (s *sim) synthetic(t *testing.T, user string, attrs map[string]string) string {
	t.Helper()
	id, err := s.Server.Registry().CreateSynthetic(seed.Session{Service: "RW-Split-Router", User: user, Remote: "10.0.0.1",
		ConnectionAttributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// getOK sends GET path, which must answer 200.
func (s *sim) getOK(t *testing.T, path string) response {
	t.Helper()
	r := s.api(t, "GET", path, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", path, r.status, r.body)
	}
	return r
}

// listIDs returns the ids of the sessions GET /v1/sessions?query lists,
// comma-separated.
func (s *sim) listIDs(t *testing.T, query string) string {
	t.Helper()
	var out []string
	for _, row := range s.getOK(t, "/v1/sessions?"+query).json(t)["data"].([]any) {
		out = append(out, row.(map[string]any)["id"].(string))
	}
	return strings.Join(out, ",")
}
