package simulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/simulator/config"
)

// maxguiReads are the GET requests MaxGUI 24.02 sends while it logs in,
// shows the dashboard (its tabs poll every few seconds), the sessions
// table and one object's page, as its source writes them (paths relative
// to /v1, from maxgui/src of the 24.02 branch).
var maxguiReads = []struct{ path, from string }{
	{"maxscale?fields[maxscale]=version", "store/modules/user.js:51, maxscale.js:57"},
	{"users/inet/admin", "store/modules/user.js:106 fetchLoggedInUserAttrs"},
	{"maxscale?fields[maxscale]=version,commit,started_at,activated_at,uptime", "store/modules/maxscale.js:85"},
	{"maxscale?fields[maxscale]=config_sync", "store/modules/maxscale.js:75"},
	{"maxscale?fields[maxscale]=parameters", "store/modules/maxscale.js:66 (settings page)"},
	{"maxscale/threads?fields[threads]=stats", "store/modules/maxscale.js:110"},
	{"servers", "store/modules/server.js:31"},
	{"servers?fields[servers]=name", "store/modules/server.js:40"},
	{"servers/server1", "store/modules/server.js:53"},
	{"monitors", "store/modules/monitor.js:51"},
	{"monitors/MariaDB-Monitor", "store/modules/monitor.js:59"},
	{"monitors/MariaDB-Monitor?fields[monitors]=monitor_diagnostics", "store/modules/monitor.js:68"},
	{"sessions", "store/modules/session.js:44"},
	{"sessions?page[size]=10&page[number]=0", "store/modules/session.js:44 (paginated)"},
	{`sessions?filter=/relationships/services/data/0/id="RW-Split-Router"`, "store/modules/session.js:111"},
	{`sessions?filter=/attributes/connections/0/server="server1"`, "store/modules/session.js:113"},
	{"services", "store/modules/service.js:54"},
	{"services/RW-Split-Router", "store/modules/service.js:29"},
	{"listeners", "store/modules/listener.js:27"},
	{"listeners/RW-Split-Listener", "store/modules/listener.js:36"},
	{"filters", "store/modules/filter.js:28"},
	{"filters/my-cache-filter", "store/modules/filter.js:37"},
	{"users/inet", "store/modules/user.js:119 (users page)"},
	{"maxscale/modules?load=all", "store/modules/maxscale.js:95"},
	{"maxscale/modules/readwritesplit?fields[modules]=parameters", "store/index.js:74"},
	{"services/RW-Split-Router?fields[services]=state", "store/index.js:60 getResourceData"},
	{"servers?fields[servers]=id", "store/index.js:60 getResourceData (fetchAllMxsObjIds)"},
	{"monitors?fields[monitors]=id", "store/index.js:60 getResourceData (fetchAllMxsObjIds)"},
	{"filters?fields[filters]=id", "store/index.js:60 getResourceData (fetchAllMxsObjIds)"},
	{"services?fields[services]=id", "store/index.js:60 getResourceData (fetchAllMxsObjIds)"},
	{"listeners?fields[listeners]=id", "store/index.js:60 getResourceData (fetchAllMxsObjIds)"},
	{"maxscale/logs/entries?page[size]=100&filter[$.attributes.unix_timestamp]=and(ge(0),le(4102444800))", "store/modules/maxscale.js:140 logFilters"},
	{"maxscale/logs/entries?page[size]=100&filter[$.attributes.priority]=or(eq(\"notice\"),eq(\"error\"))", "store/modules/maxscale.js:140 logPriorityFilter"},
}

// TestMaxGUIReads sends every request MaxGUI reads the dashboard, the
// sessions table and an object's page with: each answers 200 with a
// document the contract allows (s.api checks it).
func TestMaxGUIReads(t *testing.T) {
	s := startSim(t, nil)
	s.dial(t, "RW-Split-Router")
	for _, r := range maxguiReads {
		res := s.api(t, "GET", "/v1/"+r.path, "")
		wantStatus(t, r.path+" ("+r.from+")", res, http.StatusOK, "-")
		if _, ok := res.json(t)["data"]; !ok {
			t.Errorf("%s: no data\n%s", r.path, res.body)
		}
	}
}

// TestUnknownObjects: each kind's placeholder check answers MaxScale's 404
// "<x> is not a <placeholder>" (resource.cc matching_variable_path).
func TestUnknownObjects(t *testing.T) {
	s := startSim(t, nil)
	for _, tc := range []struct{ path, detail string }{
		{"monitors/nosuch", "nosuch is not a monitor"},
		{"listeners/nosuch", "nosuch is not a listener"},
		{"maxscale/threads/2", "2 is not a thread"},
		{"maxscale/threads/x", "x is not a thread"},
		{"maxscale/modules/nosuch", "nosuch is not a module"},
		{"users/inet/nobody", "nobody is not a inetuser"},
		{"services/nosuch", "nosuch is not a service"},
		{"servers/nosuch", "nosuch is not a server"},
		{"filters/nosuch", "nosuch is not a filter"},
	} {
		wantStatus(t, tc.path, s.api(t, "GET", "/v1/"+tc.path, ""), http.StatusNotFound, errorBody(tc.detail))
	}
}

