package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
)

// TestBadInput sends every bad input of the reference — the 4xx cases of
// the transcripts of MaxScale 24.02.4 in testdata/badinput (copied from
// shared/reference/observed-24.02.4), replayed with the simulator's own
// session id in place of the captured one — and the extra ones below, to
// a simulator started on loopback with a real client session. Each must
// get MaxScale's status and exact body, no 5xx, and leave the sessions as
// they were (GET /v1/sessions before and after equal except the counters
// that move on their own);
// at the end no goroutine may be left behind.
func TestBadInput(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "badinput", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts in testdata/badinput: %v", err)
	}
	var cases []badInput
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := parseTranscript(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c.name = strings.TrimSuffix(filepath.Base(f), ".txt")
		// MaxScale applies a PATCH's parameters before it validates the
		// filters, so this 400 does change the session (catalogue §3.1).
		c.changesState = c.name == "131-patch-params-and-unknown-filter"
		cases = append(cases, c)
	}
	cases = append(cases, extraBadInputs()...)

	baseline := runtime.NumGoroutine()
	func() {
		sim := startWithClient(t)
		defer sim.close()
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { sim.check(t, c) })
		}
	}()
	eventuallyGoroutines(t, baseline)
}

// badInput is one request and MaxScale's answer to it. The session id
// 115 (or 128) in the path or body stands for the live client session.
type badInput struct {
	name         string
	method       string
	target       string // path and query
	header       http.Header
	body         []byte
	wantStatus   int
	wantBody     []byte
	bodyPrefix   bool // wantBody is only a prefix (jansson texts not captured)
	anyStatus4xx bool // only "a 4xx, no 5xx" is known
	changesState bool
}

const capturedIDs = "115 128"

// extraBadInputs are bad inputs the captures do not cover.
func extraBadInputs() []badInput {
	admin := adminHeader()
	invalidJSON := `{"errors": [ { "detail": "Invalid JSON in request: `
	notASession := func(seg string) []byte {
		return fmt.Appendf(nil, "{\n    \"errors\": [\n        {\n            \"detail\": \"%s is not a session\"\n        }\n    ]\n}", seg)
	}
	return []badInput{
		{name: "x-deeply-nested-body", method: "PATCH", target: "/v1/sessions/115", header: admin,
			body: []byte(strings.Repeat("[", 100000)), wantStatus: 400, wantBody: []byte(invalidJSON), bodyPrefix: true},
		{name: "x-invalid-utf8-body", method: "PATCH", target: "/v1/sessions/115", header: admin,
			body: []byte("{\"data\":\"\xff\xfe\"}"), wantStatus: 400,
			// jansson's text is embedded unescaped: MaxScale's body is not valid JSON here.
			wantBody: []byte(invalidJSON + `unable to decode byte 0xff near '"'" } ] }`)},
		{name: "x-nul-in-body", method: "PATCH", target: "/v1/sessions/115", header: admin,
			body: []byte("{\"data\":\x00}"), wantStatus: 400, wantBody: []byte(invalidJSON), bodyPrefix: true},
		{name: "x-binary-garbage-body", method: "POST", target: "/v1/sessions/restart", header: admin,
			body: []byte{0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef}, wantStatus: 400, wantBody: []byte(invalidJSON), bodyPrefix: true},
		{name: "x-id-overflows-64-bits", method: "GET", target: "/v1/sessions/18446744073709551616", header: admin,
			wantStatus: 404, wantBody: notASession("18446744073709551616")},
		{name: "x-id-with-sign", method: "DELETE", target: "/v1/sessions/+115", header: admin,
			wantStatus: 404, wantBody: notASession("+115")},
		{name: "x-id-hex", method: "POST", target: "/v1/sessions/0x73/restart", header: admin,
			wantStatus: 404, wantBody: notASession("0x73")},
		{name: "x-filter-unknown-function", method: "GET", target: "/v1/sessions?filter=/id=zz(1)", header: admin,
			wantStatus: 400, anyStatus4xx: true},
		{name: "x-filter-pointer-huge", method: "GET", target: "/v1/sessions?filter=/" + strings.Repeat("a/", 5000) + "=1", header: admin,
			wantStatus: 200},
		{name: "x-page-junk", method: "GET", target: "/v1/sessions?page[size]=-1&page[number]=abc", header: admin, wantStatus: 200},
		{name: "x-fields-junk", method: "GET", target: "/v1/sessions/115?fields[sessions]=,,//,%00,../../", header: admin, wantStatus: 200},
		{name: "x-patch-filter-id-missing", method: "PATCH", target: "/v1/sessions/115", header: admin,
			body: []byte(`{"data":{"relationships":{"filters":{"data":[{"type":"filters"}]}}}}`), wantStatus: 400, anyStatus4xx: true},
		{name: "x-patch-filter-element-not-object", method: "PATCH", target: "/v1/sessions/115", header: admin,
			body: []byte(`{"data":{"relationships":{"filters":{"data":["my-hint-filter"]}}}}`), wantStatus: 400, anyStatus4xx: true},
		{name: "x-basic-auth-garbage", method: "GET", target: "/v1/sessions", header: http.Header{"Authorization": {"Basic %%%"}},
			wantStatus: 401, wantBody: []byte(`{"errors": [ { "detail": "Access denied" } ] }`)},
		{name: "x-bearer-garbage", method: "DELETE", target: "/v1/sessions/115", header: http.Header{"Authorization": {"Bearer a.b.c"}},
			wantStatus: 401, wantBody: []byte(`{"errors": [ { "detail": "Access denied" } ] }`)},
	}
}

