package spec

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The operationIds every part of mxharness relies on (the brief's list).
var wantOperations = []string{
	"clearServerState", "createFilter", "createInetUser", "createListener", "createMonitor",
	"createServer", "createService", "deleteFilter", "deleteInetUser", "deleteListener",
	"deleteMonitor", "deleteServer", "deleteService", "deleteSession", "getAuth", "getFilter",
	"getInetUser", "getListener", "getLogData", "getLogs", "getMaxScale", "getModule", "getMonitor",
	"getServer", "getService", "getSession", "getThread", "listFilters", "listInetUsers",
	"listListeners", "listLogEntries", "listModules", "listMonitors", "listServers", "listServices",
	"listSessions", "listThreads", "listUsers", "restartAllSessions", "restartSession",
	"setServerState", "startListener", "startMonitor", "startService", "stopListener", "stopMonitor",
	"stopService", "updateFilter", "updateInetUser", "updateListener", "updateMaxScale",
	"updateMonitor", "updateMonitorRelationships", "updateServer", "updateServerRelationships",
	"updateService", "updateServiceRelationships", "updateSession", "updateSessionFilters",
}

func TestLoad(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := Load(); err != nil || again != doc {
		t.Errorf("Load is not loaded once: %p, %p, %v", doc, again, err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/v1" {
		t.Errorf("servers = %v, want the one relative URL /v1", doc.Servers)
	}
	if got := OperationIDs(); !slices.Equal(got, wantOperations) {
		t.Errorf("OperationIDs() = %v, want %v", got, wantOperations)
	}
	if len(YAML()) == 0 {
		t.Error("YAML() is empty")
	}
	js, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil || m["openapi"] != "3.0.3" {
		t.Errorf("JSON() is not the contract as JSON: %v, openapi=%v", err, m["openapi"])
	}
}

// TestExamplesMatchSchemas validates every example of every request and
// response body against its media type's schema (Load does too; this says
// which example and how many there are).
func TestExamplesMatchSchemas(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	check := func(where string, mt *openapi3.MediaType, asRequest bool) {
		for name, ex := range mt.Examples {
			opt := openapi3.VisitAsResponse()
			if asRequest {
				opt = openapi3.VisitAsRequest()
			}
			if err := mt.Schema.Value.VisitJSON(ex.Value.Value, openapi3.MultiErrors(), opt); err != nil {
				t.Errorf("%s example %s: %v", where, name, err)
			}
			n++
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody != nil {
				for ct, mt := range op.RequestBody.Value.Content {
					check(method+" "+path+" request "+ct, mt, true)
				}
			}
			for status, resp := range op.Responses.Map() {
				for ct, mt := range resp.Value.Content {
					check(method+" "+path+" "+status+" "+ct, mt, false)
				}
			}
		}
	}
	if n < 30 {
		t.Errorf("validated %d examples, want at least 30", n)
	}
}

// canonicalDeviations are the ids the team agreed on; the contract must
// record each of them.
var canonicalDeviations = []string{
	"write-status-200", "unknown-id-empty-404", "error-document-shape",
	"patch-documented-filter-shape-ignored", "no-log-debug", "filter-relationship-deferred-while-busy",
	"restart-deferred-to-next-query", "id-is-string-in-filters", "jsonpath-filter-on-single-400",
	"options-accept-not-allow", "no-accept-patch", "date-two-digit-year", "etag-changes-on-every-get",
	"if-match-applies-then-412", "if-none-match-drops-fields-and-etag", "if-modified-since-ignores-content",
	"known-method-404-not-405", "override-lowercase-405", "token-401-no-www-authenticate",
	"xhr-401-no-www-authenticate", "content-type-not-checked", "readonly-override-writes",
	"filter-without-id-crash",
}

func TestDeviations(t *testing.T) {
	devs, err := Deviations()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Deviation{}
	for _, d := range devs {
		byID[d.ID] = d
		for _, v := range d.Versions {
			if !release.MatchString(v) {
				t.Errorf("%s: version %q is not MAJOR.MINOR.PATCH", d.ID, v)
			}
		}
		for _, op := range d.Operations {
			if !slices.Contains(wantOperations, op) {
				t.Errorf("%s: unknown operation %q", d.ID, op)
			}
		}
	}
	for _, id := range canonicalDeviations {
		d, ok := byID[id]
		switch {
		case !ok:
			t.Errorf("canonical deviation %s is not recorded", id)
		case !slices.Contains(d.Versions, "24.02.4"):
			t.Errorf("%s: versions %v lack 24.02.4", d.ID, d.Versions)
		}
	}
	var security []string
	for _, d := range devs {
		if d.Security {
			security = append(security, d.ID)
		}
	}
	if want := []string{"filter-without-id-crash", "readonly-override-writes", "session-lookup-crash"}; !slices.Equal(security, want) {
		t.Errorf("security deviations = %v, want %v", security, want)
	}
	w := byID["write-status-200"]
	if w.Status != 200 || !w.EmptyBody || !slices.Contains(w.Operations, "updateSessionFilters") {
		t.Errorf("write-status-200 = %+v, want status 200, empty body, updateSessionFilters among its operations", w)
	}
}

var release = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

const staticAccessDenied = `{"errors": [ { "detail": "Access denied" } ] }`

func TestMatchDeviation(t *testing.T) {
	tests := []struct {
		op     string
		status int
		body   string
		want   string // "" for no match
	}{
		{"updateSession", 200, "", "write-status-200"},
		{"deleteSession", 200, "", "write-status-200"},
		{"restartAllSessions", 200, "", "write-status-200"},
		{"updateSession", 200, `{"data":{}}`, ""},
		{"getSession", 200, "", ""},
		{"getSession", 404, "", "unknown-id-empty-404"},
		{"listSessions", 404, "", ""},
		{"getSession", 400, "", "jsonpath-filter-on-single-400"},
		{"listSessions", 400, "", ""},
		{"updateSessionFilters", 400, "", "filter-relationship-error-empty-400"},
		{"listSessions", 401, staticAccessDenied, "static-error-no-content-type"},
		{"listSessions", 401, "{\n    \"errors\": []\n}", ""},
		{"", 404, "", "known-method-404-not-405"},
		{"", 405, "", "override-lowercase-405"},
		{"", 200, "", ""},
	}
	devs, err := Deviations()
	if err != nil {
		t.Fatal(err)
	}
	recordedFor := func(version string) func(string) bool {
		return func(id string) bool {
			i := slices.IndexFunc(devs, func(d Deviation) bool { return d.ID == id })
			return i >= 0 && slices.Contains(devs[i].Versions, version)
		}
	}
	problem := []Problem{{Rule: "status", Message: "not a documented status of this operation"}}
	for _, tc := range tests {
		ids, ok := ExplainProblems(tc.op, tc.status, []byte(tc.body), problem, recordedFor("24.02.4"))
		if got := map[bool]string{true: strings.Join(ids, ",")}[ok]; got != tc.want {
			t.Errorf("ExplainProblems(%q, %d, %q) for 24.02.4 = %q, want %q", tc.op, tc.status, tc.body, got, tc.want)
		}
		if _, matched := MatchDeviation(tc.op, tc.status, []byte(tc.body)); matched != (tc.want != "") {
			t.Errorf("MatchDeviation(%q, %d, %q) matched = %v, want %v", tc.op, tc.status, tc.body, matched, tc.want != "")
		}
	}
	// One response, two recorded causes: the preference picks the one of
	// the release (a run's ledger, a simulator's profile).
	for version, want := range map[string]string{"24.02.4": "unknown-id-empty-404", "23.08.6": "not-found-error-throttled"} {
		if ids, _ := ExplainProblems("restartSession", 404, nil, problem, recordedFor(version)); !slices.Equal(ids, []string{want}) {
			t.Errorf("ExplainProblems(restartSession, 404, empty) for %s = %v, want [%s]", version, ids, want)
		}
	}
}

func TestLint(t *testing.T) {
	if err := Lint(YAML()); err != nil {
		t.Fatalf("Lint(sessions.yaml): %v", err)
	}
	if err := Lint(ControlYAML()); err != nil {
		t.Fatalf("Lint(control.yaml): %v", err)
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"not YAML", "openapi: 3.0.3", "openapi: [", "yaml: not YAML"},
		{"example breaks its schema", `"id": "115",`, `"id": 115,`, "example"},
		{"id not kebab-case", "- id: write-status-200", "- id: Write_Status_200", "kebab-case"},
		{"id twice", "- id: no-accept-patch", "- id: write-status-200", "recorded twice"},
		{"unknown operation", "operations: [updateSession, updateSessionFilters, restartSession, restartAllSessions, deleteSession]\n    cases: [\"096\"", "operations: [nosuchOp]\n    cases: [\"096\"", "unknown operation"},
		{"status without body rule", "    status: 404\n    emptyBody: true\n  - id: error-document-shape", "    status: 404\n  - id: error-document-shape", "emptyBody or bodyPattern"},
		{"unknown field", "    documented: 204 No Content\n", "    documentd: 204 No Content\n", "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := string(YAML())
			if !strings.Contains(src, tc.old) {
				t.Fatalf("the contract no longer contains %q", tc.old)
			}
			err := Lint([]byte(strings.Replace(src, tc.old, tc.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Lint = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}
