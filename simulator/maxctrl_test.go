package simulator

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/config"
)

// maxctrlHeaders are what MaxCtrl 24.02 (axios) sends besides Basic auth.
var maxctrlHeaders = []string{"Accept", "application/json, text/plain, */*", "User-Agent", "axios/1.6.7"}

// TestMaxCtrlCommands replays the requests MaxCtrl 24.02 sends for its
// session commands (catalogue §7.3; outcomes in transcripts 280-301) and
// checks the statuses and the fields it reads: MaxCtrl works unchanged
// against the simulator.
func TestMaxCtrlCommands(t *testing.T) {
	s := startSim(t, nil)
	_, id := s.dial(t, "RW-Split-Router")
	_, other := s.dial(t, "Read-Connection-Router")
	maxctrl := func(method, path, body string) response {
		t.Helper()
		return s.api(t, method, "/v1/"+path, body, maxctrlHeaders...)
	}
	listReads := [][]string{{"user"}, {"remote"}, {"connected"}, {"idle"}, {"memory", "total"}, {"io_activity"}}
	showReads := [][]string{{"state"}, {"user"}, {"remote"}, {"port"}, {"connected"}, {"idle"}, {"parameters"},
		{"client", "cipher"}, {"client", "connection_attributes"}, {"connections"}, {"queries"}, {"log"}, {"memory"}, {"io_activity"}}
	reads := func(t *testing.T, res map[string]any, paths [][]string) {
		t.Helper()
		for _, p := range paths {
			if _, ok := res["attributes"].(map[string]any)[p[0]]; !ok || (len(p) > 1 && attr(res, p...) == nil && p[1] != "cipher") {
				t.Errorf("session %v: attributes.%v missing", res["id"], p)
			}
		}
		svcs := res["relationships"].(map[string]any)["services"].(map[string]any)["data"].([]any)
		if len(svcs) != 1 || svcs[0].(map[string]any)["id"] == "" {
			t.Errorf("session %v: relationships.services.data = %v", res["id"], svcs)
		}
	}
	t.Run("list sessions", func(t *testing.T) {
		r := maxctrl("GET", "sessions", "")
		wantStatus(t, "list", r, 200, "-")
		rows := r.json(t)["data"].([]any)
		if len(rows) != 2 {
			t.Fatalf("rows = %d, want 2", len(rows))
		}
		for _, row := range rows {
			reads(t, row.(map[string]any), listReads)
		}
	})
	t.Run("show session", func(t *testing.T) {
		r := maxctrl("GET", "sessions/"+id, "")
		wantStatus(t, "show", r, 200, "-")
		res := r.json(t)["data"].(map[string]any)
		reads(t, res, showReads)
		conns := attr(res, "connections").([]any)
		if len(conns) == 0 || conns[0].(map[string]any)["server"] == nil || conns[0].(map[string]any)["connection_id"] == nil {
			t.Errorf("connections = %v", conns)
		}
	})
	t.Run("show sessions (trailing slash)", func(t *testing.T) {
		r := maxctrl("GET", "sessions/", "")
		wantStatus(t, "show sessions", r, 200, "-")
		for _, row := range r.json(t)["data"].([]any) {
			reads(t, row.(map[string]any), showReads)
		}
	})
	t.Run("show session --rdns", func(t *testing.T) {
		wantStatus(t, "rdns", maxctrl("GET", "sessions/"+id+"?rdns=true", ""), 200, "-")
	})
	for _, tc := range []struct {
		name, body string
		want       map[string]any // parameters after the command
	}{
		{"alter session log_info=true", `{"data":{"attributes":{"parameters":{"log_info":true}}}}`, map[string]any{"log_info": true}},
		{"alter session log_info false (legacy form)", `{"data":{"attributes":{"parameters":{"log_info":false}}}}`, map[string]any{"log_info": false}},
		{"alter session no_such_param=1", `{"data":{"attributes":{"parameters":{"no_such_param":1}}}}`, map[string]any{"log_info": false, "no_such_param": nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, tc.name, maxctrl("PATCH", "sessions/"+id, tc.body), 200, "")
			params := attr(s.session(t, id), "parameters").(map[string]any)
			for k, v := range tc.want {
				if params[k] != v {
					t.Errorf("parameters.%s = %v, want %v", k, params[k], v)
				}
			}
		})
	}
	filters := func() []string {
		var out []string
		rel, _ := s.session(t, id)["relationships"].(map[string]any)["filters"].(map[string]any)
		if rel != nil {
			for _, d := range rel["data"].([]any) {
				out = append(out, d.(map[string]any)["id"].(string))
			}
		}
		return out
	}
	for _, tc := range []struct {
		name, body string
		status     int
		errBody    string
		filters    []string
	}{
		{"alter session-filters my-log-filter", `{"data":{"type":"services","relationships":{"filters":{"data":[{"id":"my-log-filter","type":"filters"}]}}}}`, 200, "", []string{"my-log-filter"}},
		{"alter session-filters no-such-filter", `{"data":{"type":"services","relationships":{"filters":{"data":[{"id":"no-such-filter","type":"filters"}]}}}}`, 400, errorBody("Not a valid filter: no-such-filter"), []string{"my-log-filter"}},
		{"alter session-filters (none)", `{"data":{"type":"services","relationships":{"filters":{"data":[]}}}}`, 200, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, tc.name, maxctrl("PATCH", "sessions/"+id, tc.body), tc.status, tc.errBody)
			if got := filters(); !slices.Equal(got, tc.filters) {
				t.Errorf("filters = %v, want %v", got, tc.filters)
			}
		})
	}
	for _, tc := range []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"reload session", "POST", "sessions/" + id + "/restart", 200, ""},
		{"reload sessions", "POST", "sessions/restart", 200, ""},
		{"show session 999999", "GET", "sessions/999999", 404, ""},
		{"reload session 999999", "POST", "sessions/999999/restart", 404, ""},
		{"destroy session 999999", "DELETE", "sessions/999999?ttl=0", 404, ""},
		{"destroy session --ttl 100", "DELETE", "sessions/" + other + "?ttl=100", 200, ""},
		{"destroy session (ttl 0)", "DELETE", "sessions/" + id + "?ttl=0", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, tc.name, maxctrl(tc.method, tc.path, ""), tc.status, tc.body)
		})
	}
	if ids := s.sessionIDs(t); !slices.Equal(ids, []string{other}) {
		t.Errorf("after destroy: sessions %v, want only %s (its kill waits for the ttl)", ids, other)
	}
}

