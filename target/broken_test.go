package target_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/steps"
	"github.com/mxharness/mxharness/target"
)

// The suite must be able to fail: each variant below breaks one documented
// behaviour of the simulator with middleware in front of its REST API, and
// the named scenario, which passes against the unbroken simulator, must then
// fail. The simulator runs in its maxscale-24.02 profile, judged with the
// 24.02 ledger: a break must show as a failure, not pass as a known
// deviation. Only the tags that concern the variant run, so the whole test
// takes seconds.
func TestBrokenSimulatorsAreCaught(t *testing.T) {
	baseline := verdicts(t, "")
	sessionPath := regexp.MustCompile(`^(/v1)?/sessions/[0-9]+/?$`)
	trailingSlash := regexp.MustCompile(`/"`)
	for _, tc := range []struct {
		name       string
		tags       string
		middleware func(http.Handler) http.Handler
		caughtBy   string // a scenario that must fail
	}{
		{
			name: "PATCH ignored", tags: "@update",
			middleware: when(func(r *http.Request) bool { return r.Method == http.MethodPatch }, answer(http.StatusNoContent)),
			caughtBy:   "A log level can be switched on for one session: log_info",
		},
		{
			name: "ttl ignored", tags: "@kill",
			middleware: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					q := r.URL.Query()
					q.Del("ttl")
					r.URL.RawQuery = q.Encode()
					next.ServeHTTP(w, r)
				})
			},
			caughtBy: "With a ttl the session is killed after the given time",
		},
		{
			name: "a session attribute dropped", tags: "@get",
			middleware: rewriteJSON(func(doc map[string]any) {
				if d, ok := doc["data"].(map[string]any); ok {
					delete(d["attributes"].(map[string]any), "user")
				}
			}),
			caughtBy: "A session shows who is connected, from where and since when",
		},
		{
			name: "links without trailing slashes", tags: "@get",
			middleware: rewriteBody(func(b []byte) []byte {
				return trailingSlash.ReplaceAll(b, []byte(`"`))
			}),
			caughtBy: "A session links to itself and to the service it was created on",
		},
		{
			name: "a wrong status", tags: "@get",
			middleware: rewriteStatus(func(r *http.Request, status int) int {
				if r.Method == http.MethodGet && status == http.StatusOK && sessionPath.MatchString(r.URL.Path) {
					return http.StatusAccepted
				}
				return status
			}),
			caughtBy: "The session ID is the connection ID the client received",
		},
		{
			name: "auth not enforced", tags: "@auth && ~@jwt",
			middleware: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					r.SetBasicAuth("admin", "mariadb")
					next.ServeHTTP(w, r)
				})
			},
			caughtBy: "A request without valid credentials is refused: no credentials, all sessions",
		},
		{
			name: "fields ignored", tags: "@fields",
			middleware: dropQuery("fields["),
			caughtBy:   "fields[sessions] returns only the listed attributes",
		},
		{
			name: "filter ignored", tags: "@filter",
			middleware: dropQuery("filter"),
			caughtBy:   "A JSON value selects the sessions whose value is equal",
		},
		{
			name: "read-only account may write", tags: "@security",
			middleware: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if u, _, ok := r.BasicAuth(); ok && u == "basic" {
						r.SetBasicAuth("admin", "mariadb")
					}
					next.ServeHTTP(w, r)
				})
			},
			caughtBy: "A read-only account cannot change a session",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if v := baseline[tc.caughtBy]; v != steps.Conforms && v != steps.KnownDeviation {
				t.Fatalf("scenario %q is %q against the unbroken simulator: it cannot show the break", tc.caughtBy, v)
			}
			tgt, stop, err := target.InProcess(t.Context(), profile, target.WithMiddleware(tc.middleware))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(stop)
			res, err := steps.Run(t.Context(), tgt, steps.Options{Tags: tc.tags, Ledger: ledger, Concurrency: 8})
			if err != nil {
				t.Fatal(err)
			}
			var caught []string
			found := false
			for _, sc := range res.Scenarios {
				if sc.Verdict == steps.Fails {
					caught = append(caught, sc.Name)
				}
				if sc.Name == tc.caughtBy {
					found = true
					if sc.Verdict != steps.Fails {
						t.Errorf("scenario %q: %s, want fails", sc.Name, sc.Verdict)
					}
				}
			}
			if !found {
				t.Errorf("scenario %q did not run with tags %q", tc.caughtBy, tc.tags)
			}
			t.Logf("%s: caught by %d of %d scenarios: %s", tc.name, len(caught), len(res.Scenarios), strings.Join(caught, "; "))
		})
	}
}

// The profile and ledger the variants are built on.
const profile, ledger = "maxscale-24.02", "maxscale-24.02"

// verdicts runs the scenarios with tags against the unbroken simulator and
// returns each scenario's verdict by name.
func verdicts(t *testing.T, tags string) map[string]steps.Verdict {
	t.Helper()
	tgt, stop, err := target.InProcess(t.Context(), profile)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	res, err := steps.Run(t.Context(), tgt, steps.Options{Tags: tags, Ledger: ledger, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]steps.Verdict{}
	for _, sc := range res.Scenarios {
		out[sc.Name] = sc.Verdict
	}
	return out
}

// when sends requests that match to h instead of the simulator.
func when(match func(*http.Request) bool, h http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if match(r) {
				h.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// answer replies with status and no body.
func answer(status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) })
}

// dropQuery removes every query parameter whose key starts with prefix.
func dropQuery(prefix string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			for k := range q {
				if strings.HasPrefix(k, prefix) {
					q.Del(k)
				}
			}
			r.URL.RawQuery = q.Encode()
			next.ServeHTTP(w, r)
		})
	}
}

// rewrite runs the simulator into a recorder and lets edit change the
// status and body before they are sent.
func rewrite(edit func(r *http.Request, status int, body []byte) (int, []byte)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			status, body := edit(r, rec.Code, rec.Body.Bytes())
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			_, _ = w.Write(body)
		})
	}
}

func rewriteStatus(edit func(r *http.Request, status int) int) func(http.Handler) http.Handler {
	return rewrite(func(r *http.Request, status int, body []byte) (int, []byte) { return edit(r, status), body })
}

func rewriteBody(edit func([]byte) []byte) func(http.Handler) http.Handler {
	return rewrite(func(_ *http.Request, status int, body []byte) (int, []byte) { return status, edit(body) })
}

// rewriteJSON edits JSON object bodies, keeping integers as they were.
func rewriteJSON(edit func(map[string]any)) func(http.Handler) http.Handler {
	return rewriteBody(func(b []byte) []byte {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return b
		}
		edit(doc)
		out, err := json.MarshalIndent(doc, "", "    ")
		if err != nil {
			return b
		}
		return out
	})
}