// adminHeader authenticates as the default admin (admin:mariadb).
func adminHeader() http.Header {
	return http.Header{"Authorization": {"Basic YWRtaW46bWFyaWFkYg=="}}
}

// parseTranscript reads the request and response of one capture.
func parseTranscript(raw []byte) (badInput, error) {
	var c badInput
	req, resp, ok := bytes.Cut(raw, []byte("=== RESPONSE ===\n"))
	if !ok {
		return c, fmt.Errorf("no response section")
	}
	_, req, ok = bytes.Cut(req, []byte("=== REQUEST ===\n"))
	if !ok {
		return c, fmt.Errorf("no request section")
	}
	lines := strings.Split(string(req), "\n")
	if len(lines) < 2 {
		return c, fmt.Errorf("short request")
	}
	parts := strings.Fields(lines[1]) // lines[0] is the URL: line
	if len(parts) != 3 {
		return c, fmt.Errorf("request line %q", lines[1])
	}
	c.method, c.target, c.header = parts[0], parts[1], http.Header{}
	for _, l := range lines[2:] {
		if strings.HasPrefix(l, "--- ") {
			break
		}
		k, v, _ := strings.Cut(l, ": ")
		switch http.CanonicalHeaderKey(k) {
		case "Host", "Content-Length", "User-Agent", "Connection":
		default:
			c.header.Add(k, v)
		}
	}
	var err error
	if c.body, err = section(req, "request body"); err != nil {
		return c, err
	}
	status, _, _ := strings.Cut(strings.TrimPrefix(string(resp), "HTTP/1.1 "), " ")
	if c.wantStatus, err = strconv.Atoi(status); err != nil {
		return c, fmt.Errorf("status %q", status)
	}
	c.wantBody, err = section(resp, "response body")
	return c, err
}

// section returns the n bytes after "--- <what> (n bytes) ---\n", or nil
// when the transcript says there is none.
func section(text []byte, what string) ([]byte, error) {
	_, rest, ok := bytes.Cut(text, []byte("--- "+what+" ("))
	if !ok {
		return nil, nil
	}
	num, rest, _ := bytes.Cut(rest, []byte(" bytes) ---\n"))
	n, err := strconv.Atoi(string(num))
	if err != nil || n > len(rest) {
		return nil, fmt.Errorf("%s length %q", what, num)
	}
	return rest[:n], nil
}

// liveSim is a simulator on loopback with one real client session.
type liveSim struct {
	run    *simulator.Running
	db     *sql.DB
	conn   *sql.Conn
	id     string
	client *http.Client
}