// TestMaxCtrlListQueries replays `maxctrl list queries`: GET /v1/maxscale
// for retain_last_statements (MaxCtrl refuses to go on when it is 0),
// then GET /v1/sessions, keeping the sessions whose oldest retained query
// has not completed.
func TestMaxCtrlListQueries(t *testing.T) {
	for _, tc := range []struct {
		retain  int
		running bool // a session is in the list
	}{{0, false}, {5, true}} {
		s := startSim(t, func(c *config.Config) { c.RetainLastStatements = tc.retain })
		r := s.api(t, "GET", "/v1/maxscale", "", maxctrlHeaders...)
		wantStatus(t, "GET maxscale", r, 200, "-")
		retain := attr(r.json(t)["data"].(map[string]any), "parameters", "retain_last_statements")
		if num(t, retain) != float64(tc.retain) {
			t.Errorf("retain_last_statements = %v, want %d", retain, tc.retain)
		}
		if !tc.running {
			continue
		}
		conn, id := s.dial(t, "RW-Split-Router")
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { _, err := conn.ExecContext(ctx, "SELECT SLEEP(30)"); done <- err }()
		s.waitRunning(t, id, "SELECT SLEEP(30)")
		var listed []string
		for _, row := range s.api(t, "GET", "/v1/sessions", "", maxctrlHeaders...).json(t)["data"].([]any) {
			queries, _ := attr(row.(map[string]any), "queries").([]any)
			if len(queries) > 0 && queries[0].(map[string]any)["completed"] == nil {
				listed = append(listed, row.(map[string]any)["id"].(string))
			}
		}
		if !slices.Equal(listed, []string{id}) {
			t.Errorf("list queries shows %v, want [%s]", listed, id)
		}
		wantStatus(t, "destroy", s.api(t, http.MethodDelete, "/v1/sessions/"+id+"?ttl=0", ""), 200, "")
		cancel()
		<-done
	}
}

