package session

import (
	"errors"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/seed"
)

var t0 = time.Date(2026, 11, 26, 19, 35, 53, 0, time.UTC)

// fixture is a registry on a frozen clock.
func fixture(t *testing.T) (*Registry, *clock.Sim) {
	t.Helper()
	clk := clock.NewFrozen(t0)
	r := New(config.Default(), clk)
	t.Cleanup(r.Close)
	return r, clk
}

// openStarted opens an authenticated RW-Split-Router session; closed
// counts how often the registry closed its socket.
func openStarted(t *testing.T, r *Registry) (*Session, *atomic.Int32) {
	t.Helper()
	var closed atomic.Int32
	s, err := r.Open(Client{Service: "RW-Split-Router", Remote: "127.0.0.1", Port: 33954, Close: func() { closed.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	s.Start("maxuser", map[string]string{"_client_name": "libmariadb"})
	return s, &closed
}

func mustGet(t *testing.T, r *Registry, id string) Snapshot {
	t.Helper()
	snap, err := r.Get(id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return snap
}

func TestIDsComeFromOneCounterAndFailedLoginsTakeOne(t *testing.T) {
	r, _ := fixture(t)
	a, _ := openStarted(t, r)
	failed, err := r.Open(Client{Service: "Read-Connection-Router", Remote: "127.0.0.1", Port: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustListState(t, r, failed.ID()); got != "Session created" {
		t.Errorf("state before authentication = %q, want Session created", got)
	}
	if _, err := r.Get(failed.ID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of an authenticating session: err = %v, want ErrNotFound", err)
	}
	r.Closed(failed)
	b, _ := openStarted(t, r)
	if a.ID() != "1" || failed.ID() != "2" || b.ID() != "3" {
		t.Errorf("ids = %s, %s, %s; want 1, 2, 3", a.ID(), failed.ID(), b.ID())
	}
	if ids := listIDs(r); !slices.Equal(ids, []string{"1", "3"}) {
		t.Errorf("List ids = %v, want [1 3]", ids)
	}
}

func mustListState(t *testing.T, r *Registry, id string) string {
	t.Helper()
	for _, s := range r.List() {
		if s.ID == id {
			return s.State.String()
		}
	}
	t.Fatalf("session %s not listed", id)
	return ""
}

func listIDs(r *Registry) []string {
	var ids []string
	for _, s := range r.List() {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		seg  string
		want uint64
		ok   bool
	}{
		{"1", 1, true}, {"0115", 115, true}, {"18446744073709551615", 18446744073709551615, true},
		{"0", 0, false}, {"-1", 0, false}, {"+1", 0, false}, {"1abc", 0, false}, {" 1", 0, false},
		{"0x10", 0, false}, {"abc", 0, false}, {"restart", 0, false}, {"", 0, false},
		{"18446744073709551616", 0, false},
	} {
		got, ok := ParseID(tc.seg)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseID(%q) = %d, %v; want %d, %v", tc.seg, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIdleMovesInTenthsAndIsZeroWhileBusy(t *testing.T) {
	r, clk := fixture(t)
	s, _ := openStarted(t, r)
	s.IO(clk.Now())
	clk.Advance(740 * time.Millisecond)
	if got := mustGet(t, r, s.ID()).Idle; got != 0.7 {
		t.Errorf("idle after 0.74 s = %v, want 0.7", got)
	}
	s.Begin(clk.Now(), Statement{Command: "COM_QUERY", Text: "SELECT SLEEP(10)"})
	clk.Advance(5 * time.Second)
	snap := mustGet(t, r, s.ID())
	if snap.Idle != 0 {
		t.Errorf("idle while a query runs = %v, want 0", snap.Idle)
	}
	if snap.SecondsAlive != 5.74 {
		t.Errorf("seconds_alive = %v, want 5.74", snap.SecondsAlive)
	}
	s.End(clk.Now(), 1, 57)
	s.IO(clk.Now()) // the reply
	clk.Advance(2 * time.Second)
	if got := mustGet(t, r, s.ID()).Idle; got != 2.0 {
		t.Errorf("idle 2 s after the query = %v, want 2", got)
	}
}

func TestIOActivityCountsTheLast30Seconds(t *testing.T) {
	r, clk := fixture(t)
	s, _ := openStarted(t, r)
	for range 5 {
		s.IO(clk.Now())
	}
	clk.Advance(10 * time.Second)
	for range 3 {
		s.IO(clk.Now())
	}
	for _, tc := range []struct {
		advance time.Duration
		want    int
	}{{0, 8}, {19 * time.Second, 8}, {time.Second, 3}, {9 * time.Second, 3}, {time.Second, 0}} {
		clk.Advance(tc.advance)
		if got := mustGet(t, r, s.ID()).IOActivity; got != tc.want {
			t.Errorf("io_activity at +%s = %d, want %d", clk.Now().Sub(t0), got, tc.want)
		}
	}
}

func TestTTLKillLandsBetweenTTLPlusOneAndTwoSeconds(t *testing.T) {
	for _, offset := range []time.Duration{0, 100 * time.Millisecond, 500 * time.Millisecond, 900 * time.Millisecond} {
		r, clk := fixture(t)
		clk.Advance(offset) // the request's phase against the once-a-second sweep
		s, closed := openStarted(t, r)
		if err := r.Kill(s.ID(), 3); err != nil {
			t.Fatal(err)
		}
		start := clk.Now()
		for closed.Load() == 0 {
			clk.Advance(100 * time.Millisecond)
			if clk.Now().Sub(start) > 10*time.Second {
				t.Fatalf("offset %s: not killed after 10 s", offset)
			}
		}
		took := clk.Now().Sub(start)
		if took < 4*time.Second || took > 5*time.Second {
			t.Errorf("offset %s: ttl=3 killed after %s, want 4 s to 5 s", offset, took)
		}
		if _, err := r.Get(s.ID()); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get after the TTL kill: err = %v, want ErrNotFound", err)
		}
		select {
		case <-s.Killed():
		default:
			t.Error("Killed() not closed after the TTL kill")
		}
	}
}

func TestKillWithoutTTLIsImmediateAndClosesTheSocketOnce(t *testing.T) {
	r, _ := fixture(t)
	s, closed := openStarted(t, r)
	if err := r.Kill(s.ID(), 0); err != nil {
		t.Fatal(err)
	}
	if err := r.Kill(s.ID(), 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Kill: err = %v, want ErrNotFound", err)
	}
	r.Closed(s) // the connection goroutine reports the close
	if n := closed.Load(); n != 1 {
		t.Errorf("socket closed %d times, want 1", n)
	}
	if r.Len() != 0 {
		t.Errorf("Len = %d, want 0", r.Len())
	}
}

func TestANewTTLRestartsTheTimer(t *testing.T) {
	r, clk := fixture(t)
	s, closed := openStarted(t, r)
	_ = r.Kill(s.ID(), 2)
	clk.Advance(2 * time.Second)
	_ = r.Kill(s.ID(), 2)
	clk.Advance(2 * time.Second)
	if closed.Load() != 0 {
		t.Fatal("killed 2 s after the second DELETE with ttl=2")
	}
	clk.Advance(2 * time.Second)
	if closed.Load() != 1 {
		t.Fatal("not killed 4 s after the second DELETE with ttl=2")
	}
}

func TestRestartTakesEffectAtTheNextQuery(t *testing.T) {
	r, clk := fixture(t)
	s, _ := openStarted(t, r)
	before := mustGet(t, r, s.ID())
	if err := r.Restart(s.ID()); err != nil {
		t.Fatal(err)
	}
	after := mustGet(t, r, s.ID())
	if !slices.Equal(before.Backends, after.Backends) {
		t.Errorf("backends changed before the next query: %v → %v", before.Backends, after.Backends)
	}
	s.Begin(clk.Now(), Statement{Command: "COM_QUERY", Text: "SELECT CONNECTION_ID()"})
	got := s.BackendThreadID()
	s.End(clk.Now(), 1, 60)
	if got == before.Backends[0].ConnectionID {
		t.Errorf("CONNECTION_ID() after restart = %d, unchanged", got)
	}
	final := mustGet(t, r, s.ID())
	if final.ID != before.ID || !final.Connected.Equal(before.Connected) || final.User != before.User || final.Port != before.Port {
		t.Errorf("restart changed more than the backends: %+v → %+v", before, final)
	}
}

func TestRestartAllReachesAuthenticatingSessions(t *testing.T) {
	r, clk := fixture(t)
	s, err := r.Open(Client{Service: "RW-Split-Router", Remote: "127.0.0.1", Port: 2})
	if err != nil {
		t.Fatal(err)
	}
	_ = r.RestartAll()
	s.Start("maxuser", nil)
	first := s.BackendThreadID()
	s.Begin(clk.Now(), Statement{Command: "COM_QUERY", Text: "SELECT 1"})
	if s.BackendThreadID() == first {
		t.Error("restart-all before authentication did not reconnect at the first query")
	}
}

func TestFilterChangesWaitForTheNextQueryWhileBusy(t *testing.T) {
	r, clk := fixture(t)
	s, _ := openStarted(t, r)
	both := []string{"my-hint-filter", "my-log-filter", "my-hint-filter"}
	if err := r.Patch(s.ID(), Update{Filters: &both}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, r, s.ID()).Filters; !slices.Equal(got, both) {
		t.Fatalf("idle session: filters = %v, want %v at once (order and duplicates kept)", got, both)
	}
	s.Begin(clk.Now(), Statement{Command: "COM_QUERY", Text: "SELECT SLEEP(3)"})
	none := []string{}
	if err := r.Patch(s.ID(), Update{Filters: &none}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, r, s.ID()).Filters; !slices.Equal(got, both) {
		t.Errorf("busy session: filters = %v, want the old list until the next query", got)
	}
	s.End(clk.Now(), 1, 57)
	s.Begin(clk.Now(), Statement{Command: "COM_QUERY", Text: "SELECT 1"})
	if got := mustGet(t, r, s.ID()).Filters; len(got) != 0 {
		t.Errorf("after the next query: filters = %v, want none", got)
	}
}

func TestPatchIsNotAtomic(t *testing.T) {
	r, _ := fixture(t)
	s, _ := openStarted(t, r)
	bad := []string{"no-such-filter"}
	err := r.Patch(s.ID(), Update{Parameters: map[string]bool{"log_error": true, "log_debug": true}, Filters: &bad})
	var fe *FilterError
	if !errors.As(err, &fe) || fe.Detail != "Not a valid filter: no-such-filter" {
		t.Fatalf("err = %v, want Not a valid filter: no-such-filter", err)
	}
	snap := mustGet(t, r, s.ID())
	if !snap.Parameters["log_error"] {
		t.Error("log_error not applied although the filter part failed")
	}
	if _, ok := snap.Parameters["log_debug"]; ok {
		t.Error("log_debug appeared; release builds have none")
	}
	if len(snap.Filters) != 0 {
		t.Errorf("filters = %v after a refused list", snap.Filters)
	}
}

func TestSnapshotKeepsMaxScalesInvariants(t *testing.T) {
	cfg := config.Default()
	cfg.RetainLastStatements = 2
	cfg.SessionTrace = 4
	clk := clock.NewFrozen(t0)
	r := New(cfg, clk)
	t.Cleanup(r.Close)
	s, _ := openStarted(t, r)
	for _, q := range []string{"SET @a=1", "SELECT 1", "SELECT 2"} {
		s.Begin(clk.Now(), Statement{Command: "COM_QUERY", Text: q, SessionCommand: q[:3] == "SET"})
		clk.Advance(3 * time.Millisecond)
		s.End(clk.Now(), 1, 57)
	}
	s.Begin(clk.Now(), Statement{Command: "COM_QUERY", Text: "SELECT SLEEP(4)"})
	snap := mustGet(t, r, s.ID())
	m := snap.Memory
	sum := m.Client.Total
	for _, b := range m.Backends {
		if b.Total != b.WriteQ+b.ReadQ+b.Misc {
			t.Errorf("backend total %d != parts", b.Total)
		}
		sum += b.Total
	}
	if m.BuffersTotal != sum || m.Total != m.BuffersTotal+m.LastQueries+m.Variables+m.SescmdHistory+m.ExecMetadata {
		t.Errorf("memory invariants broken: %+v", m)
	}
	if snap.History == nil || snap.History.Len != 1 {
		t.Errorf("history = %+v, want len 1 (one SET)", snap.History)
	}
	if len(snap.Queries) != 2 || snap.Queries[0].Statement != "SELECT 2" || !snap.Queries[1].Completed.IsZero() {
		t.Errorf("queries = %+v, want SELECT 2 (completed) then the running SELECT SLEEP(4)", snap.Queries)
	}
	if len(snap.Log) != 4 {
		t.Errorf("log has %d lines, want the last 4", len(snap.Log))
	}
}

func TestReadConnRouteHasNoHistoryKeys(t *testing.T) {
	r, _ := fixture(t)
	s, err := r.Open(Client{Service: "Read-Connection-Router", Remote: "127.0.0.1", Port: 3})
	if err != nil {
		t.Fatal(err)
	}
	s.Start("maxuser", nil)
	snap := mustGet(t, r, s.ID())
	if snap.History != nil {
		t.Errorf("readconnroute session has history %+v", snap.History)
	}
	if snap.ConnectionAttributes != nil {
		t.Errorf("connection attributes = %v, want nil when the client sent none", snap.ConnectionAttributes)
	}
}

func TestSyntheticSessionsShareTheCounter(t *testing.T) {
	r, _ := fixture(t)
	real, _ := openStarted(t, r)
	id, err := r.CreateSynthetic(seed.Session{Service: "Read-Connection-Router", User: "app", Remote: "10.0.0.5",
		Filters: []string{"my-hint-filter"}, Age: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if real.ID() != "1" || id != "2" {
		t.Errorf("ids = %s, %s; want 1, 2", real.ID(), id)
	}
	snap := mustGet(t, r, id)
	if snap.SecondsAlive != 60 || snap.Idle != 60 || snap.Port == 0 {
		t.Errorf("synthetic session: seconds_alive %v idle %v port %d", snap.SecondsAlive, snap.Idle, snap.Port)
	}
	if _, err := r.CreateSynthetic(seed.Session{Service: "nope"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown service: err = %v, want ErrInvalid", err)
	}
	r.Reset()
	if r.Len() != 0 {
		t.Errorf("Len after Reset = %d", r.Len())
	}
	next, _ := r.CreateSynthetic(seed.Session{Service: "RW-Split-Router", User: "u", Remote: "127.0.0.1"})
	if next != "1" {
		t.Errorf("first id after Reset = %s, want 1", next)
	}
}

func TestResetRestoresRetentionAndTotals(t *testing.T) {
	r, _ := fixture(t)
	openStarted(t, r)
	openStarted(t, r)
	r.SetRetention(5, 7)
	if total, peak := r.ServiceTotals("RW-Split-Router"); total != 2 || peak != 2 {
		t.Errorf("totals = %d, %d, want 2, 2", total, peak)
	}
	r.Reset()
	if retain, trace := r.Retention(); retain != 0 || trace != 0 {
		t.Errorf("after Reset retention = %d, %d, want the configuration's 0, 0", retain, trace)
	}
	if total, _ := r.ServiceTotals("RW-Split-Router"); total != 0 {
		t.Errorf("after Reset total = %d, want 0", total)
	}
}

// TestViewVersionFollowsEveryChange is the promise collection ETags rest
// on: at one instant, two views of the same version show equal snapshots.
// Every operation below either moves the version or leaves the snapshots
// as they were.
func TestViewVersionFollowsEveryChange(t *testing.T) {
	r, clk := fixture(t)
	a, _ := openStarted(t, r)
	var b *Session
	shown := func() (uint64, []Snapshot) {
		v := r.View()
		snaps := make([]Snapshot, v.Len())
		for i := range snaps {
			snaps[i] = v.Snapshot(i)
			snaps[i].Memo, snaps[i].kept = nil, nil
		}
		return v.Version, snaps
	}
	for _, op := range []struct {
		name string
		do   func()
	}{
		{"nothing", func() {}},
		{"open", func() {
			var err error
			if b, err = r.Open(Client{Service: "Read-Connection-Router", Remote: "127.0.0.2", Port: 2}); err != nil {
				t.Fatal(err)
			}
		}},
		{"start", func() { b.Start("app", nil) }},
		{"io", func() { a.IO(clk.Now()) }},
		{"begin", func() { a.Begin(clk.Now(), Statement{Command: "COM_QUERY", Text: "SET @a=1", SessionCommand: true}) }},
		{"patch while busy", func() { _ = r.Patch(a.ID(), Update{Filters: &[]string{"my-log-filter"}}) }},
		{"end", func() { a.End(clk.Now(), 1, 10) }},
		{"patch", func() { _ = r.Patch(a.ID(), Update{Parameters: map[string]bool{"log_info": true}}) }},
		{"restart", func() { _ = r.Restart(a.ID()) }},
		{"restart all", func() { _ = r.RestartAll() }},
		{"ttl", func() { _ = r.Kill(b.ID(), 5) }},
		{"age", func() { _ = r.Age(a.ID(), time.Minute) }},
		{"synthetic", func() {
			if _, err := r.CreateSynthetic(seed.Session{Service: "RW-Split-Router", User: "syn", Remote: "10.0.0.1"}); err != nil {
				t.Fatal(err)
			}
		}},
		{"closed", func() { r.Closed(b) }},
		{"kill", func() { _ = r.Kill(a.ID(), 0) }},
	} {
		v1, before := shown()
		op.do()
		v2, after := shown()
		if v1 == v2 && !reflect.DeepEqual(before, after) {
			t.Errorf("%s: the snapshots changed, the version (%d) did not", op.name, v1)
		}
		if v1 != v2 && op.name == "nothing" {
			t.Errorf("%s: the version moved", op.name)
		}
	}
}

// TestViewKept: a view reads a session's kept state without a snapshot —
// the one its snapshots are copied from, across the clock's movement —
// and nil once the session has changed, until the next snapshot.
func TestViewKept(t *testing.T) {
	r, clk := fixture(t)
	openStarted(t, r)
	v := r.View()
	if got := v.Kept(0); got != nil {
		t.Fatalf("kept state before any snapshot: %p, want nil", got)
	}
	snap := v.Snapshot(0)
	if got, want := v.Kept(0), snap.Kept(); got != want {
		t.Fatalf("kept state after a snapshot: %p, want the snapshot's %p", got, want)
	}
	clk.Advance(time.Minute)
	later := r.View()
	if got, want := later.Kept(0), snap.Kept(); got != want {
		t.Fatalf("kept state a minute later: %p, want %p", got, want)
	}
	if err := r.Patch(snap.ID, Update{Parameters: map[string]bool{"log_info": true}}); err != nil {
		t.Fatal(err)
	}
	if got := later.Kept(0); got != nil {
		t.Fatalf("kept state after a PATCH: %p, want nil", got)
	}
	next := later.Snapshot(0)
	if got := later.Kept(0); got != next.Kept() || got == snap.Kept() || !got.Parameters["log_info"] {
		t.Fatalf("kept state after the next snapshot: %+v", got)
	}
}
