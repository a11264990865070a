package control

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/mxharness/mxharness/simulator/seed"
	"github.com/mxharness/mxharness/spec"
)

// fakeRegistry implements Registry in memory for the handler tests; the
// real registry is exercised through the simulator in integration_test.go.
type fakeRegistry struct {
	mu       sync.Mutex
	next     int
	sessions map[string]seed.Session
	ttls     map[string]int
	resets   int
}

func newFakeRegistry() *fakeRegistry {
	return &fakeRegistry{sessions: map[string]seed.Session{}, ttls: map[string]int{}}
}

func (f *fakeRegistry) CreateSynthetic(s seed.Session) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s.Service != "RW-Split-Router" && s.Service != "Read-Connection-Router" {
		return "", invalidf("service %q does not exist", s.Service)
	}
	f.next++
	id := strconv.Itoa(f.next)
	f.sessions[id] = s
	return id, nil
}

func (f *fakeRegistry) Kill(id string, ttl int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.sessions[id]; !ok {
		return notFoundf("session %s does not exist", id)
	}
	if ttl == 0 {
		delete(f.sessions, id)
		return nil
	}
	f.ttls[id] = ttl
	return nil
}

func (f *fakeRegistry) Age(id string, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[id]
	if !ok {
		return notFoundf("session %s does not exist", id)
	}
	s.Age += d
	f.sessions[id] = s
	return nil
}

func (f *fakeRegistry) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next = 0
	f.resets++
	clear(f.sessions)
	clear(f.ttls)
}

func (f *fakeRegistry) session(id string) (seed.Session, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[id]
	return s, ok
}

type fakeClock struct {
	fakeNow
	frozen bool
}

func (c *fakeClock) Frozen() bool            { c.mu.Lock(); defer c.mu.Unlock(); return c.frozen }
func (c *fakeClock) Freeze()                 { c.mu.Lock(); defer c.mu.Unlock(); c.frozen = true }
func (c *fakeClock) Unfreeze()               { c.mu.Lock(); defer c.mu.Unlock(); c.frozen = false }
func (c *fakeClock) Advance(d time.Duration) { c.add(d) }

// fixture is a control API on an httptest server with fakes behind it.
type fixture struct {
	srv    *httptest.Server
	reg    *fakeRegistry
	clock  *fakeClock
	faults *Faults
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ops, err := sessionOperations()
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	fx := &fixture{reg: newFakeRegistry(), clock: &fakeClock{fakeNow: fakeNow{t: time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)}}}
	fx.faults = newFaults(fx.clock.Now, ops, logger)
	c, err := New(fx.reg, fx.clock, fx.faults, WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	fx.srv = httptest.NewServer(c)
	t.Cleanup(fx.srv.Close)
	return fx
}

// newFixtureWithSession is newFixture with session 1 in the registry.
func newFixtureWithSession(t *testing.T) *fixture {
	t.Helper()
	fx := newFixture(t)
	if _, err := fx.reg.CreateSynthetic(seed.Session{Service: "RW-Split-Router"}); err != nil {
		t.Fatal(err)
	}
	return fx
}