// maxctrlObjectCommands are MaxCtrl 24.02's list and show commands for the
// objects around sessions: the request each sends (maxctrl/lib/list.js,
// show.js: getCollection, getResource) and the paths of the fields its
// table shows (list_*_fields, show_maxscale_fields, service_fields).
// A field may be null or an empty list (a filter no service uses, a user
// who never logged in). notModelled are fields MaxCtrl shows empty against
// the simulator, which has no source for them (no GTIDs, descriptors,
// config files or router diagnostics).
var maxctrlObjectCommands = []struct {
	command, path string
	fields        []string
	notModelled   []string
}{
	{"list servers", "servers", []string{"id", "attributes.parameters.address", "attributes.parameters.port",
		"attributes.statistics.connections", "attributes.state", "relationships.monitors.data[0].id"},
		[]string{"attributes.gtid_current_pos"}},
	{"list services", "services", []string{"id", "attributes.router", "attributes.statistics.connections",
		"attributes.statistics.total_connections", "relationships.servers.data[].id"}, nil},
	{"list filters", "filters", []string{"id", "relationships.services.data[].id", "attributes.module"}, nil},
	{"list monitors", "monitors", []string{"id", "attributes.state", "relationships.servers.data[].id"}, nil},
	{"list listeners", "listeners", []string{"id", "attributes.parameters.port", "attributes.parameters.address",
		"attributes.state", "relationships.services.data[].id"}, nil},
	{"list threads", "maxscale/threads", []string{"id", "attributes.stats.load.last_second",
		"attributes.stats.load.last_minute", "attributes.stats.load.last_hour"},
		[]string{"attributes.stats.current_descriptors", "attributes.stats.total_descriptors"}},
	{"list users", "users", []string{"id", "type", "attributes.account", "attributes.created", "attributes.last_update",
		"attributes.last_login"},
		nil},
	{"list modules", "maxscale/modules", []string{"id", "attributes.module_type"}, nil},
	{"show maxscale", "maxscale", []string{"attributes.version", "attributes.commit", "attributes.started_at",
		"attributes.activated_at", "attributes.uptime", "attributes.config_sync", "attributes.parameters", "attributes.system"},
		nil},
	{"show service RW-Split-Router", "services/RW-Split-Router", []string{"id", "attributes.router", "attributes.state",
		"attributes.started", "attributes.statistics.connections", "attributes.statistics.total_connections",
		"attributes.statistics.max_connections", "relationships.servers.data[].id", "relationships.filters.data[].id",
		"attributes.parameters", "attributes.statistics"},
		[]string{"attributes.source.file", "attributes.users_last_update", "relationships.monitors.data[].id",
			"relationships.services.data[].id", "attributes.router_diagnostics"}},
}

// hasPath reports whether a MaxCtrl field path (lodash's _.get, with `[]`
// for every element: common.js getPath) leads to a member: present, if
// null or an empty list.
func hasPath(v any, path string) bool {
	name, rest, more := strings.Cut(path, ".")
	key, index, isList := strings.Cut(strings.TrimSuffix(name, "]"), "[")
	m, _ := v.(map[string]any)
	v, ok := m[key]
	if !ok {
		return false
	}
	if isList {
		list, ok := v.([]any)
		if !ok {
			return false
		}
		if index == "" { // `[]`: the rest of the path in every element
			for _, el := range list {
				if more && !hasPath(el, rest) {
					return false
				}
			}
			return true
		}
		i, err := strconv.Atoi(index)
		if err != nil || i >= len(list) {
			return false
		}
		v = list[i]
	}
	return !more || hasPath(v, rest)
}

// TestMaxCtrlObjectCommands replays MaxCtrl's list and show commands for
// servers, services, filters, monitors, listeners, threads, users,
// modules, maxscale and one service: each request answers 200 with every
// field MaxCtrl shows, and the counts follow the one live session.
func TestMaxCtrlObjectCommands(t *testing.T) {
	s := startSim(t, nil)
	s.dial(t, "RW-Split-Router")
	for _, c := range maxctrlObjectCommands {
		r := s.api(t, "GET", "/v1/"+c.path, "", maxctrlHeaders...)
		wantStatus(t, c.command, r, http.StatusOK, "-")
		var rows []any
		switch data := r.json(t)["data"].(type) {
		case []any:
			rows = data
		default:
			rows = []any{data}
		}
		if len(rows) == 0 {
			t.Errorf("%s: no rows", c.command)
		}
		for _, row := range rows {
			for _, f := range c.fields {
				if !hasPath(row, f) {
					t.Errorf("%s: %v has no %s", c.command, row.(map[string]any)["id"], f)
				}
			}
			for _, f := range c.notModelled {
				if hasPath(row, f) {
					t.Errorf("%s: %s is there; move it to the fields MaxCtrl shows", c.command, f)
				}
			}
		}
	}
	svc := s.api(t, "GET", "/v1/services/RW-Split-Router", "").json(t)["data"].(map[string]any)
	for _, f := range []string{"connections", "total_connections", "max_connections"} {
		if n := num(t, attr(svc, "statistics", f)); n != 1 {
			t.Errorf("show service: statistics.%s = %v, want 1 (one client)", f, n)
		}
	}
}

