package control

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeNow is a settable time source for fault expiry.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeNow) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeNow) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestFaults(t testing.TB) (*Faults, *fakeNow) {
	t.Helper()
	now := &fakeNow{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ops, err := sessionOperations()
	if err != nil {
		t.Fatal(err)
	}
	return newFaults(now.Now, ops, slog.New(slog.NewTextHandler(t.Output(), nil))), now
}

// restStub stands in for the REST API behind the middleware: it answers 200
// "rest" and counts its calls.
type restStub struct{ calls atomic.Int64 }

func (s *restStub) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.calls.Add(1)
	_, _ = io.WriteString(w, "rest")
}

func serve(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestFaultsAddRejectsBadSettings(t *testing.T) {
	tests := []struct {
		name string
		s    FaultSettings
		want string
	}{
		{"nothing to do", FaultSettings{Operation: "listSessions"}, "needs a latency, a status or both"},
		{"unknown operation", FaultSettings{Operation: "listSession", Status: 500}, `unknown operation "listSession"; known operations: `},
		{"relative path", FaultSettings{Path: "v1/sessions", Status: 500}, "does not start with /"},
		{"bad pattern", FaultSettings{Path: "/v1/[", Status: 500}, "syntax error in pattern"},
		{"unknown method", FaultSettings{Method: "FETCH", Status: 500}, `unknown method "FETCH"`},
		{"status too low", FaultSettings{Status: 100}, "not between 200 and 599"},
		{"status too high", FaultSettings{Status: 600}, "not between 200 and 599"},
		{"negative latency", FaultSettings{Latency: -time.Second}, "latency -1s is negative"},
		{"detail without status", FaultSettings{Latency: time.Millisecond, Detail: "x"}, "detail needs a status"},
		{"negative count", FaultSettings{Status: 500, Count: -1}, "count -1 is negative"},
		{"negative duration", FaultSettings{Status: 500, Duration: -time.Second}, "duration -1s is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := newTestFaults(t)
			_, err := f.Add(tc.s)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Add(%+v) = %v, want ErrInvalid containing %q", tc.s, err, tc.want)
			}
			if n := len(f.List()); n != 0 {
				t.Errorf("%d faults active after a rejected Add", n)
			}
		})
	}
}

func TestFaultsMatching(t *testing.T) {
	tests := []struct {
		name   string
		s      FaultSettings
		method string
		target string
		hit    bool
	}{
		{"operation list", FaultSettings{Operation: "listSessions"}, "GET", "/v1/sessions", true},
		{"operation list trailing slash", FaultSettings{Operation: "listSessions"}, "GET", "/v1/sessions/", true},
		{"operation get", FaultSettings{Operation: "getSession"}, "GET", "/v1/sessions/7", true},
		{"operation get misses list", FaultSettings{Operation: "getSession"}, "GET", "/v1/sessions", false},
		{"operation delete misses get", FaultSettings{Operation: "deleteSession"}, "GET", "/v1/sessions/7", false},
		{"operation misses unknown route", FaultSettings{Operation: "listSessions"}, "GET", "/v1/nothing", false},
		{"path glob", FaultSettings{Path: "/v1/sessions/*"}, "PATCH", "/v1/sessions/3", true},
		{"path glob trailing slash", FaultSettings{Path: "/v1/sessions/*"}, "GET", "/v1/sessions/3/", true},
		{"path glob one segment", FaultSettings{Path: "/v1/sessions/*"}, "POST", "/v1/sessions/3/restart", false},
		{"path exact", FaultSettings{Path: "/v1/sessions/"}, "GET", "/v1/sessions", true},
		{"method only", FaultSettings{Method: "delete"}, "DELETE", "/v1/sessions/3", true},
		{"method mismatch", FaultSettings{Method: "DELETE"}, "GET", "/v1/sessions/3", false},
		{"path and method", FaultSettings{Path: "/v1/sessions/*", Method: "PATCH"}, "GET", "/v1/sessions/3", false},
		{"everything", FaultSettings{}, "GET", "/v1/maxscale", true},
		{"control API is exempt", FaultSettings{}, "DELETE", "/sim/v1/faults", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := newTestFaults(t)
			tc.s.Status = http.StatusServiceUnavailable
			if _, err := f.Add(tc.s); err != nil {
				t.Fatal(err)
			}
			rest := &restStub{}
			rec := serve(f.Wrap(rest), tc.method, tc.target)
			gotHit := rec.Code == http.StatusServiceUnavailable
			if gotHit != tc.hit || gotHit == (rest.calls.Load() == 1) {
				t.Fatalf("%s %s: status %d, REST called %d times; want fault applied = %v",
					tc.method, tc.target, rec.Code, rest.calls.Load(), tc.hit)
			}
		})
	}
}

func TestFaultsAnswer(t *testing.T) {
	tests := []struct {
		name     string
		s        FaultSettings
		wantCode int
		wantBody string
		wantType string
	}{
		{"status without detail has no body", FaultSettings{Status: 404}, 404, "", ""},
		{"detail gives MaxScale's error body", FaultSettings{Status: 503, Detail: `MaxScale is "down"`}, 503,
			"{\n    \"errors\": [\n        {\n            \"detail\": \"MaxScale is \\\"down\\\"\"\n        }\n    ]\n}",
			"application/json"},
		{"latency only calls through", FaultSettings{Latency: time.Millisecond}, 200, "rest", "text/plain; charset=utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := newTestFaults(t)
			if _, err := f.Add(tc.s); err != nil {
				t.Fatal(err)
			}
			rec := serve(f.Wrap(&restStub{}), "GET", "/v1/sessions")
			if rec.Code != tc.wantCode || rec.Body.String() != tc.wantBody || rec.Header().Get("Content-Type") != tc.wantType {
				t.Errorf("got %d %q (Content-Type %q), want %d %q (%q)", rec.Code, rec.Body, rec.Header().Get("Content-Type"),
					tc.wantCode, tc.wantBody, tc.wantType)
			}
		})
	}
}