// controlRouter matches requests against spec/control.yaml for response
// validation.
func controlRouter(t *testing.T) routers.Router {
	t.Helper()
	doc, err := spec.LoadControl()
	if err != nil {
		t.Fatal(err)
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// call sends a request to the control API, validates the response against
// spec/control.yaml (status included) and returns status and body.
func (fx *fixture) call(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, fx.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := fx.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	validateResponse(t, req, resp, got)
	return resp.StatusCode, got
}

func validateResponse(t *testing.T, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	route, params, err := controlRouter(t).FindRoute(req)
	if err != nil {
		// Not a route of the spec: the answer must still be MaxScale's error shape.
		var doc struct {
			Errors []struct{ Detail string } `json:"errors"`
		}
		if json.Unmarshal(body, &doc) != nil || len(doc.Errors) != 1 || doc.Errors[0].Detail == "" {
			t.Errorf("%s %s (no route): body %q is not an error document", req.Method, req.URL.Path, body)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(t.Context(), in); err != nil {
		t.Errorf("%s %s: response %d %s does not match spec/control.yaml: %v",
			req.Method, req.URL.Path, resp.StatusCode, body, err)
	}
}

// endpointCase is one request of a table test: the status it must get and,
// for errors, a part of the detail.
type endpointCase struct {
	name       string
	method     string
	path       string
	body       string
	wantStatus int
	wantDetail string
}

func (fx *fixture) run(t *testing.T, tc endpointCase) []byte {
	t.Helper()
	status, body := fx.call(t, tc.method, tc.path, tc.body)
	if status != tc.wantStatus {
		t.Fatalf("%s %s: status = %d, want %d; body %s", tc.method, tc.path, status, tc.wantStatus, body)
	}
	if tc.wantDetail != "" && !strings.Contains(string(body), tc.wantDetail) {
		t.Errorf("%s %s: body %s does not contain %q", tc.method, tc.path, body, tc.wantDetail)
	}
	return body
}

func TestEveryOperationHasAHandler(t *testing.T) {
	doc, err := spec.LoadControl()
	if err != nil {
		t.Fatal(err)
	}
	var inSpec []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			inSpec = append(inSpec, op.OperationID)
		}
	}
	c, err := New(newFakeRegistry(), &fakeClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	handled := slices.Sorted(maps.Keys(c.ops))
	slices.Sort(inSpec)
	if !slices.Equal(handled, inSpec) {
		t.Errorf("handlers %v, spec operations %v", handled, inSpec)
	}
}

func TestRouting(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []endpointCase{
		{"unknown path", "GET", "/sim/v1/nothing", "", 404, "no control API route GET /sim/v1/nothing"},
		{"outside the prefix", "GET", "/v1/faults", "", 404, "no control API route"},
		{"method not allowed", "PUT", "/sim/v1/faults", "", 405, "method PUT is not allowed on /sim/v1/faults"},
	} {
		t.Run(tc.name, func(t *testing.T) { fx.run(t, tc) })
	}
}

func TestCreateSyntheticSessions(t *testing.T) {
	tests := []struct {
		endpointCase
		wantIDs []string
		check   func(t *testing.T, reg *fakeRegistry)
	}{
		{endpointCase: endpointCase{"defaults", "POST", "/sim/v1/sessions", `{"data":{}}`, 201, `"self": "http://`},
			wantIDs: []string{"1"}, check: func(t *testing.T, reg *fakeRegistry) {
				s, _ := reg.session("1")
				want := seed.Session{Service: "RW-Split-Router", User: "maxuser", Remote: "127.0.0.1"}
				if s.Service != want.Service || s.User != want.User || s.Remote != want.Remote || s.Port != 0 ||
					s.ConnectionAttributes != nil || s.Busy || s.Age != 0 {
					t.Errorf("session 1 = %+v, want defaults %+v", s, want)
				}
			}},
		{endpointCase: endpointCase{"three with everything", "POST", "/sim/v1/sessions",
			`{"data":{"type":"sessions","attributes":{"count":3,"service":"Read-Connection-Router","user":"app",
			"remote":"10.0.0.7","port":51000,"connection_attributes":{"_client_name":"libmariadb"},
			"parameters":{"log_info":true},"filters":["my-log-filter"],"busy":true,"age":"1h"}}}`, 201, ""},
			wantIDs: []string{"1", "2", "3"}, check: func(t *testing.T, reg *fakeRegistry) {
				for i, id := range []string{"1", "2", "3"} {
					s, _ := reg.session(id)
					if s.Service != "Read-Connection-Router" || s.User != "app" || s.Remote != "10.0.0.7" ||
						s.Port != 51000+i || s.ConnectionAttributes["_client_name"] != "libmariadb" ||
						!s.Parameters["log_info"] || !slices.Equal(s.Filters, []string{"my-log-filter"}) ||
						!s.Busy || s.Age != time.Hour {
						t.Errorf("session %s = %+v", id, s)
					}
				}
				a, _ := reg.session("1")
				b, _ := reg.session("2")
				a.ConnectionAttributes["x"] = "y"
				if b.ConnectionAttributes["x"] == "y" {
					t.Error("sessions share one connection_attributes map")
				}
			}},
		{endpointCase: endpointCase{"null connection attributes", "POST", "/sim/v1/sessions",
			`{"data":{"attributes":{"connection_attributes":null}}}`, 201, ""}, wantIDs: []string{"1"}},
		{endpointCase: endpointCase{"last port", "POST", "/sim/v1/sessions",
			`{"data":{"attributes":{"count":2,"port":65534}}}`, 201, ""}, wantIDs: []string{"1", "2"}},
		{endpointCase: endpointCase{"no body", "POST", "/sim/v1/sessions", "", 400, "missing request body"}},
		{endpointCase: endpointCase{"not JSON", "POST", "/sim/v1/sessions", "{", 400, "invalid request body"}},
		{endpointCase: endpointCase{"trailing data", "POST", "/sim/v1/sessions", `{"data":{}} x`, 400, "data after the JSON document"}},
		{endpointCase: endpointCase{"no data", "POST", "/sim/v1/sessions", `{}`, 400, `no \"data\" object`}},
		{endpointCase: endpointCase{"wrong type", "POST", "/sim/v1/sessions", `{"data":{"type":"faults"}}`, 400, `data.type is \"faults\", want \"sessions\"`}},
		{endpointCase: endpointCase{"unknown attribute", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"users":"x"}}}`, 400, `unknown field \"users\"`}},
		{endpointCase: endpointCase{"count as string", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"count":"3"}}}`, 400, "data.attributes.count must be an integer, not a JSON string"}},
		{endpointCase: endpointCase{"count zero", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"count":0}}}`, 400, "count 0 is not between 1 and 1000"}},
		{endpointCase: endpointCase{"count too big", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"count":1001}}}`, 400, "count 1001 is not between 1 and 1000"}},
		{endpointCase: endpointCase{"count real", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"count":1.5}}}`, 400, "must be an integer"}},
		{endpointCase: endpointCase{"empty user", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"user":" "}}}`, 400, "user must not be empty"}},
		{endpointCase: endpointCase{"unknown service", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"service":"nope"}}}`, 400, `service \"nope\" does not exist`}},
		{endpointCase: endpointCase{"port zero", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"port":0}}}`, 400, "port 0 does not leave 1 client ports"}},
		{endpointCase: endpointCase{"ports run out", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"count":3,"port":65534}}}`, 400, "port 65534 does not leave 3 client ports"}},
		{endpointCase: endpointCase{"log_debug", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"parameters":{"log_debug":true}}}}`, 400, `unknown parameter \"log_debug\"; session parameters are log_error, log_info, log_notice, log_warning`}},
		{endpointCase: endpointCase{"parameter not bool", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"parameters":{"log_info":1}}}}`, 400, "must be a boolean, not a JSON number"}},
		{endpointCase: endpointCase{"attribute not string", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"connection_attributes":{"_pid":1}}}}`, 400, "must be a string, not a JSON number"}},
		{endpointCase: endpointCase{"empty filter", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"filters":[""]}}}`, 400, "filters[0] is empty"}},
		{endpointCase: endpointCase{"bad age", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"age":"1 hour"}}}`, 400, `age \"1 hour\" is not a duration`}},
		{endpointCase: endpointCase{"negative age", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"age":"-1s"}}}`, 400, "age -1s is negative"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t)
			body := fx.run(t, tc.endpointCase)
			if tc.wantStatus != 201 {
				if n := len(fx.reg.sessions); n != 0 {
					t.Errorf("%d sessions created by a rejected request", n)
				}
				return
			}
			var doc struct {
				Data []struct {
					ID    string                `json:"id"`
					Links struct{ Self string } `json:"links"`
				} `json:"data"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range doc.Data {
				ids = append(ids, d.ID)
				if want := fx.srv.URL + "/v1/sessions/" + d.ID + "/"; d.Links.Self != want {
					t.Errorf("links.self = %q, want %q", d.Links.Self, want)
				}
			}
			if !slices.Equal(ids, tc.wantIDs) {
				t.Errorf("ids %v, want %v", ids, tc.wantIDs)
			}
			if tc.check != nil {
				tc.check(t, fx.reg)
			}
		})
	}
}

