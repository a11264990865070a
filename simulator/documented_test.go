package simulator

import (
	"net/http"
	"testing"
)

// TestDocumentedProfile checks what the documented profile does where
// MaxScale 24.02.4 departs from its documentation.
func TestDocumentedProfile(t *testing.T) {
	s := startSim(t, nil, WithProfile(ProfileDocumented))
	_, a := s.dial(t, "RW-Split-Router")
	_, b := s.dial(t, "RW-Split-Router")
	get := s.api(t, "GET", "/v1/sessions/"+a, "")
	if got := get.header.Get("Allow"); got != "GET, DELETE, PATCH" {
		t.Errorf("Allow = %q", got)
	}
	if got := get.header.Get("Accept-Patch"); got != "application/json-patch" {
		t.Errorf("Accept-Patch = %q", got)
	}
	if _, ok := attr(get.json(t)["data"].(map[string]any), "parameters").(map[string]any)["log_debug"]; !ok {
		t.Error("no parameters.log_debug")
	}
	if again := s.api(t, "GET", "/v1/sessions/"+a, ""); again.header.Get("ETag") != get.header.Get("ETag") {
		t.Error("ETag changed without a modification")
	}
	wantStatus(t, "If-None-Match current", s.api(t, "GET", "/v1/sessions/"+a, "", "If-None-Match", get.header.Get("ETag")), http.StatusNotModified, "")
	wantStatus(t, "If-Match current", s.api(t, "PATCH", "/v1/sessions/"+a, `{"data":{"attributes":{"parameters":{"log_debug":true}}}}`,
		"If-Match", get.header.Get("ETag")), http.StatusNoContent, "")
	if s.api(t, "GET", "/v1/sessions/"+a, "").header.Get("ETag") == get.header.Get("ETag") {
		t.Error("ETag unchanged after a modification")
	}
	wantStatus(t, "documented filter shape", s.api(t, "PATCH", "/v1/sessions/"+a,
		`{"data":{"attributes":{"relationships":{"filters":{"data":[{"id":"my-hint-filter"}]}}}}}`), http.StatusNoContent, "")
	if _, ok := s.session(t, a)["relationships"].(map[string]any)["filters"]; !ok {
		t.Error("the documented filter shape was ignored")
	}
	for _, tc := range []struct{ query, want string }{
		{"filter=id=and(ge(" + a + "),le(" + a + "))", a},
		{"filter=id=or(eq(" + b + "))", b},
		{"page[size]=1x", "all"},
	} {
		data := s.api(t, "GET", "/v1/sessions?"+tc.query, "").json(t)["data"].([]any)
		if tc.want == "all" && len(data) != 2 || tc.want != "all" && (len(data) != 1 || data[0].(map[string]any)["id"] != tc.want) {
			t.Errorf("?%s: %d rows %v", tc.query, len(data), data)
		}
	}
	r := s.apiAs(t, "admin", "mariadb", "PATCH", "/v1/sessions/"+a, "", "Content-Type", "text/plain")
	wantStatus(t, "PATCH without body", r, http.StatusBadRequest, "-")
	unauth := s.apiAs(t, "", "", "GET", "/v1/sessions", "")
	if unauth.status != http.StatusUnauthorized || unauth.header.Get("Content-Type") != "application/json" {
		t.Errorf("401: %d, Content-Type %q", unauth.status, unauth.header.Get("Content-Type"))
	}
}