// TestCountsFollowRealClients connects real go-sql-driver clients and
// watches the counts MaxGUI's dashboard and MaxCtrl show: the service's
// connections and total_connections, its servers' connections and the
// routing workers' sessions; a closed client takes its session out of the
// live counts and leaves the total.
func TestCountsFollowRealClients(t *testing.T) {
	s := startSim(t, func(c *config.Config) { c.Threads = 2 })
	counts := func() (svc, total, readConn, server1, thread0, thread1 float64) {
		rw := s.api(t, "GET", "/v1/services/RW-Split-Router", "").json(t)["data"].(map[string]any)
		rc := s.api(t, "GET", "/v1/services/Read-Connection-Router", "").json(t)["data"].(map[string]any)
		if num(t, attr(rw, "statistics", "connections")) != num(t, attr(rw, "connections")) ||
			num(t, attr(rw, "statistics", "total_connections")) != num(t, attr(rw, "total_connections")) {
			t.Errorf("statistics disagree with the top-level counts: %v", rw["attributes"])
		}
		srv := s.api(t, "GET", "/v1/servers/server1", "").json(t)["data"].(map[string]any)
		thr := s.api(t, "GET", "/v1/maxscale/threads", "").json(t)["data"].([]any)
		one := s.api(t, "GET", "/v1/maxscale/threads/1", "").json(t)["data"].(map[string]any)
		t1 := num(t, attr(thr[1].(map[string]any), "stats", "sessions"))
		if num(t, attr(one, "stats", "sessions")) != t1 {
			t.Errorf("threads/1 and the collection disagree")
		}
		return num(t, attr(rw, "connections")), num(t, attr(rw, "total_connections")), num(t, attr(rc, "connections")),
			num(t, attr(srv, "statistics", "connections")), num(t, attr(thr[0].(map[string]any), "stats", "sessions")), t1
	}
	check := func(what string, want [6]float64) {
		t.Helper()
		a, b, c, d, e, f := counts()
		if got := [6]float64{a, b, c, d, e, f}; got != want {
			t.Errorf("%s: service connections, total, read-conn connections, server1 connections, thread 0, thread 1 = %v, want %v", what, got, want)
		}
	}
	check("no client", [6]float64{0, 0, 0, 0, 0, 0})
	a := s.openDB(t, "RW-Split-Router")
	if err := a.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	check("one client", [6]float64{1, 1, 0, 1, 1, 0})
	s.dial(t, "RW-Split-Router")
	s.dial(t, "Read-Connection-Router")
	check("three clients", [6]float64{2, 2, 1, 3, 2, 1})
	a.Close()
	eventually(t, "the closed client's session goes", func() bool { return len(s.sessionIDs(t)) == 2 })
	check("one closed", [6]float64{1, 2, 1, 2, 1, 1})
}

