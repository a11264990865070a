package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/session"
	"github.com/mxharness/mxharness/spec"
)

func TestHandlersCoverEveryOperation(t *testing.T) {
	s, err := New(config.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := slices.Sorted(maps.Keys(s.ops))
	if want := spec.OperationIDs(); !slices.Equal(got, want) {
		t.Errorf("handlers = %v\nspec operations = %v", got, want)
	}
}

func TestGetSessionShowsTheClient(t *testing.T) {
	s := startSim(t, nil)
	conn, id := s.dial(t, "RW-Split-Router")
	backend := queryInt(t, conn, "SELECT CONNECTION_ID()")
	res := s.session(t, id)
	if attr(res, "state") != "Session started" || attr(res, "user") != "maxuser" || attr(res, "remote") != "127.0.0.1" {
		t.Errorf("attributes = %v", res["attributes"])
	}
	conns := attr(res, "connections").([]any)
	if len(conns) != 1 || num(t, conns[0].(map[string]any)["connection_id"]) != float64(backend) {
		t.Errorf("connections = %v, CONNECTION_ID() = %d", conns, backend)
	}
	if _, ok := session.ParseID(id); !ok || id == strconv.FormatInt(backend, 10) {
		t.Errorf("session id %s vs backend id %d", id, backend)
	}
	client := attr(res, "client").(map[string]any)
	if client["cipher"] != "" || client["connection_attributes"] == nil {
		t.Errorf("client = %v", client)
	}
	if _, ok := client["sescmd_history_len"]; !ok {
		t.Error("readwritesplit session without sescmd_history_len")
	}
	if _, err := time.Parse(http.TimeFormat, attr(res, "connected").(string)); err != nil {
		t.Errorf("connected: %v", err)
	}
	links := res["links"].(map[string]any)
	if links["self"] != s.APIURL+"/v1/sessions/"+id+"/" {
		t.Errorf("links.self = %v", links["self"])
	}
	_, rc := s.dial(t, "Read-Connection-Router")
	if _, ok := attr(s.session(t, rc), "client").(map[string]any)["sescmd_history_len"]; ok {
		t.Error("readconnroute session has sescmd_history_len")
	}
}

func TestRoutingAndErrorsAsMaxScale(t *testing.T) {
	s := startSim(t, nil)
	_, id := s.dial(t, "RW-Split-Router")
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"malformed id", "GET", "/v1/sessions/abc", "", 404, errorBody("abc is not a session")},
		{"zero", "GET", "/v1/sessions/0", "", 404, errorBody("0 is not a session")},
		{"negative", "GET", "/v1/sessions/-1", "", 404, errorBody("-1 is not a session")},
		{"restart on GET", "GET", "/v1/sessions/restart", "", 404, errorBody("restart is not a session")},
		// Unrouted by the contract (spec TestRouter): MaxScale's answer.
		{"restart on PATCH", "PATCH", "/v1/sessions/restart", `{}`, 404, errorBody("restart is not a session")},
		{"restart on DELETE", "DELETE", "/v1/sessions/restart", "", 404, errorBody("restart is not a session")},
		{"unknown numeric", "GET", "/v1/sessions/999999", "", 404, ""},
		{"unknown numeric DELETE", "DELETE", "/v1/sessions/999999?ttl=5", "", 404, ""},
		{"unknown numeric restart", "POST", "/v1/sessions/999999/restart", "", 404, ""},
		{"malformed DELETE", "DELETE", "/v1/sessions/abc", "", 404, errorBody("abc is not a session")},
		{"missing body before lookup", "PATCH", "/v1/sessions/999999", "", 400, errorBody("Missing request body")},
		{"malformed id before body", "PATCH", "/v1/sessions/abc", "", 404, errorBody("abc is not a session")},
		{"json null", "PATCH", "/v1/sessions/" + id, "null", 400, `{"errors": [ { "detail": "Invalid JSON in request: '[' or '{' expected near 'null'" } ] }`},
		{"not json", "PATCH", "/v1/sessions/" + id, `{"data": {bad json`, 400, `{"errors": [ { "detail": "Invalid JSON in request: string or '}' expected near 'bad'" } ] }`},
		{"not json restart", "POST", "/v1/sessions/" + id + "/restart", "not json", 400, `{"errors": [ { "detail": "Invalid JSON in request: '[' or '{' expected near 'not'" } ] }`},
		{"bad json on GET", "GET", "/v1/sessions", "log_info=true", 400, `{"errors": [ { "detail": "Invalid JSON in request: '[' or '{' expected near 'log'" } ] }`},
		{"PUT", "PUT", "/v1/sessions/" + id, "{}", 404, ""},
		{"POST collection", "POST", "/v1/sessions", "", 404, ""},
		{"POST one", "POST", "/v1/sessions/" + id, "", 404, ""},
		{"relationship GET", "GET", "/v1/sessions/" + id + "/relationships/services", "", 404, ""},
		{"unknown verb", "FOO", "/v1/sessions/" + id, "", 405, ""},
		{"unknown service", "GET", "/v1/services/nope", "", 404, errorBody("nope is not a service")},
		{"unknown filter", "GET", "/v1/filters/nope", "", 404, errorBody("nope is not a filter")},
		{"unknown server", "GET", "/v1/servers/nope", "", 404, errorBody("nope is not a server")},
		{"empty PATCH object", "PATCH", "/v1/sessions/" + id, "{}", 200, ""},
		{"empty PATCH array", "PATCH", "/v1/sessions/" + id, "[]", 200, ""},
		{"restart all", "POST", "/v1/sessions/restart", "", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, tc.method+" "+tc.path, s.api(t, tc.method, tc.path, tc.body), tc.status, tc.want)
		})
	}
}