// sourceMaxCtrl returns the maxctrl of a MaxScale 24.02 source build
// (scripts/maxscale-from-source.sh: $MXS_CACHE, default
// /var/cache/mxharness/maxscale, holds <release>/install/bin/maxctrl), or
// skips the test saying what is missing.
func sourceMaxCtrl(t *testing.T) string {
	t.Helper()
	cache := os.Getenv("MXS_CACHE")
	if cache == "" {
		cache = "/var/cache/mxharness/maxscale"
	}
	bins, _ := filepath.Glob(filepath.Join(cache, "24.02*", "install", "bin", "maxctrl"))
	if len(bins) == 0 {
		t.Skipf("no maxctrl of a MaxScale 24.02 source build in %s (scripts/maxscale-from-source.sh builds one; it takes an hour, so CI does not)", cache)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("maxctrl needs node, which is not on PATH (apt-get install nodejs)")
	}
	return bins[0]
}

// TestRealMaxCtrl runs MaxScale's own maxctrl 24.02 (a source build)
// against the simulator with one client connected: its list and show
// commands for the objects print the rows and counts, and a destroy is
// refused with the simulator's reason.
func TestRealMaxCtrl(t *testing.T) {
	bin := sourceMaxCtrl(t)
	s := startSim(t, nil)
	s.dial(t, "RW-Split-Router")
	host := strings.TrimPrefix(s.APIURL, "http://")
	maxctrl := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--hosts", host, "--user", "admin", "--password", "mariadb", "--tsv"}, args...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	_, rwPort, _ := net.SplitHostPort(s.SQLAddrs["RW-Split-Router"])
	for _, tc := range []struct {
		args []string
		want []string // lines of the --tsv output
	}{
		{[]string{"list", "servers"}, []string{"server1\t127.0.0.1\t3000\t1\tMaster, Running\t\tMariaDB-Monitor",
			"server2\t127.0.0.1\t3001\t0\tSlave, Running\t\tMariaDB-Monitor"}},
		{[]string{"list", "services"}, []string{"RW-Split-Router\treadwritesplit\t1\t1\tserver1",
			"Read-Connection-Router\treadconnroute\t0\t0\tserver1"}},
		{[]string{"list", "filters"}, []string{"my-cache-filter\tRW-Split-Router\tcache", "my-hint-filter\t\thintfilter"}},
		{[]string{"list", "monitors"}, []string{"MariaDB-Monitor\tRunning\tserver1, server2"}},
		{[]string{"list", "listeners"}, []string{"RW-Split-Listener\t" + rwPort + "\t127.0.0.1\tRunning\tRW-Split-Router"}},
		{[]string{"list", "threads"}, []string{"0\t\t\t0\t0\t0", "1\t\t\t0\t0\t0"}},
		{[]string{"show", "maxscale"}, []string{"Version\t24.02.4"}},
		{[]string{"show", "service", "RW-Split-Router"}, []string{"Router\treadwritesplit", "Current Connections\t1",
			"Total Connections\t1", "Max Connections\t1", "Servers\tserver1"}},
	} {
		out, err := maxctrl(tc.args...)
		if err != nil {
			t.Errorf("maxctrl %s: %v\n%s", strings.Join(tc.args, " "), err, out)
			continue
		}
		lines := strings.Split(out, "\n")
		for _, w := range tc.want {
			if !slices.Contains(lines, w) {
				t.Errorf("maxctrl %s: no line %q in\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
	}
	if out, err := maxctrl("alter", "maxscale", "retain_last_statements", "5"); err != nil || !strings.Contains(out, "OK") {
		t.Errorf("maxctrl alter maxscale retain_last_statements 5: %v\n%s", err, out)
	}
	if out, _ := maxctrl("show", "maxscale"); !strings.Contains(out, `"retain_last_statements": 5`) {
		t.Errorf("maxctrl show maxscale after the alter:\n%s", out)
	}
	out, err := maxctrl("destroy", "server", "server2")
	if err == nil || !strings.Contains(out, "read-only: server 'server2' was not destroyed") {
		t.Errorf("maxctrl destroy server server2: %v\n%s; want a failure with the simulator's reason", err, out)
	}
}
