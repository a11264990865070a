package report

import (
	"net/http"
	"testing"
	"time"

	"github.com/mxharness/mxharness/spec"
	"github.com/mxharness/mxharness/steps"
)

// sampleCatalog stands for the contract's deviation records, so that the
// golden files do not change when the contract's wording does.
func sampleCatalog() catalog {
	return catalog{
		"write-status-200": {ID: "write-status-200", Summary: "PATCH, POST restart and DELETE answer 200 OK with an empty body.", Documented: "204 No Content"},
		"readonly-override-writes": {ID: "readonly-override-writes", Security: true,
			Summary: "SECURITY. A read-only account sending GET with X-HTTP-Method-Override: DELETE kills a session.", Documented: "a basic account cannot DELETE"},
		"unknown-id-empty-404": {ID: "unknown-id-empty-404", Summary: "A numeric id with no session: 404 with no body.", Documented: `{"error":{...}}`},
	}
}

// sampleResult is a run as the suite reports it against MaxScale 24.02.4:
// every verdict, a security deviation, spec errors, credentials in headers
// and a response body that tries to inject markup.
func sampleResult() *steps.Result {
	started := time.Date(2026, 11, 26, 21, 4, 5, 0, time.UTC)
	auth := http.Header{"Authorization": {"Basic YWRtaW46bWFyaWFkYg=="}, "Accept": {"application/json"}}
	jsonHeader := http.Header{"Content-Type": {"application/json"}, "Date": {"Thu, 26 Nov 26 21:04:05 GMT"}}
	return &steps.Result{
		Target:   "maxscale-24.02 (embedded simulator)",
		Ledger:   "maxscale-24.02",
		Started:  started,
		Duration: 3*time.Second + 412*time.Millisecond,
		Scenarios: []steps.ScenarioResult{
			{
				Feature: "List sessions", Name: "A client connection is listed as a session",
				URI: "features/list.feature", Line: 7, Tags: []string{"@smoke"}, Verdict: steps.Conforms,
				Duration: 84 * time.Millisecond,
				Steps: []steps.StepResult{
					{Text: "Given a client connected to RW-Split-Router as maxuser", Status: "passed"},
					{Text: "When I GET /v1/sessions", Status: "passed"},
					{Text: "Then the response status is 200", Status: "passed"},
				},
				Exchanges: []steps.Exchange{{
					Method: "GET", URL: "http://127.0.0.1:8989/v1/sessions", RequestHeader: auth,
					Status: 200, ResponseHeader: jsonHeader, Duration: 2 * time.Millisecond,
					ResponseBody: `{"data":[{"id":"7","type":"sessions","attributes":{"user":"maxuser","state":"Session started"}}]}`,
				}},
			},
			{
				Feature: "List sessions", Name: "A filter on a session id",
				URI: "features/list.feature", Line: 31, Verdict: steps.Fails,
				Duration: 120 * time.Millisecond,
				Steps: []steps.StepResult{
					{Text: `When I GET /v1/sessions?filter=id=eq("7")`, Status: "passed"},
					{Text: "Then the response status is 200", Status: "failed", Error: "status = 500, want 200\nbody: <script>alert(1)</script>"},
					{Text: "And the response lists session 7", Status: "skipped"},
				},
				Exchanges: []steps.Exchange{{
					Method: "GET", URL: `http://127.0.0.1:8989/v1/sessions?filter=id=eq("7")`, RequestHeader: auth,
					Status: 500, ResponseHeader: http.Header{"Content-Type": {"text/html"}},
					ResponseBody: "<script>alert(1)</script>", Duration: time.Millisecond,
					SpecErrors: []string{`response status 500 is not in the contract for listSessions`, `response Content-Type "text/html" is not application/json`},
				}},
			},
			{
				Feature: "Alter a session", Name: "PATCH a log parameter",
				URI: "features/patch.feature", Line: 12, Verdict: steps.KnownDeviation,
				Deviations: []string{"write-status-200"}, Duration: 95 * time.Millisecond,
				Steps: []steps.StepResult{
					{Text: "Given a client connected to RW-Split-Router as maxuser", Status: "passed"},
					{Text: `When I PATCH the session with {"data":{"attributes":{"parameters":{"log_info":true}}}}`, Status: "passed"},
					{Text: "Then the response status is 204", Status: "passed", Deviation: "write-status-200"},
				},
				Exchanges: []steps.Exchange{{
					Method: "PATCH", URL: "http://127.0.0.1:8989/v1/sessions/7", RequestHeader: auth,
					RequestBody: `{"data":{"attributes":{"parameters":{"log_info":true}}}}`,
					Status:      200, ResponseHeader: http.Header{"Content-Length": {"0"}}, Duration: 3 * time.Millisecond,
				}},
			},
			{
				Feature: "Alter a session", Name: "A read-only account cannot write with a method override",
				URI: "features/patch.feature", Line: 40, Tags: []string{"@security"}, Verdict: steps.KnownDeviation,
				Deviations: []string{"readonly-override-writes"}, Duration: 70 * time.Millisecond,
				Steps: []steps.StepResult{
					{Text: "When the read-only user GETs the session with X-HTTP-Method-Override: DELETE", Status: "passed"},
					{Text: "Then the response status is 401", Status: "passed", Deviation: "readonly-override-writes"},
				},
			},
			{
				Feature: "Get a session", Name: "An unknown numeric id",
				URI: "features/get.feature", Line: 20, Verdict: steps.ChangedDeviation,
				Deviations: []string{"unknown-id-empty-404"}, Duration: 30 * time.Millisecond,
				Steps: []steps.StepResult{
					{Text: "When I GET /v1/sessions/999999", Status: "passed"},
					{Text: "Then the response status is 404", Status: "passed"},
					{Text: "And the response has an error document", Status: "passed", Deviation: "unknown-id-empty-404",
						Error: "ledger maxscale-24.02 expects unknown-id-empty-404 (404 with no body), but the target answered as documented"},
				},
			},
			{
				Feature: "Get a session", Name: "rdns on one session",
				URI: "features/get.feature", Line: 44, Tags: []string{"@rdns"}, Verdict: steps.Skipped,
				SkipReason: "the target has no read-only account",
				Steps: []steps.StepResult{
					{Keyword: "Given", Text: "a client connected to RW-Split-Router as maxuser", Line: 45, Def: "defs_client.go:14 -> steps.clientSteps.func1",
						Status: "skipped", Error: "before scenario hook failed: skipped: the target has no read-only account"},
				},
			},
		},
	}
}

// The contract's own catalog marks its security flaws; the reports rely on it.
func TestSpecCatalog(t *testing.T) {
	c := specCatalog()
	devs, err := spec.Deviations()
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != len(devs) {
		t.Fatalf("catalog has %d deviations, the contract %d", len(c), len(devs))
	}
	for _, id := range []string{"readonly-override-writes", "filter-without-id-crash"} {
		if !c.security(id) {
			t.Errorf("%s is not marked as a security flaw", id)
		}
	}
	if c.security("write-status-200") || c.summary("write-status-200") == "" {
		t.Errorf("write-status-200: security %v, summary %q; want no flaw and a summary", c.security("write-status-200"), c.summary("write-status-200"))
	}
}
