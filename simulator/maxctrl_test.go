package simulator

import (
	"context"
	"net/http"
	"slices"
	"testing"

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
