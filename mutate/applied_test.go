package mutate

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/target"
)

// A mutant counts as applied only when it changed what the server got or
// what the client got: a 204 rewritten where the server answers 200 (as
// MaxScale does), or a query parameter dropped that the request did not
// carry, is no change.
func TestAppliedCountsOnlyChangedExchanges(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/1"):
			w.Header().Set("Content-Length", "0") // MaxScale's 200 with no body
			w.WriteHeader(http.StatusOK)
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("{\n    \"data\": []\n}\n"))
		}
	}))
	defer upstream.Close()
	up, _ := url.Parse(upstream.URL)
	for _, tc := range []struct {
		mutant, method, path string
		want                 int64
	}{
		{"kill-answers-202", http.MethodDelete, "/v1/sessions/1", 0},
		{"kill-answers-202", http.MethodDelete, "/v1/sessions/2", 1},
		{"kill-answers-202", http.MethodGet, "/v1/sessions", 0},
		{"pretty-ignored", http.MethodGet, "/v1/sessions", 0},
		{"pretty-ignored", http.MethodGet, "/v1/sessions?pretty=false", 1},
	} {
		var a applied
		proxy := httptest.NewServer(watchedProxy(up, mutantNamed(t, tc.mutant), Env{User: "admin", Password: "mariadb"}, slog.New(slog.DiscardHandler), &a))
		req, _ := http.NewRequest(tc.method, proxy.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		proxy.Close()
		if got := a.n.Load(); got != tc.want {
			t.Errorf("%s, %s %s: %d exchanges changed, want %d", tc.mutant, tc.method, tc.path, got, tc.want)
		}
	}
}

// In front of a running server that never answers 204, a mutant that
// rewrites the 204 is not applicable: neither killed nor a survivor.
func TestCampaignAgainstAServerWithoutTheBehaviour(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite twice")
	}
	tgt, stop, err := target.InProcess(t.Context(), observed)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	rep, err := Run(t.Context(), Campaign{Target: tgt, Ledger: observed, Mutants: []Mutant{mutantNamed(t, "kill-answers-202")}, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	o := rep.Outcomes[0]
	if !o.NotApplicable || o.Killed || o.Changed != 0 || len(rep.Survivors()) != 0 || len(rep.Applicable()) != 0 {
		t.Errorf("kill-answers-202 against the %s profile: %+v, survivors %d", observed, o, len(rep.Survivors()))
	}
}

// A ledger leaves a mutant out when it records the deviation the mutant
// reproduces, or one under which what it breaks does not exist.
func TestLeftOutBy(t *testing.T) {
	for _, tc := range []struct{ mutant, ledger, want string }{
		{"filter-ne-as-eq", "maxscale-23.08", "filter-expressions-ignored"},
		{"filter-ne-as-eq", "maxscale-24.02", ""},
		{"jsonpath-first-filter-only", "maxscale-23.08", "jsonpath-filter-ignored"},
		{"unknown-id-empty-404", "maxscale-24.02", "unknown-id-empty-404"},
		{"unknown-id-empty-404", "maxscale-23.08", ""},
		{"rdns-ignored", "maxscale-24.02", ""},
	} {
		if got := mutantNamed(t, tc.mutant).LeftOutBy(tc.ledger); got != tc.want {
			t.Errorf("%s under %s: left out by %q, want %q", tc.mutant, tc.ledger, got, tc.want)
		}
	}
}