func TestFaultsLatency(t *testing.T) {
	f, _ := newTestFaults(t)
	const latency = 5 * time.Millisecond
	if _, err := f.Add(FaultSettings{Operation: "listSessions", Latency: latency, Status: 502}); err != nil {
		t.Fatal(err)
	}
	h := f.Wrap(&restStub{})
	start := time.Now()
	rec := serve(h, "GET", "/v1/sessions")
	elapsed := time.Since(start)
	if rec.Code != 502 {
		t.Errorf("status %d, want 502", rec.Code)
	}
	if elapsed < latency || elapsed > 2*time.Second {
		t.Errorf("request took %s, want at least %s (and not unbounded)", elapsed, latency)
	}
	if rec := serve(h, "GET", "/v1/sessions/1"); rec.Code != 200 {
		t.Errorf("unmatched request: status %d, want 200", rec.Code)
	}
	if got := f.List(); len(got) != 1 || got[0].Hits != 1 {
		t.Errorf("faults %+v, want one with 1 hit", got)
	}
}

func TestFaultsLatencyGivesUpWithTheRequest(t *testing.T) {
	f, _ := newTestFaults(t)
	if _, err := f.Add(FaultSettings{Latency: time.Hour}); err != nil {
		t.Fatal(err)
	}
	rest := &restStub{}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rec := httptest.NewRecorder()
	f.Wrap(rest).ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", "/v1/sessions", nil))
	if rest.calls.Load() != 0 {
		t.Errorf("REST API was called for a request whose client had gone")
	}
}

func TestFaultsCountAndDuration(t *testing.T) {
	f, now := newTestFaults(t)
	counted, err := f.Add(FaultSettings{Operation: "getSession", Status: 500, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	timed, err := f.Add(FaultSettings{Operation: "listSessions", Status: 503, Duration: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Now().Add(10 * time.Second); !timed.Expires.Equal(want) {
		t.Errorf("expires %s, want %s", timed.Expires, want)
	}
	h := f.Wrap(&restStub{})
	for i, want := range []int{500, 500, 200} {
		if rec := serve(h, "GET", "/v1/sessions/1"); rec.Code != want {
			t.Errorf("getSession request %d: status %d, want %d", i+1, rec.Code, want)
		}
	}
	if _, ok := f.Get(counted.ID); ok {
		t.Errorf("fault %s still active after its count", counted.ID)
	}
	now.add(9 * time.Second)
	if rec := serve(h, "GET", "/v1/sessions"); rec.Code != 503 {
		t.Errorf("before expiry: status %d, want 503", rec.Code)
	}
	if got, ok := f.Get(timed.ID); !ok || got.Hits != 1 {
		t.Errorf("Get(%s) = %+v, %v; want 1 hit", timed.ID, got, ok)
	}
	now.add(time.Second)
	if rec := serve(h, "GET", "/v1/sessions"); rec.Code != 200 {
		t.Errorf("after expiry: status %d, want 200", rec.Code)
	}
	if n := len(f.List()); n != 0 {
		t.Errorf("%d faults listed after count and expiry, want 0", n)
	}
}

func TestFaultsOldestWinsDeleteAndClear(t *testing.T) {
	f, _ := newTestFaults(t)
	first, _ := f.Add(FaultSettings{Path: "/v1/sessions", Status: 501})
	second, _ := f.Add(FaultSettings{Path: "/v1/sessions", Status: 502})
	h := f.Wrap(&restStub{})
	if rec := serve(h, "GET", "/v1/sessions"); rec.Code != 501 {
		t.Errorf("status %d, want the oldest fault's 501", rec.Code)
	}
	if !f.Delete(first.ID) || f.Delete(first.ID) {
		t.Errorf("Delete(%s) twice: want true then false", first.ID)
	}
	if rec := serve(h, "GET", "/v1/sessions"); rec.Code != 502 {
		t.Errorf("status %d, want the remaining fault's 502", rec.Code)
	}
	f.Clear()
	if _, ok := f.Get(second.ID); ok || len(f.List()) != 0 {
		t.Errorf("faults left after Clear: %+v", f.List())
	}
	third, _ := f.Add(FaultSettings{Status: 500})
	if third.ID == first.ID || third.ID == second.ID {
		t.Errorf("fault id %s reused after Clear", third.ID)
	}
}

func TestFaultsConcurrentCount(t *testing.T) {
	f, _ := newTestFaults(t)
	const count, requests = 25, 100
	if _, err := f.Add(FaultSettings{Status: 500, Count: count}); err != nil {
		t.Fatal(err)
	}
	rest := &restStub{}
	h := f.Wrap(rest)
	var injected atomic.Int64
	var wg sync.WaitGroup
	for range requests {
		wg.Go(func() {
			if serve(h, "GET", "/v1/sessions").Code == 500 {
				injected.Add(1)
			}
		})
	}
	wg.Wait()
	if injected.Load() != count || rest.calls.Load() != requests-count {
		t.Errorf("injected %d, passed %d; want %d and %d", injected.Load(), rest.calls.Load(), count, requests-count)
	}
}