func TestLinksFollowTheRequest(t *testing.T) {
	s := startSim(t, nil)
	_, id := s.dial(t, "RW-Split-Router")
	for _, tc := range []struct{ path, host, self string }{
		{"/v1/sessions/0" + id, "", s.APIURL + "/v1/sessions/" + id + "/"},
		{"/v1/sessions/" + id + "/", "", s.APIURL + "/v1/sessions/" + id + "/"},
		{"/sessions/" + id, "", s.APIURL + "/sessions/" + id + "/"},
		{"/v1/sessions/" + id, "example.test:1234", "http://example.test:1234/v1/sessions/" + id + "/"},
	} {
		r := s.api(t, "GET", tc.path, "", "Host", tc.host)
		if tc.host == "" {
			r = s.api(t, "GET", tc.path, "")
		}
		if r.status != 200 {
			t.Fatalf("GET %s: %d", tc.path, r.status)
		}
		if got := r.json(t)["links"].(map[string]any)["self"]; got != tc.self {
			t.Errorf("GET %s (Host %q): links.self = %v, want %s", tc.path, tc.host, got, tc.self)
		}
	}
}

func TestHeaders(t *testing.T) {
	s := startSim(t, nil)
	r := s.api(t, "GET", "/v1/sessions", "")
	for k, want := range map[string]string{"X-Frame-Options": "Deny", "X-XSS-Protection": "1",
		"Referrer-Policy": "same-origin", "Cache-Control": "no-cache", "Content-Type": "application/json"} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	date := r.header.Get("Date")
	if _, err := time.Parse("Mon, 02 Jan 06 15:04:05 GMT", date); err != nil {
		t.Errorf("Date %q is not the two-digit-year form: %v", date, err)
	}
	if r.header.Get("ETag") == "" || r.header.Get("Last-Modified") == "" {
		t.Error("GET without ETag or Last-Modified")
	}
	w := s.api(t, "POST", "/v1/sessions/restart", "")
	if w.header.Get("Content-Type") != "" || len(w.body) != 0 {
		t.Errorf("write reply: Content-Type %q, body %q", w.header.Get("Content-Type"), w.body)
	}
	u := s.apiAs(t, "", "", "GET", "/v1/sessions", "")
	wantStatus(t, "no credentials", u, 401, `{"errors": [ { "detail": "Access denied" } ] }`)
}

