package simulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/spec"
)

func TestCORS(t *testing.T) {
	on := startSim(t, nil, WithCORS("http://localhost:3000"))
	any := startSim(t, nil, WithCORS("*"))
	off := startSim(t, nil)
	preflight := []string{"Origin", "http://localhost:3000", "Access-Control-Request-Method", "PATCH",
		"Access-Control-Request-Headers", "authorization,content-type"}
	for _, tc := range []struct {
		name         string
		s            *sim
		user, method string
		path         string
		header       []string
		status       int
		allowOrigin  string // "" : no CORS headers at all
		allowMethods string
	}{
		{"preflight without auth", on, "", "OPTIONS", "/v1/sessions/1", preflight, 200, "http://localhost:3000", "PATCH"},
		{"preflight, any origin", any, "", "OPTIONS", "/v1/sessions", preflight, 200, "*", "PATCH"},
		{"OPTIONS without Origin needs auth", on, "", "OPTIONS", "/v1/sessions", nil, 401, "", ""},
		{"CORS off: OPTIONS with Origin needs auth", off, "", "OPTIONS", "/v1/sessions", preflight, 401, "", ""},
		{"GET with Origin", on, "admin", "GET", "/v1/sessions", []string{"Origin", "http://localhost:3000"}, 200, "http://localhost:3000", ""},
		{"GET without Origin", on, "admin", "GET", "/v1/sessions", nil, 200, "", ""},
		{"404 with Origin", on, "admin", "GET", "/v1/sessions/999999", []string{"Origin", "http://localhost:3000"}, 404, "http://localhost:3000", ""},
		// A simulator choice (MaxScale sends none): the browser can read the 401.
		{"401 with Origin", on, "", "GET", "/v1/sessions", []string{"Origin", "http://localhost:3000"}, 401, "http://localhost:3000", ""},
		{"CORS off: GET with Origin", off, "admin", "GET", "/v1/sessions", []string{"Origin", "http://localhost:3000"}, 200, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.s.apiAs(t, tc.user, "mariadb", tc.method, tc.path, "", tc.header...)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d\n%s", r.status, tc.status, r.body)
			}
			h := r.header
			if got := h.Get("Access-Control-Allow-Origin"); got != tc.allowOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tc.allowOrigin)
			}
			if got := h.Get("Access-Control-Allow-Methods"); got != tc.allowMethods {
				t.Errorf("Access-Control-Allow-Methods = %q, want %q", got, tc.allowMethods)
			}
			if tc.allowOrigin == "" {
				return
			}
			if h.Get("Access-Control-Allow-Credentials") != "true" || h.Get("Vary") != "Origin" {
				t.Errorf("credentials/vary headers = %q/%q", h.Get("Access-Control-Allow-Credentials"), h.Get("Vary"))
			}
			if tc.method == "OPTIONS" && (len(r.body) != 0 || h.Get("Access-Control-Allow-Headers") != "authorization,content-type") {
				t.Errorf("preflight: body %q, Allow-Headers %q", r.body, h.Get("Access-Control-Allow-Headers"))
			}
		})
	}
}

func TestContractServedWithoutAuth(t *testing.T) {
	withControl := startSim(t, nil, WithControlAPI())
	plain := startSim(t, nil)
	sessionsJSON, err := spec.JSON()
	if err != nil {
		t.Fatal(err)
	}
	controlJSON, err := spec.ControlJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		s           *sim
		path        string
		status      int
		contentType string
		body        []byte
	}{
		{plain, "/openapi.yaml", 200, "application/yaml", spec.YAML()},
		{plain, "/openapi.json", 200, "application/json", sessionsJSON},
		{plain, "/sim/v1/openapi.yaml", 401, "", nil}, // no control API: MaxScale's answer
		{withControl, "/openapi.json", 200, "application/json", sessionsJSON},
		{withControl, "/sim/v1/openapi.yaml", 200, "application/yaml", spec.ControlYAML()},
		{withControl, "/sim/v1/openapi.json", 200, "application/json", controlJSON},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := tc.s.apiAs(t, "", "", "GET", tc.path, "")
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d", r.status, tc.status)
			}
			if tc.body == nil {
				return
			}
			if got := r.header.Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tc.contentType)
			}
			if string(r.body) != string(tc.body) {
				t.Errorf("body is not the contract (%d bytes, want %d)", len(r.body), len(tc.body))
			}
		})
	}
}

func TestStrictRequests(t *testing.T) {
	strict := startSim(t, nil, WithStrictRequests())
	lax := startSim(t, nil)
	_, strictID := strict.dial(t, "RW-Split-Router")
	_, laxID := lax.dial(t, "RW-Split-Router")
	yes := `{"data":{"attributes":{"parameters":{"log_info":"yes"}}}}`
	for _, tc := range []struct {
		name         string
		s            *sim
		method, path string
		body         string
		status       int
		detail       string // substring of the error detail; "" : no error body expected
	}{
		{"strict: string for a boolean", strict, "PATCH", "/v1/sessions/" + strictID, yes, 400, "/data/attributes/parameters/log_info"},
		{"lax: string for a boolean", lax, "PATCH", "/v1/sessions/" + laxID, yes, 200, ""},
		{"strict: valid PATCH", strict, "PATCH", "/v1/sessions/" + strictID, `{"data":{"attributes":{"parameters":{"log_info":true}}}}`, 200, ""},
		{"strict: unknown query parameter value", strict, "GET", "/v1/sessions?page[size]=x", "", 400, "page[size]"},
		{"strict: unrouted keeps MaxScale's 404", strict, "GET", "/v1/nothing", "", 404, ""},
		{"strict: valid GET", strict, "GET", "/v1/sessions/" + strictID, "", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.s.api(t, tc.method, tc.path, tc.body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d\n%s", r.status, tc.status, r.body)
			}
			if tc.detail != "" && !strings.Contains(string(r.body), tc.detail) {
				t.Errorf("body %s does not name %q", r.body, tc.detail)
			}
			if tc.status == http.StatusBadRequest && !strings.Contains(string(r.body), "departs from the contract") {
				t.Errorf("body %s does not say it is the strict check", r.body)
			}
		})
	}
}