func TestKillSession(t *testing.T) {
	tests := []struct {
		endpointCase
		wantLeft bool
		wantTTL  int
	}{
		{endpointCase{"now", "DELETE", "/sim/v1/sessions/1", "", 204, ""}, false, 0},
		{endpointCase{"ttl zero", "DELETE", "/sim/v1/sessions/1?ttl=0", "", 204, ""}, false, 0},
		{endpointCase{"ttl", "DELETE", "/sim/v1/sessions/1?ttl=5", "", 204, ""}, true, 5},
		{endpointCase{"unknown", "DELETE", "/sim/v1/sessions/9", "", 404, "session 9 does not exist"}, true, 0},
		{endpointCase{"id zero", "DELETE", "/sim/v1/sessions/0", "", 400, `session id \"0\" is not a positive integer`}, true, 0},
		{endpointCase{"leading zero", "DELETE", "/sim/v1/sessions/01", "", 400, `session id \"01\"`}, true, 0},
		{endpointCase{"not a number", "DELETE", "/sim/v1/sessions/abc", "", 400, `session id \"abc\"`}, true, 0},
		{endpointCase{"ttl junk", "DELETE", "/sim/v1/sessions/1?ttl=5s", "", 400, `ttl \"5s\" is not a number of seconds`}, true, 0},
		{endpointCase{"ttl negative", "DELETE", "/sim/v1/sessions/1?ttl=-1", "", 400, `ttl \"-1\"`}, true, 0},
		{endpointCase{"ttl huge", "DELETE", "/sim/v1/sessions/1?ttl=2147483648", "", 400, `ttl \"2147483648\"`}, true, 0},
		{endpointCase{"ttl empty", "DELETE", "/sim/v1/sessions/1?ttl=", "", 400, `ttl \"\"`}, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixtureWithSession(t)
			fx.run(t, tc.endpointCase)
			if _, ok := fx.reg.session("1"); ok != tc.wantLeft || fx.reg.ttls["1"] != tc.wantTTL {
				t.Errorf("session 1 left = %v with ttl %d, want %v and %d", ok, fx.reg.ttls["1"], tc.wantLeft, tc.wantTTL)
			}
		})
	}
}

