package control

import (
	"log/slog"
	"maps"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/session"
)

// The simulator's own types are what the control API is written against.
var (
	_ Registry = (*session.Registry)(nil)
	_ Clock    = (*clock.Sim)(nil)
)

// newRealFixture is a control API over the simulator's real registry and a
// frozen clock.
func newRealFixture(t *testing.T) (*fixture, *session.Registry, *clock.Sim) {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	clk := clock.NewFrozen(time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC))
	reg := session.New(config.Default(), clk, session.WithLogger(logger))
	t.Cleanup(reg.Close)
	faults, err := NewFaults(clk.Now, logger)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(reg, clk, faults, WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{srv: httptest.NewServer(c), faults: faults}
	t.Cleanup(fx.srv.Close)
	return fx, reg, clk
}

func TestWithRegistry(t *testing.T) {
	fx, reg, _ := newRealFixture(t)
	fx.run(t, endpointCase{"create", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"count":2,
		"service":"Read-Connection-Router","user":"app","remote":"10.0.0.7","port":51000,"busy":true,
		"connection_attributes":{"_client_name":"Go-MySQL-Driver"},"parameters":{"log_info":true},
		"filters":["my-log-filter"],"age":"10m"}}}`, 201, `"id": "2"`})
	for i, snap := range reg.List() {
		if snap.ID != []string{"1", "2"}[i] || snap.Service != "Read-Connection-Router" || snap.User != "app" ||
			snap.Remote != "10.0.0.7" || snap.Port != 51000+i || snap.State != session.StateStarted ||
			snap.ConnectionAttributes["_client_name"] != "Go-MySQL-Driver" || !snap.Parameters["log_info"] ||
			!slices.Equal(snap.Filters, []string{"my-log-filter"}) || snap.Idle != 0 || snap.SecondsAlive != 600 {
			t.Errorf("session %d: %+v", i+1, snap)
		}
	}
	for _, tc := range []endpointCase{
		{"unknown service", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"service":"nope"}}}`, 400, `unknown service \"nope\"`},
		{"unknown filter", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"filters":["nope"]}}}`, 400, `unknown filter \"nope\"`},
		{"kill unknown", "DELETE", "/sim/v1/sessions/99", "", 404, "session 99"},
		{"age unknown", "POST", "/sim/v1/sessions/99/age", `{"data":{"attributes":{"by":"1s"}}}`, 404, "session 99"},
	} {
		t.Run(tc.name, func(t *testing.T) { fx.run(t, tc) })
	}
	if n := reg.Len(); n != 2 {
		t.Errorf("%d sessions after rejected requests, want 2", n)
	}
}

func TestWithRegistryAgeTTLAndReset(t *testing.T) {
	fx, reg, clk := newRealFixture(t)
	fx.run(t, endpointCase{"create", "POST", "/sim/v1/sessions", `{"data":{"attributes":{"count":2}}}`, 201, ""})
	fx.run(t, endpointCase{"age", "POST", "/sim/v1/sessions/1/age", `{"data":{"attributes":{"by":"90s"}}}`, 204, ""})
	s1, err := reg.Get("1")
	if err != nil || s1.SecondsAlive != 90 || s1.Idle != 90 {
		t.Errorf("aged session 1: %+v, %v; want seconds_alive and idle 90", s1, err)
	}

	fx.run(t, endpointCase{"kill with ttl", "DELETE", "/sim/v1/sessions/2?ttl=2", "", 204, ""})
	fx.run(t, endpointCase{"advance 2s", "POST", "/sim/v1/clock/advance", `{"data":{"attributes":{"by":"2s"}}}`, 200, `"frozen": true`})
	if _, err := reg.Get("2"); err != nil {
		t.Fatalf("session 2 killed after 2 s with ttl 2 (MaxScale kills when more than ttl seconds passed): %v", err)
	}
	fx.run(t, endpointCase{"advance 1s", "POST", "/sim/v1/clock/advance", `{"data":{"attributes":{"by":"1s"}}}`, 200, ""})
	if _, err := reg.Get("2"); err == nil {
		t.Fatal("session 2 still alive after 3 s with ttl 2")
	}
	if s1, _ := reg.Get("1"); s1.Idle != 93 {
		t.Errorf("session 1 idle %v after advancing 3 s, want 93", s1.Idle)
	}

	fx.run(t, endpointCase{"reset", "POST", "/sim/v1/reset", "", 204, ""})
	if reg.Len() != 0 || clk.Frozen() {
		t.Errorf("after reset: %d sessions, clock frozen %v", reg.Len(), clk.Frozen())
	}
	fx.run(t, endpointCase{"create after reset", "POST", "/sim/v1/sessions", `{"data":{}}`, 201, `"id": "1"`})
}

func TestWithRegistryDemoSeed(t *testing.T) {
	fx, reg, _ := newRealFixture(t)
	fx.run(t, endpointCase{"apply", "POST", "/sim/v1/seeds/demo", "", 201, `"id": "12"`})
	services := map[string]int{}
	var busy int
	for _, s := range reg.List() {
		services[s.Service]++
		if s.Idle == 0 {
			busy++
		}
	}
	if want := map[string]int{"RW-Split-Router": 8, "Read-Connection-Router": 4}; !maps.Equal(services, want) || busy != 4 {
		t.Errorf("demo seed: sessions per service %v (want %v), %d with idle 0 (want the 4 busy ones)", services, want, busy)
	}
}
