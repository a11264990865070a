package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/seed"
	"github.com/mxharness/mxharness/spec"
)

// TestAuthMatrix sends every kind of credentials with every verb of a
// session through the real handler, in both profiles, and validates each
// response against the contract (in the MaxScale profile a departure must
// be a recorded deviation the profile reproduces).
func TestAuthMatrix(t *testing.T) {
	for _, prof := range []struct {
		name  string
		write int // status of a successful write
	}{{ProfileMaxScale, 200}, {ProfileDocumented, 204}} {
		t.Run(prof.name, func(t *testing.T) {
			srv, err := New(config.Default(), WithProfile(prof.name))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			if err := seed.Apply(srv.Registry(), "demo"); err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.Handler())
			t.Cleanup(ts.Close)
			token := adminToken(t, ts.URL)
			type cred func(*http.Request)
			basic := func(u, p string) cred { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
			override := func(u string) cred {
				return func(r *http.Request) {
					r.SetBasicAuth(u, "mariadb")
					r.Header.Set("X-HTTP-Method-Override", r.Method)
					r.Method = http.MethodGet
				}
			}
			creds := []struct {
				name   string
				set    cred
				reads  int // status of GET
				writes int // status of PATCH, POST, DELETE
			}{
				{"no credentials", func(*http.Request) {}, 401, 401},
				{"wrong password", basic("admin", "wrong"), 401, 401},
				{"basic admin", basic("admin", "mariadb"), 200, prof.write},
				{"basic read-only", basic("basic", "mariadb"), 200, 401},
				{"bearer admin", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }, 200, prof.write},
				{"bearer invalid", func(r *http.Request) { r.Header.Set("Authorization", "Bearer x.y.z") }, 401, 401},
				{"cookie admin", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "token_sig", Value: token}) }, 200, prof.write},
				{"override admin", override("admin"), 200, prof.write},
				// MaxScale lets this write (readonly-override-writes); the simulator never does.
				{"override read-only", override("basic"), 200, 403},
			}
			verbs := []struct{ method, path, body string }{
				{"GET", "/v1/sessions/1", ""},
				{"PATCH", "/v1/sessions/1", `{"data":{"attributes":{"parameters":{"log_info":true}}}}`},
				{"POST", "/v1/sessions/1/restart", ""},
				{"DELETE", "/v1/sessions/1?ttl=100000", ""},
			}
			for _, c := range creds {
				for _, v := range verbs {
					t.Run(c.name+"/"+v.method, func(t *testing.T) {
						req, err := http.NewRequestWithContext(t.Context(), v.method, ts.URL+v.path, strings.NewReader(v.body))
						if err != nil {
							t.Fatal(err)
						}
						if v.body != "" {
							req.Header.Set("Content-Type", "application/json")
						}
						c.set(req)
						status, header, body := roundTrip(t, req)
						want := c.writes
						if v.method == http.MethodGet {
							want = c.reads
						}
						if status != want {
							t.Errorf("status = %d, want %d\n%s", status, want, body)
						}
						validateAs(t, prof.name, req, status, header, body)
					})
				}
			}
		})
	}
}

func adminToken(t *testing.T, base string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/v1/auth", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", "mariadb")
	status, _, body := roundTrip(t, req)
	var doc struct {
		Meta struct{ Token string } `json:"meta"`
	}
	if err := json.Unmarshal(body, &doc); status != http.StatusOK || err != nil || doc.Meta.Token == "" {
		t.Fatalf("GET /v1/auth: %d %s (%v)", status, body, err)
	}
	return doc.Meta.Token
}

func roundTrip(t *testing.T, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, body
}

// validateAs checks a response against the contract: the profile may
// depart from it only by deviations it reproduces (checkContract).
func validateAs(t *testing.T, profile string, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if _, err := spec.FindOperation(req); err != nil {
		t.Fatalf("the contract does not route %s %s: %v", req.Method, req.URL, err)
	}
	prof, err := loadProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	checkContract(t, prof, req, status, header, body)
}