func startWithClient(t *testing.T) *liveSim {
	t.Helper()
	run := startLoopback(t)
	cfg := gomysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "maxuser", "maxpwd", "tcp", run.SQLAddrs["RW-Split-Router"]
	connector, err := gomysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &liveSim{run: run, db: sql.OpenDB(connector),
		// No keep-alive: every exchange's server goroutine must end, which
		// the goroutine count at the end checks.
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}}
	if s.conn, err = s.db.Conn(t.Context()); err != nil {
		t.Fatal(err)
	}
	// CONNECTION_ID() is the backend's id, as with MaxScale: the session
	// id comes from the API, where this client's is the only session.
	if err := s.conn.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	_, body := s.send(t, "GET", "/v1/sessions", adminHeader(), nil)
	if err := json.Unmarshal(body, &list); err != nil || len(list.Data) != 1 {
		t.Fatalf("GET /v1/sessions with one client: %v %s", err, body)
	}
	s.id = list.Data[0].ID
	return s
}

func (s *liveSim) close() {
	s.conn.Close()
	s.db.Close()
	_ = s.run.Close()
}

// startLoopback starts the default simulator with every listener on
// 127.0.0.1:0.
func startLoopback(tb testing.TB) *simulator.Running {
	tb.Helper()
	cfg := config.Default()
	cfg.API.Address = "127.0.0.1:0"
	for i := range cfg.Services {
		cfg.Services[i].Listener = "127.0.0.1:0"
	}
	run, err := simulator.Start(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return run
}

func (s *liveSim) check(t *testing.T, c badInput) {
	before := s.sessions(t)
	target, body := c.target, c.body
	for _, captured := range strings.Fields(capturedIDs) {
		target = strings.ReplaceAll(target, "/sessions/"+captured, "/sessions/"+s.id)
		body = bytes.ReplaceAll(body, []byte(`"`+captured+`"`), []byte(`"`+s.id+`"`))
	}
	status, got := s.send(t, c.method, target, c.header, body)
	switch {
	case status >= 500:
		t.Fatalf("%s %s: %d (a 5xx) %s", c.method, target, status, got)
	case c.anyStatus4xx:
		if status < 400 {
			t.Errorf("%s %s: %d, want a 4xx", c.method, target, status)
		}
	case status != c.wantStatus:
		t.Errorf("%s %s: %d, want %d; body %s", c.method, target, status, c.wantStatus, got)
	case c.wantStatus >= 400 && c.bodyPrefix && !bytes.HasPrefix(got, c.wantBody):
		t.Errorf("%s %s: body %q, want it to begin %q", c.method, target, got, c.wantBody)
	case c.wantStatus >= 400 && !c.bodyPrefix && !bytes.Equal(got, c.wantBody):
		t.Errorf("%s %s: body\n%s\nwant (MaxScale's)\n%s", c.method, target, got, c.wantBody)
	}
	if after := s.sessions(t); !c.changesState && after != before {
		t.Errorf("%s %s changed the sessions:\nbefore %s\nafter  %s", c.method, target, before, after)
	}
}

// send makes one exchange; a transport error (a crashed handler closes
// the connection) fails the test.
func (s *liveSim) send(t *testing.T, method, target string, header http.Header, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.run.APIURL+target, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("request %s %s: %v", method, target, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, target, err)
	}
	return resp.StatusCode, got
}

// sessions is GET /v1/sessions without the members that move on their own
// (idle and seconds_alive with the clock, io_activity as its window of
// recent I/O slides, memory with the buffers of the client's connection),
// as canonical JSON: what a bad request must not change is the rest.
func (s *liveSim) sessions(t *testing.T) string {
	t.Helper()
	status, body := s.send(t, "GET", "/v1/sessions", adminHeader(), nil)
	if status != http.StatusOK {
		t.Fatalf("GET /v1/sessions: %d", status)
	}
	var doc struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("GET /v1/sessions: %v", err)
	}
	for _, res := range doc.Data {
		if attrs, ok := res["attributes"].(map[string]any); ok {
			for _, moving := range []string{"idle", "seconds_alive", "io_activity", "memory"} {
				delete(attrs, moving)
			}
		}
	}
	slices.SortFunc(doc.Data, func(a, b map[string]any) int { return strings.Compare(fmt.Sprint(a["id"]), fmt.Sprint(b["id"])) })
	out, _ := json.Marshal(doc.Data)
	return string(out)
}

// eventuallyGoroutines waits until no more goroutines run than at the
// baseline, and fails with a dump of them when that takes longer than
// ten seconds.
func eventuallyGoroutines(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutine leak: %d running, %d before\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
		}
		<-tick.C
	}
}