func TestPatchParametersAndFilters(t *testing.T) {
	s := startSim(t, nil)
	_, id := s.dial(t, "RW-Split-Router")
	path := "/v1/sessions/" + id
	filters := func() []string {
		rel, _ := s.session(t, id)["relationships"].(map[string]any)["filters"].(map[string]any)
		var out []string
		if rel != nil {
			for _, d := range rel["data"].([]any) {
				out = append(out, d.(map[string]any)["id"].(string))
			}
		}
		return out
	}
	patch := func(body string) response { return s.api(t, "PATCH", path, body) }
	wantStatus(t, "parameters", patch(`{"data":{"attributes":{"parameters":{"log_info":true,"log_notice":"yes","log_debug":true,"foo":1}}}}`), 200, "")
	params := attr(s.session(t, id), "parameters").(map[string]any)
	if params["log_info"] != true || params["log_notice"] != false || params["log_debug"] != nil {
		t.Errorf("parameters = %v", params)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
		filters    []string
	}{
		{"order and duplicates", `{"data":{"relationships":{"filters":{"data":[{"id":"my-hint-filter"},{"id":"my-log-filter","type":"filters"},{"id":"my-hint-filter"}]}}}}`, 200, "", []string{"my-hint-filter", "my-log-filter", "my-hint-filter"}},
		{"unknown filter", `{"data":{"relationships":{"filters":{"data":[{"id":"no-such-filter"}]}}}}`, 400, errorBody("Not a valid filter: no-such-filter"), []string{"my-hint-filter", "my-log-filter", "my-hint-filter"}},
		{"numeric id", `{"data":{"relationships":{"filters":{"data":[{"id":5}]}}}}`, 400, errorBody("Not a JSON string but a integer"), []string{"my-hint-filter", "my-log-filter", "my-hint-filter"}},
		{"missing id", `{"data":{"relationships":{"filters":{"data":[{"type":"filters"}]}}}}`, 400, errorBody("Not a JSON string but a null"), []string{"my-hint-filter", "my-log-filter", "my-hint-filter"}},
		{"not an object", `{"data":{"relationships":{"filters":{"data":["my-hint-filter"]}}}}`, 400, errorBody("Not a JSON object but a string"), []string{"my-hint-filter", "my-log-filter", "my-hint-filter"}},
		{"documented shape ignored", `{"data":{"attributes":{"relationships":{"filters":{"data":[]}}}}}`, 200, "", []string{"my-hint-filter", "my-log-filter", "my-hint-filter"}},
		{"empty list clears", `{"data":{"relationships":{"filters":{"data":[]}}}}`, 200, "", nil},
		{"set again", `{"data":{"relationships":{"filters":{"data":[{"id":"my-cache-filter"}]}}}}`, 200, "", []string{"my-cache-filter"}},
		{"null clears", `{"data":{"relationships":{"filters":{"data":null}}}}`, 200, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, tc.name, patch(tc.body), tc.status, tc.want)
			if got := filters(); !slices.Equal(got, tc.filters) {
				t.Errorf("filters = %v, want %v", got, tc.filters)
			}
		})
	}
	// Not atomic: the parameter sticks although the filter fails.
	wantStatus(t, "mixed", patch(`{"data":{"attributes":{"parameters":{"log_error":true}},"relationships":{"filters":{"data":[{"id":"nope"}]}}}}`), 400, errorBody("Not a valid filter: nope"))
	if attr(s.session(t, id), "parameters").(map[string]any)["log_error"] != true {
		t.Error("log_error not applied by the failed PATCH")
	}
	// The relationships endpoint: MaxCtrl-free shape, empty-body errors.
	rel := path + "/relationships/filters"
	wantStatus(t, "R4 set", s.api(t, "PATCH", rel, `{"data":[{"id":"my-hint-filter"}]}`), 200, "")
	if got := filters(); !slices.Equal(got, []string{"my-hint-filter"}) {
		t.Errorf("after R4: filters = %v", got)
	}
	wantStatus(t, "R4 unknown filter", s.api(t, "PATCH", rel, `{"data":[{"id":"nope"}]}`), 400, "")
	wantStatus(t, "R4 no data", s.api(t, "PATCH", rel, `{}`), 200, "")
	wantStatus(t, "R4 unknown session", s.api(t, "PATCH", "/v1/sessions/999999/relationships/filters", `{"data":[]}`), 404, "")
	wantStatus(t, "R4 null clears", s.api(t, "PATCH", rel, `{"data":null}`), 200, "")
	if got := filters(); got != nil {
		t.Errorf("after R4 null: filters = %v", got)
	}
}

func TestDocumentedProfileAnswers204(t *testing.T) {
	s := startSim(t, nil, WithProfile(ProfileDocumented))
	_, id := s.dial(t, "RW-Split-Router")
	for _, tc := range []struct{ method, path, body string }{
		{"PATCH", "/v1/sessions/" + id, `{"data":{"attributes":{"parameters":{"log_info":true}}}}`},
		{"POST", "/v1/sessions/" + id + "/restart", ""},
		{"POST", "/v1/sessions/restart", ""},
		{"DELETE", "/v1/sessions/" + id, ""},
	} {
		wantStatus(t, tc.method+" "+tc.path, s.api(t, tc.method, tc.path, tc.body), 204, "")
	}
	date := s.api(t, "GET", "/v1/sessions", "").header.Get("Date")
	if _, err := time.Parse(http.TimeFormat, date); err != nil {
		t.Errorf("documented Date %q: %v", date, err)
	}
	if _, err := New(config.Default(), WithProfile("nope")); err == nil {
		t.Error("unknown profile accepted")
	}
}