// TestLogData reads the simulator's own log lines as MaxScale pages its
// log: the last page[size] lines, prev/self/last links with cursors, the
// priority filter after paging, and 400 for a page[size] that is not a
// positive integer (resource.cc get_log_data_json).
func TestLogData(t *testing.T) {
	s := startSim(t, nil)
	lines := func(path string) (msgs []string, links map[string]any) {
		t.Helper()
		doc := s.api(t, "GET", path, "").json(t)
		for _, l := range attr(doc["data"].(map[string]any), "log").([]any) {
			msgs = append(msgs, l.(map[string]any)["message"].(string))
		}
		return msgs, doc["links"].(map[string]any)
	}
	// Each listener logs when its goroutine starts serving, which may be
	// just after Start returns.
	var all []string
	eventually(t, "a line per listener", func() bool { all, _ = lines("/v1/maxscale/logs/data"); return len(all) >= 3 })
	if !strings.HasPrefix(all[0], "MaxScale simulator started") ||
		!strings.HasPrefix(all[1], "sql listener started") {
		t.Fatalf("log = %q, want the start line and a line per listener", all)
	}
	// A wrong password is logged (notice): the log grows with what the simulator does.
	wantStatus(t, "wrong password", s.apiAs(t, "admin", "wrong", "GET", "/v1/sessions", ""), http.StatusUnauthorized, "-")
	grown, _ := lines("/v1/maxscale/logs/data")
	if len(grown) != len(all)+1 || !strings.HasPrefix(grown[len(grown)-1], "authentication failed") {
		t.Errorf("after a failed login the last line is %q, want authentication failed", grown[len(grown)-1])
	}
	last2, links := lines("/v1/maxscale/logs/data?page[size]=2")
	n := len(grown)
	if strings.Join(last2, "|") != strings.Join(grown[n-2:], "|") {
		t.Errorf("page[size]=2 = %q, want the last two lines %q", last2, grown[n-2:])
	}
	base := s.APIURL + "/v1/maxscale/logs/data/"
	want := map[string]any{
		"self": base + "?page%5Bcursor%5D=" + itoa(n-2) + "&page%5Bsize%5D=2",
		"prev": base + "?page%5Bcursor%5D=" + itoa(max(n-4, 0)) + "&page%5Bsize%5D=2",
		"last": base + "?page%5Bsize%5D=2",
	}
	for k, v := range want {
		if links[k] != v {
			t.Errorf("links.%s = %v, want %v", k, links[k], v)
		}
	}
	first, links := lines("/v1/maxscale/logs/data?page[cursor]=0&page[size]=1")
	if len(first) != 1 || first[0] != grown[0] || links["prev"] != nil {
		t.Errorf("cursor 0: %q, prev %v; want the first line and no prev", first, links["prev"])
	}
	notices, _ := lines("/v1/maxscale/logs/data?priority=error")
	if len(notices) != 0 {
		t.Errorf("priority=error: %q, want none", notices)
	}
	wantStatus(t, "page[size]=0", s.api(t, "GET", "/v1/maxscale/logs/data?page[size]=0", ""),
		http.StatusBadRequest, errorBody("Invalid value for 'page[size]': 0"))
	entries := s.api(t, "GET", "/v1/maxscale/logs/entries?page[size]=2", "").json(t)["data"].([]any)
	if len(entries) != 2 || attr(entries[1].(map[string]any), "message") != grown[n-1] {
		t.Errorf("entries = %v, want the last two lines as log_entry resources", entries)
	}
}

// TestUsersShowLastLogin: the REST accounts with their type, last_login
// null until the account authenticates.
func TestUsersShowLastLogin(t *testing.T) {
	s := startSim(t, nil)
	users := func() map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, u := range s.api(t, "GET", "/v1/users", "").json(t)["data"].([]any) {
			out[u.(map[string]any)["id"].(string)] = u.(map[string]any)["attributes"].(map[string]any)
		}
		return out
	}
	u := users()
	if u["admin"]["account"] != "admin" || u["basic"]["account"] != "basic" || u["admin"]["last_login"] == nil || u["basic"]["last_login"] != nil {
		t.Errorf("users = %v, want admin (logged in) and basic (never)", u)
	}
	s.apiAs(t, "basic", "mariadb", "GET", "/v1/maxscale", "")
	if users()["basic"]["last_login"] == nil {
		t.Error("basic's last_login is still null after its request")
	}
}

