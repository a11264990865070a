package simulator

import "testing"

// TestContentTypeOfWrites: the documented profile refuses a write whose
// body is not application/json with 415 (a documented status of every
// write operation); MaxScale never checks (content-type-not-checked).
func TestContentTypeOfWrites(t *testing.T) {
	for _, prof := range []struct {
		name   string
		status int
	}{{ProfileDocumented, 415}, {ProfileMaxScale, 200}} {
		t.Run(prof.name, func(t *testing.T) {
			s := startSim(t, nil, WithProfile(prof.name))
			_, id := s.dial(t, "RW-Split-Router")
			for _, tc := range []struct{ method, path, body string }{
				{"PATCH", "/v1/sessions/" + id, `{"data":{"attributes":{"parameters":{"log_info":true}}}}`},
				{"PATCH", "/v1/sessions/" + id + "/relationships/filters", `{"data":[]}`},
				{"POST", "/v1/sessions/" + id + "/restart", `{}`},
				{"POST", "/v1/sessions/restart", `{}`},
				{"DELETE", "/v1/sessions/" + id + "?ttl=100", `{}`},
			} {
				r := s.api(t, tc.method, tc.path, tc.body, "Content-Type", "text/plain")
				wantStatus(t, tc.method+" "+tc.path, r, prof.status, "-")
				if prof.status == 415 && string(r.body) != errorBody("Content-Type must be application/json") {
					t.Errorf("%s %s: body %q", tc.method, tc.path, r.body)
				}
			}
		})
	}
}