func TestAgeSession(t *testing.T) {
	tests := []struct {
		endpointCase
		wantAge time.Duration
	}{
		{endpointCase{"ninety seconds", "POST", "/sim/v1/sessions/1/age", `{"data":{"attributes":{"by":"90s"}}}`, 204, ""}, 90 * time.Second},
		{endpointCase{"with a type", "POST", "/sim/v1/sessions/1/age", `{"data":{"type":"age","attributes":{"by":"1h30m"}}}`, 204, ""}, 90 * time.Minute},
		{endpointCase{"unknown", "POST", "/sim/v1/sessions/2/age", `{"data":{"attributes":{"by":"1s"}}}`, 404, "session 2 does not exist"}, 0},
		{endpointCase{"bad id", "POST", "/sim/v1/sessions/x/age", `{"data":{"attributes":{"by":"1s"}}}`, 400, `session id \"x\"`}, 0},
		{endpointCase{"no by", "POST", "/sim/v1/sessions/1/age", `{"data":{"attributes":{}}}`, 400, "data.attributes.by is required"}, 0},
		{endpointCase{"no attributes", "POST", "/sim/v1/sessions/1/age", `{"data":{}}`, 400, "data.attributes.by is required"}, 0},
		{endpointCase{"number", "POST", "/sim/v1/sessions/1/age", `{"data":{"attributes":{"by":90}}}`, 400, "must be a string, not a JSON number"}, 0},
		{endpointCase{"zero", "POST", "/sim/v1/sessions/1/age", `{"data":{"attributes":{"by":"0s"}}}`, 400, "by 0s is not a positive duration"}, 0},
		{endpointCase{"negative", "POST", "/sim/v1/sessions/1/age", `{"data":{"attributes":{"by":"-5m"}}}`, 400, "by -5m0s is not a positive duration"}, 0},
		{endpointCase{"no unit", "POST", "/sim/v1/sessions/1/age", `{"data":{"attributes":{"by":"90"}}}`, 400, `by \"90\" is not a duration`}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixtureWithSession(t)
			fx.run(t, tc.endpointCase)
			if s, _ := fx.reg.session("1"); s.Age != tc.wantAge {
				t.Errorf("session 1 aged by %s, want %s", s.Age, tc.wantAge)
			}
		})
	}
}

