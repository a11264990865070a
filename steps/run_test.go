package steps

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A small suite against an httptest server shows each verdict the ledger can
// give. The server is real HTTP; the scenarios use no SQL client.
const machineryFeature = `Feature: machinery

  Scenario: conforming
    When I send GET "/v1/ok"
    Then the response status is 200
    And the value at "/data/id" is "7"
    And the value at "/data/n" is an integer
    And the value at "/data/r" is a real

  Scenario: deviating
    When I send GET "/v1/ok"
    Then the response status is 204

  Scenario: fixed
    When I send GET "/v1/nocontent"
    Then the response status is 204

  Scenario: changed
    When I send GET "/v1/teapot"
    Then the response status is 204

  Scenario: failing
    When I send GET "/v1/ok"
    Then the response status is 201

  @readonly
  Scenario: needs a read-only account
    Given I use the read-only account
    When I send GET "/v1/ok"
`

const machineryLedger = `describes: test
deviations:
  - id: ok-not-no-content
    summary: answers 200 where 204 is documented
    scenarios: ['^(deviating|fixed|changed)$']
    steps:
      - documented: '^the response status is 204$'
        observed:
          - the response status is 200
  - id: optional-one
    summary: never seen
    optional: true
`

func machineryServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/ok":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"data": {"id": "7", "n": 1, "r": 1.0}}`))
		case "/v1/nocontent":
			w.WriteHeader(http.StatusNoContent)
		case "/v1/teapot":
			w.WriteHeader(http.StatusTeapot)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func writeFeatures(t *testing.T, feature, ledger string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "deviations"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "m.feature"), []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "deviations", "test.yaml"), []byte(ledger), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunVerdicts(t *testing.T) {
	ts := machineryServer(t)
	dir := writeFeatures(t, machineryFeature, machineryLedger)
	target := Target{Name: "httptest", APIURL: ts.URL, SQLAddrs: map[string]string{"RW-Split-Router": "127.0.0.1:1"}}
	res, err := Run(t.Context(), target, Options{Paths: []string{dir}, Ledger: "test", Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Verdict{
		"conforming":                Conforms,
		"deviating":                 KnownDeviation,
		"fixed":                     ChangedDeviation,
		"changed":                   ChangedDeviation,
		"failing":                   Fails,
		"needs a read-only account": Skipped,
	}
	if len(res.Scenarios) != len(want) {
		t.Fatalf("got %d scenarios, want %d", len(res.Scenarios), len(want))
	}
	for _, sc := range res.Scenarios {
		if sc.Verdict != want[sc.Name] {
			t.Errorf("%s: verdict %q, want %q; steps %+v", sc.Name, sc.Verdict, want[sc.Name], sc.Steps)
		}
		if sc.URI == "" || sc.Line == 0 || sc.Feature != "machinery" {
			t.Errorf("%s: uri %q line %d feature %q", sc.Name, sc.URI, sc.Line, sc.Feature)
		}
	}
	dev := res.Scenarios[1]
	if dev.Name != "deviating" || len(dev.Deviations) != 1 || dev.Deviations[0] != "ok-not-no-content" || dev.Steps[1].Deviation != "ok-not-no-content" {
		t.Errorf("deviating: deviations %v, steps %+v", dev.Deviations, dev.Steps)
	}
	if len(dev.Exchanges) != 1 || dev.Exchanges[0].Status != 200 || !strings.Contains(dev.Exchanges[0].ResponseBody, `"7"`) {
		t.Errorf("deviating: exchanges %+v", dev.Exchanges)
	}
	if !res.Failed() {
		t.Error("Failed() = false with a failing scenario")
	}
	if c := res.Count(); c[Fails] != 1 || c[ChangedDeviation] != 2 || c[Conforms] != 1 {
		t.Errorf("Count() = %v", c)
	}
	l, err := LoadLedger(os.DirFS(dir), "test")
	if err != nil {
		t.Fatal(err)
	}
	if u := l.Unseen(res); len(u) != 0 {
		t.Errorf("Unseen = %v, want none (the optional entry need not show)", u)
	}
}

func TestRunWithoutLedgerJudgesByTheDocumentation(t *testing.T) {
	ts := machineryServer(t)
	dir := writeFeatures(t, machineryFeature, machineryLedger)
	target := Target{APIURL: ts.URL, SQLAddrs: map[string]string{"RW-Split-Router": "127.0.0.1:1"}}
	res, err := Run(context.Background(), target, Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Count(); c[Fails] != 3 || c[Conforms] != 2 || c[Skipped] != 1 {
		t.Errorf("Count() = %v, want 3 fails (deviating, changed, failing), 2 conforming (conforming, fixed), 1 skipped", c)
	}
}

func TestRunRejectsAnIncompleteTarget(t *testing.T) {
	if _, err := Run(t.Context(), Target{APIURL: "http://127.0.0.1:1"}, Options{}); err == nil {
		t.Fatal("Run without a RW-Split-Router address: no error")
	}
}

func TestRunReportsProgress(t *testing.T) {
	ts := machineryServer(t)
	dir := writeFeatures(t, machineryFeature, machineryLedger)
	target := Target{APIURL: ts.URL, SQLAddrs: map[string]string{"RW-Split-Router": "127.0.0.1:1"}}
	var calls [][2]int // one at a time, as Options.Progress promises: no lock
	res, err := Run(t.Context(), target, Options{Paths: []string{dir}, Tags: "~@readonly", Concurrency: 3,
		Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	const total = 5 // six scenarios, one tagged @readonly
	if len(res.Scenarios) != total || len(calls) != total+1 {
		t.Fatalf("%d scenarios run, progress calls %v; want %d scenarios and a call before and after each", len(res.Scenarios), calls, total)
	}
	for i, c := range calls {
		if c != [2]int{i, total} {
			t.Errorf("progress call %d: %v, want [%d %d]", i, c, i, total)
		}
	}
}

// TestRunStopsWhenInterrupted cancels the run once the first scenario has
// finished: the others must be skipped, not run, and Run must say so.
func TestRunStopsWhenInterrupted(t *testing.T) {
	ts := machineryServer(t)
	dir := writeFeatures(t, machineryFeature, machineryLedger)
	target := Target{APIURL: ts.URL, SQLAddrs: map[string]string{"RW-Split-Router": "127.0.0.1:1"}}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	res, err := Run(ctx, target, Options{Paths: []string{dir}, Concurrency: 1,
		Progress: func(done, _ int) {
			if done == 1 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: error %v, want context.Canceled", err)
	}
	if res == nil || len(res.Scenarios) != 6 {
		t.Fatalf("partial result %+v, want all 6 scenarios accounted for", res)
	}
	if c := res.Count(); c[Skipped] != 5 {
		t.Errorf("Count() = %v, want the 5 scenarios after the interruption skipped", c)
	}
}

// A ledger step marked optional may also pass on the version it describes:
// passing is then no changed deviation, failing with the observed holding
// is a known one, while a required step of the same entry still counts.
func TestRunOptionalLedgerStep(t *testing.T) {
	const feature = `Feature: optional steps

  Scenario: passes
    When I send GET "/v1/ok"
    Then the value at "/data/id" is "7"

  Scenario: deviates
    When I send GET "/v1/ok"
    Then the value at "/data/id" is "8"

  Scenario: required passes
    When I send GET "/v1/ok"
    Then the value at "/data/n" is 1
`
	const ledger = `describes: test
deviations:
  - id: sometimes
    summary: the id may or may not be 7
    steps:
      - documented: '^the value at "/data/id" is "[78]"$'
        optional: true
        observed:
          - the value at "/data/n" is 1
      - documented: '^the value at "/data/n" is 1$'
        observed:
          - the value at "/data/r" is a real
`
	ts := machineryServer(t)
	dir := writeFeatures(t, feature, ledger)
	target := Target{APIURL: ts.URL, SQLAddrs: map[string]string{"RW-Split-Router": "127.0.0.1:1"}}
	res, err := Run(t.Context(), target, Options{Paths: []string{dir}, Ledger: "test"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Verdict{"passes": Conforms, "deviates": KnownDeviation, "required passes": ChangedDeviation}
	for _, sc := range res.Scenarios {
		if sc.Verdict != want[sc.Name] {
			t.Errorf("%s: %s, want %s", sc.Name, sc.Verdict, want[sc.Name])
		}
	}
}