// TestChangesAreRefused: a change of the configuration (what MaxGUI's
// forms and MaxCtrl's create/alter/destroy send) is refused as MaxScale
// refuses a change it cannot make, 400 with the reason, after MaxScale's
// placeholder and body checks; nothing changes.
func TestChangesAreRefused(t *testing.T) {
	s := startSim(t, nil)
	readOnly := func(what string) string {
		return errorBody("The simulator's configuration is read-only: " + what)
	}
	before := s.api(t, "GET", "/v1/servers", "").body
	patch := `{"data":{"attributes":{"parameters":{"port":3307}}}}`
	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"PATCH", "servers/server1", patch, 400, readOnly("server 'server1' was not modified")},
		{"PATCH", "servers/nosuch", patch, 404, errorBody("nosuch is not a server")},
		{"PATCH", "servers/server1", "", 400, errorBody("Missing request body")},
		{"POST", "servers", `{"data":{"id":"server3","type":"servers","attributes":{"parameters":{"address":"127.0.0.1","port":3002}}}}`,
			400, readOnly("no server was created")},
		{"DELETE", "servers/server1?force=yes", "", 400, readOnly("server 'server1' was not destroyed")},
		{"PATCH", "services/RW-Split-Router", `{"data":{"attributes":{"parameters":{"max_connections":5}}}}`, 400, readOnly("service 'RW-Split-Router' was not modified")},
		{"DELETE", "filters/my-hint-filter", "", 400, readOnly("filter 'my-hint-filter' was not destroyed")},
		{"PATCH", "monitors/MariaDB-Monitor", `{"data":{"attributes":{"parameters":{"monitor_interval":"5s"}}}}`, 400, readOnly("monitor 'MariaDB-Monitor' was not modified")},
		{"DELETE", "listeners/RW-Split-Listener", "", 400, readOnly("listener 'RW-Split-Listener' was not destroyed")},
		{"POST", "users/inet", `{"data":{"id":"bob","type":"inet","attributes":{"password":"x","account":"basic"}}}`, 400, readOnly("no user was created")},
		{"DELETE", "users/inet/nobody", "", 404, errorBody("nobody is not a inetuser")},
		{"PATCH", "maxscale", `{"data":{"attributes":{"parameters":{"threads":8}}}}`, 400, readOnly("maxscale was not modified")},
		// MaxGUI's object pages (store/modules/service.js:147, 194; server.js:149, 209; monitor.js:173, 415).
		{"PATCH", "services/RW-Split-Router/relationships/servers", `{"data":[{"id":"server2","type":"servers"}]}`, 400, readOnly("service 'RW-Split-Router' was not modified")},
		{"PATCH", "services/RW-Split-Router/relationships/sessions", `{"data":[]}`, 404, ""},
		{"PUT", "services/RW-Split-Router/stop", "", 400, readOnly("service 'RW-Split-Router' was not stopped")},
		{"PATCH", "servers/server1/relationships/monitors", `{"data":[]}`, 400, readOnly("server 'server1' was not modified")},
		{"PUT", "servers/server2/set?state=maintenance", "", 400, readOnly("server 'server2' was not set")},
		{"PUT", "monitors/MariaDB-Monitor/stop", "", 400, readOnly("monitor 'MariaDB-Monitor' was not stopped")},
		{"PATCH", "monitors/MariaDB-Monitor/relationships/servers", "", 400, errorBody("Missing request body")},
		{"PUT", "listeners/nosuch/start", "", 404, errorBody("nosuch is not a listener")},
	} {
		wantStatus(t, tc.method+" "+tc.path, s.api(t, tc.method, "/v1/"+tc.path, tc.body), tc.status, tc.want)
	}
	wantStatus(t, "read-only account", s.apiAs(t, "basic", "mariadb", "DELETE", "/v1/servers/server1", ""), http.StatusUnauthorized, "-")
	if after := s.api(t, "GET", "/v1/servers", "").body; string(after) != string(before) {
		t.Errorf("the servers changed:\n%s\nwant\n%s", after, before)
	}
	if n := num(t, attr(s.api(t, "GET", "/v1/maxscale", "").json(t)["data"].(map[string]any), "parameters", "threads")); n != 2 {
		t.Errorf("threads = %v after a refused PATCH, want 2", n)
	}
}

// TestAlterMaxScaleRetention: `maxctrl alter maxscale
// retain_last_statements 5` (then `list queries`) works as on MaxScale:
// 204, and the sessions created afterwards retain their statements while
// older ones keep their setting. A bad count is a 400 that changes
// nothing; a change of any other global parameter is refused whole.
func TestAlterMaxScaleRetention(t *testing.T) {
	s := startSim(t, nil)
	_, before := s.dial(t, "RW-Split-Router")
	retain := func() float64 {
		return num(t, attr(s.api(t, "GET", "/v1/maxscale", "").json(t)["data"].(map[string]any), "parameters", "retain_last_statements"))
	}
	alter := func(params string) response {
		return s.api(t, "PATCH", "/v1/maxscale", `{"data":{"attributes":{"parameters":`+params+`}}}`, maxctrlHeaders...)
	}
	wantStatus(t, "alter maxscale retain_last_statements 5", alter(`{"retain_last_statements":5}`), http.StatusNoContent, "")
	if retain() != 5 {
		t.Errorf("retain_last_statements = %v after the PATCH, want 5", retain())
	}
	conn, after := s.dial(t, "RW-Split-Router")
	if _, err := conn.ExecContext(t.Context(), "SET @a = 1"); err != nil {
		t.Fatal(err)
	}
	if q := attr(s.session(t, after), "queries").([]any); len(q) != 1 {
		t.Errorf("the new session retains %d statements, want 1", len(q))
	}
	if q := attr(s.session(t, before), "queries").([]any); len(q) != 0 {
		t.Errorf("the older session retains %d statements, want 0 (its setting is pinned)", len(q))
	}
	wantStatus(t, "negative", alter(`{"retain_last_statements":-1}`), http.StatusBadRequest,
		errorBody("Invalid value for 'retain_last_statements': -1 (a count, 0 or more, is needed)"))
	wantStatus(t, "another parameter too", alter(`{"retain_last_statements":1,"threads":8}`), http.StatusBadRequest,
		errorBody("The simulator's configuration is read-only: maxscale was not modified"))
	if retain() != 5 {
		t.Errorf("retain_last_statements = %v after refused PATCHes, want 5", retain())
	}
}