func TestCreateFault(t *testing.T) {
	tests := []struct {
		endpointCase
		wantAttrs map[string]any
	}{
		{endpointCase{"everything", "POST", "/sim/v1/faults", `{"data":{"type":"faults","attributes":{"operation":"listSessions",
			"method":"get","latency":"750ms","status":503,"detail":"MaxScale is shutting down","count":3}}}`, 201, ""},
			map[string]any{"operation": "listSessions", "method": "GET", "latency": "750ms", "status": 503.0,
				"detail": "MaxScale is shutting down", "count": 3.0, "remaining": 3.0, "hits": 0.0}},
		{endpointCase{"path and duration", "POST", "/sim/v1/faults", `{"data":{"attributes":{"path":"/v1/sessions/*","status":500,"duration":"10s"}}}`, 201, ""},
			map[string]any{"path": "/v1/sessions/*", "status": 500.0, "duration": "10s", "expires": "2026-11-26T20:00:10Z", "hits": 0.0}},
		{endpointCase{"no attributes", "POST", "/sim/v1/faults", `{"data":{"type":"faults"}}`, 400, "data.attributes is required"}, nil},
		{endpointCase{"nothing to do", "POST", "/sim/v1/faults", `{"data":{"attributes":{"operation":"getSession"}}}`, 400, "a fault needs a latency, a status or both"}, nil},
		{endpointCase{"unknown operation", "POST", "/sim/v1/faults", `{"data":{"attributes":{"operation":"killSession","status":500}}}`, 400, `unknown operation \"killSession\"; known operations:`}, nil},
		{endpointCase{"status zero", "POST", "/sim/v1/faults", `{"data":{"attributes":{"status":0}}}`, 400, "status 0 is not between 200 and 599"}, nil},
		{endpointCase{"status 700", "POST", "/sim/v1/faults", `{"data":{"attributes":{"status":700}}}`, 400, "status 700 is not between 200 and 599"}, nil},
		{endpointCase{"status string", "POST", "/sim/v1/faults", `{"data":{"attributes":{"status":"503"}}}`, 400, "data.attributes.status must be an integer"}, nil},
		{endpointCase{"count zero", "POST", "/sim/v1/faults", `{"data":{"attributes":{"status":500,"count":0}}}`, 400, "count 0 is not at least 1"}, nil},
		{endpointCase{"bad latency", "POST", "/sim/v1/faults", `{"data":{"attributes":{"latency":"soon"}}}`, 400, `latency \"soon\" is not a duration`}, nil},
		{endpointCase{"negative latency", "POST", "/sim/v1/faults", `{"data":{"attributes":{"latency":"-1s"}}}`, 400, "latency -1s is negative"}, nil},
		{endpointCase{"zero duration", "POST", "/sim/v1/faults", `{"data":{"attributes":{"status":500,"duration":"0s"}}}`, 400, "duration 0s is not positive"}, nil},
		{endpointCase{"bad path", "POST", "/sim/v1/faults", `{"data":{"attributes":{"path":"/v1/[","status":500}}}`, 400, "syntax error in pattern"}, nil},
		{endpointCase{"bad method", "POST", "/sim/v1/faults", `{"data":{"attributes":{"method":"GETT","status":500}}}`, 400, `unknown method \"GETT\"`}, nil},
		{endpointCase{"detail alone", "POST", "/sim/v1/faults", `{"data":{"attributes":{"latency":"1ms","detail":"x"}}}`, 400, "detail needs a status"}, nil},
		{endpointCase{"unknown attribute", "POST", "/sim/v1/faults", `{"data":{"attributes":{"status":500,"times":2}}}`, 400, `unknown field \"times\"`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t)
			body := fx.run(t, tc.endpointCase)
			if tc.wantAttrs == nil {
				if n := len(fx.faults.List()); n != 0 {
					t.Errorf("%d faults active after a rejected request", n)
				}
				return
			}
			var doc struct {
				Data struct {
					ID         string         `json:"id"`
					Attributes map[string]any `json:"attributes"`
					Links      struct{ Self string }
				} `json:"data"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(doc.Data.Attributes, tc.wantAttrs) {
				t.Errorf("attributes %v, want %v", doc.Data.Attributes, tc.wantAttrs)
			}
			if want := fx.srv.URL + "/sim/v1/faults/1"; doc.Data.ID != "1" || doc.Data.Links.Self != want {
				t.Errorf("id %q links.self %q, want 1 and %q", doc.Data.ID, doc.Data.Links.Self, want)
			}
		})
	}
}

func TestFaultsCollection(t *testing.T) {
	fx := newFixture(t)
	for _, s := range []FaultSettings{{Status: 500}, {Status: 502, Count: 1}} {
		if _, err := fx.faults.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		endpointCase
		wantIDs []string // for listFaults
	}{
		{endpointCase{"list", "GET", "/sim/v1/faults", "", 200, `"id": "2"`}, []string{"1", "2"}},
		{endpointCase{"get", "GET", "/sim/v1/faults/2", "", 200, `"remaining": 1`}, nil},
		{endpointCase{"get unknown", "GET", "/sim/v1/faults/3", "", 404, "fault 3 is not active"}, nil},
		{endpointCase{"get bad id", "GET", "/sim/v1/faults/x", "", 400, `fault id \"x\" is not a positive integer`}, nil},
		{endpointCase{"delete", "DELETE", "/sim/v1/faults/1", "", 204, ""}, nil},
		{endpointCase{"delete again", "DELETE", "/sim/v1/faults/1", "", 404, "fault 1 is not active"}, nil},
		{endpointCase{"delete bad id", "DELETE", "/sim/v1/faults/-1", "", 400, `fault id \"-1\"`}, nil},
		{endpointCase{"list after delete", "GET", "/sim/v1/faults", "", 200, ""}, []string{"2"}},
		{endpointCase{"clear", "DELETE", "/sim/v1/faults", "", 204, ""}, nil},
		{endpointCase{"list after clear", "GET", "/sim/v1/faults", "", 200, ""}, []string{}},
		{endpointCase{"clear when empty", "DELETE", "/sim/v1/faults", "", 204, ""}, nil},
	}
	for _, st := range steps {
		body := fx.run(t, st.endpointCase)
		if st.wantIDs == nil {
			continue
		}
		var doc struct {
			Data []struct{ ID string } `json:"data"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, d := range doc.Data {
			ids = append(ids, d.ID)
		}
		if !slices.Equal(ids, st.wantIDs) {
			t.Errorf("%s: ids %v, want %v", st.name, ids, st.wantIDs)
		}
	}
}

func TestClock(t *testing.T) {
	fx := newFixture(t)
	steps := []struct {
		endpointCase
		wantNow    string
		wantFrozen bool
	}{
		{endpointCase{"read", "GET", "/sim/v1/clock", "", 200, ""}, "2026-11-26T20:00:00Z", false},
		{endpointCase{"freeze", "PATCH", "/sim/v1/clock", `{"data":{"type":"clock","attributes":{"frozen":true}}}`, 200, ""}, "2026-11-26T20:00:00Z", true},
		{endpointCase{"advance", "POST", "/sim/v1/clock/advance", `{"data":{"attributes":{"by":"90s"}}}`, 200, ""}, "2026-11-26T20:01:30Z", true},
		{endpointCase{"advance zero", "POST", "/sim/v1/clock/advance", `{"data":{"attributes":{"by":"0s"}}}`, 400, "by 0s is not a positive duration"}, "", false},
		{endpointCase{"advance junk", "POST", "/sim/v1/clock/advance", `{"data":{"attributes":{"by":"later"}}}`, 400, `by \"later\" is not a duration`}, "", false},
		{endpointCase{"advance no body", "POST", "/sim/v1/clock/advance", "", 400, "missing request body"}, "", false},
		{endpointCase{"frozen missing", "PATCH", "/sim/v1/clock", `{"data":{"attributes":{}}}`, 400, "data.attributes.frozen is required"}, "", false},
		{endpointCase{"frozen not bool", "PATCH", "/sim/v1/clock", `{"data":{"attributes":{"frozen":"yes"}}}`, 400, "data.attributes.frozen must be a boolean, not a JSON string"}, "", false},
		{endpointCase{"wrong type", "PATCH", "/sim/v1/clock", `{"data":{"type":"clocks","attributes":{"frozen":false}}}`, 400, `data.type is \"clocks\"`}, "", false},
		{endpointCase{"unfreeze", "PATCH", "/sim/v1/clock", `{"data":{"attributes":{"frozen":false}}}`, 200, ""}, "2026-11-26T20:01:30Z", false},
	}
	for _, st := range steps {
		body := fx.run(t, st.endpointCase)
		if st.wantStatus != 200 {
			continue
		}
		var doc struct {
			Data struct {
				Attributes struct {
					Now    string
					Frozen bool
				}
			}
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if a := doc.Data.Attributes; a.Now != st.wantNow || a.Frozen != st.wantFrozen {
			t.Errorf("%s: clock %+v, want now %s frozen %v", st.name, a, st.wantNow, st.wantFrozen)
		}
	}
}

func TestReset(t *testing.T) {
	fx := newFixtureWithSession(t)
	if _, err := fx.faults.Add(FaultSettings{Status: 500}); err != nil {
		t.Fatal(err)
	}
	fx.clock.Freeze()
	fx.run(t, endpointCase{"reset", "POST", "/sim/v1/reset", "", 204, ""})
	if fx.reg.resets != 1 || len(fx.reg.sessions) != 0 || len(fx.faults.List()) != 0 || fx.clock.Frozen() {
		t.Errorf("after reset: %d registry resets, %d sessions, %d faults, clock frozen %v",
			fx.reg.resets, len(fx.reg.sessions), len(fx.faults.List()), fx.clock.Frozen())
	}
}

func TestSeeds(t *testing.T) {
	fx := newFixture(t)
	fx.run(t, endpointCase{"list", "GET", "/sim/v1/seeds", "", 200, `"sessions": 12`})
	fx.run(t, endpointCase{"unknown", "POST", "/sim/v1/seeds/nope", "", 404, `no seed named \"nope\"; known seeds: demo`})
	body := fx.run(t, endpointCase{"apply", "POST", "/sim/v1/seeds/demo", "", 201, `"id": "12"`})
	if n := len(fx.reg.sessions); n != 12 || strings.Contains(string(body), `"id": "13"`) {
		t.Errorf("demo seed created %d sessions, want 12", n)
	}
}