func TestRDNS(t *testing.T) {
	var lookups int
	resolver := func(_ context.Context, ip string) (string, error) {
		lookups++
		if ip == "127.0.0.1" {
			return "localhost", nil
		}
		return "", errors.New("no name")
	}
	s := startSim(t, nil, WithResolver(resolver))
	_, id := s.dial(t, "RW-Split-Router")
	s.dial(t, "Read-Connection-Router")
	for _, tc := range []struct{ query, want string }{
		{"", "127.0.0.1"}, {"?rdns", "127.0.0.1"}, {"?rdns=false", "127.0.0.1"}, {"?rdns=true", "localhost"}, {"?rdns=YES", "localhost"},
	} {
		one := s.api(t, "GET", "/v1/sessions/"+id+tc.query, "").json(t)["data"].(map[string]any)
		if got := attr(one, "remote"); got != tc.want {
			t.Errorf("GET one%s: remote = %v, want %s", tc.query, got, tc.want)
		}
		for _, d := range s.api(t, "GET", "/v1/sessions"+tc.query, "").json(t)["data"].([]any) {
			if got := attr(d.(map[string]any), "remote"); got != tc.want {
				t.Errorf("GET all%s: remote = %v, want %s", tc.query, got, tc.want)
			}
		}
	}
	if lookups != 4 { // one per truthy request: the collection's two sessions share an address
		t.Errorf("resolver called %d times, want 4", lookups)
	}
}

func TestReadOnlyEndpoints(t *testing.T) {
	s := startSim(t, func(c *config.Config) { c.RetainLastStatements = 3 })
	s.dial(t, "RW-Split-Router")
	for _, path := range []string{"/v1/maxscale", "/v1/services", "/v1/services/RW-Split-Router", "/v1/filters",
		"/v1/filters/my-hint-filter", "/v1/servers", "/v1/servers/server2"} {
		wantStatus(t, path, s.api(t, "GET", path, ""), 200, "-")
	}
	ms := s.api(t, "GET", "/v1/maxscale", "").json(t)["data"].(map[string]any)
	if num(t, attr(ms, "parameters", "retain_last_statements")) != 3 {
		t.Errorf("maxscale parameters = %v", attr(ms, "parameters"))
	}
	// As MaxScale's document has it: the host alone, the port a number.
	// (startSim configures the API on 127.0.0.1:0, port 0.)
	host, port := attr(ms, "parameters", "admin_host"), attr(ms, "parameters", "admin_port")
	if n, ok := port.(json.Number); host != "127.0.0.1" || !ok || n.String() != "0" {
		t.Errorf("admin_host %#v, admin_port %#v; want \"127.0.0.1\" and the number 0", host, port)
	}
	svc := s.api(t, "GET", "/v1/services/RW-Split-Router", "").json(t)["data"].(map[string]any)
	if num(t, attr(svc, "connections")) != 1 || attr(svc, "router") != "readwritesplit" {
		t.Errorf("service = %v", svc["attributes"])
	}
	tok := s.api(t, "GET", "/v1/auth", "")
	if tok.status != 200 || tok.json(t)["meta"].(map[string]any)["token"] == "" {
		t.Errorf("GET /v1/auth: %d %s", tok.status, tok.body)
	}
}

func TestReadOnlyUserCannotWrite(t *testing.T) {
	s := startSim(t, nil)
	_, id := s.dial(t, "RW-Split-Router")
	wantStatus(t, "basic GET", s.apiAs(t, "basic", "mariadb", "GET", "/v1/sessions/"+id, ""), 200, "-")
	wantStatus(t, "basic DELETE", s.apiAs(t, "basic", "mariadb", "DELETE", "/v1/sessions/"+id, ""), 401, "-")
	override := s.apiAs(t, "basic", "mariadb", "GET", "/v1/sessions/"+id, "", "X-HTTP-Method-Override", "DELETE")
	if override.status < 400 {
		t.Errorf("read-only GET with override DELETE: %d (the simulator must never reproduce this flaw)", override.status)
	}
	wantStatus(t, "session still there", s.api(t, "GET", "/v1/sessions/"+id, ""), 200, "-")
}
