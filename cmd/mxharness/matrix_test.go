package main

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/mxharness/mxharness/internal/golden"
	"github.com/mxharness/mxharness/steps"
)

func scenario(uri string, line int, name string, v steps.Verdict, devs ...string) steps.ScenarioResult {
	return steps.ScenarioResult{Feature: "Sessions", Name: name, URI: uri, Line: line, Verdict: v, Deviations: devs}
}

// changed gives s the step that met the changed deviation id, as a run
// records it: on the step, not among the deviations the scenario showed.
func changed(s steps.ScenarioResult, id string) steps.ScenarioResult {
	s.Steps = append(s.Steps, steps.StepResult{Text: "the response status is 204", Status: "passed", Deviation: id})
	return s
}

// Three releases: one as the ledger records, one that fixed a deviation
// (changed) and fails a scenario, and one that did not start.
func TestMatrixGolden(t *testing.T) {
	runs := []matrixRun{
		{name: "mariadb/maxscale:24.02", ledger: "maxscale-24.02", result: &steps.Result{Scenarios: []steps.ScenarioResult{
			scenario("features/session-kill.feature", 12, "Kill a session", steps.KnownDeviation, "write-status-200"),
			scenario("features/session-get.feature", 30, "Unknown id | pipe", steps.KnownDeviation, "unknown-id-empty-404", "unknown-id-empty-404"),
			scenario("features/session-get.feature", 8, "Get one session", steps.Conforms),
			scenario("features/security.feature", 4, "Read-only override", steps.Skipped),
		}}},
		{name: "mariadb/maxscale:24.08", ledger: "maxscale-24.02", result: &steps.Result{Scenarios: []steps.ScenarioResult{
			scenario("features/session-get.feature", 8, "Get one session", steps.Fails),
			changed(scenario("features/session-kill.feature", 12, "Kill a session", steps.ChangedDeviation), "write-status-200"),
			scenario("features/session-get.feature", 30, "Unknown id | pipe", steps.KnownDeviation, "unknown-id-empty-404"),
		}}},
		{name: "local/maxscale:broken", ledger: "maxscale-24.02", err: errors.New("run maxscale local/maxscale:broken: wait until ready\nsecond line")},
	}
	var b bytes.Buffer
	writeMatrix(&b, runs)
	golden.Check(t, "matrix.md", b.Bytes())
}

// Targets judged with different ledgers (a server of the documented
// behaviour with none, a 24.02 build with its ledger): each column names
// its ledger, and the deviations that appear from one to the next are
// listed. The rows of an outline (one line, two names) stay apart; a target
// without them (mx2402) is "absent" there.
func TestMatrixGoldenLedgerPerTarget(t *testing.T) {
	runs := []matrixRun{
		{name: "documented", result: &steps.Result{Scenarios: []steps.ScenarioResult{
			scenario("features/session-kill.feature", 12, "Kill a session", steps.Conforms),
			scenario("features/session-get.feature", 30, "Unknown id", steps.Conforms),
			scenario("features/session-get.feature", 40, "Bad id: x", steps.Conforms),
			scenario("features/session-get.feature", 40, "Bad id: y", steps.Conforms),
		}}},
		{name: "mx2402", ledger: "maxscale-24.02", result: &steps.Result{Scenarios: []steps.ScenarioResult{
			scenario("features/session-kill.feature", 12, "Kill a session", steps.KnownDeviation, "write-status-200"),
			scenario("features/session-get.feature", 30, "Unknown id", steps.KnownDeviation, "unknown-id-empty-404"),
		}}},
		{name: "mx2508", ledger: "maxscale-24.02", result: &steps.Result{Scenarios: []steps.ScenarioResult{
			scenario("features/session-kill.feature", 12, "Kill a session", steps.KnownDeviation, "write-status-200"),
			changed(scenario("features/session-get.feature", 30, "Unknown id", steps.ChangedDeviation), "unknown-id-empty-404"),
			scenario("features/session-get.feature", 40, "Bad id: x", steps.Conforms),
			scenario("features/session-get.feature", 40, "Bad id: y", steps.Fails),
		}}},
	}
	var b bytes.Buffer
	writeMatrix(&b, runs)
	golden.Check(t, "matrix-ledgers.md", b.Bytes())
}

func TestSlug(t *testing.T) {
	for img, want := range map[string]string{
		"mariadb/maxscale:24.02":      "mariadb-maxscale-24.02",
		"mxharness/simulator:dev":     "mxharness-simulator-dev",
		"registry:5000/a/b@sha256:0a": "registry-5000-a-b-sha256-0a",
		"local/some_image.name:v1-2":  "local-some_image.name-v1-2",
	} {
		if got := slug(img); got != want {
			t.Errorf("slug(%q) = %q, want %q", img, got, want)
		}
	}
}

func TestMatrixOutputs(t *testing.T) {
	tests := []struct {
		name        string
		outs        outputs
		wantFormat  string
		wantReports []output
	}{
		{name: "default pretty to stdout: progress only", outs: outputs{{format: "pretty"}}, wantFormat: "progress"},
		{name: "files per image", outs: outputs{{format: "cucumber", path: "out/c.json"}, {format: "junit", path: "j.xml"}, {format: "html", path: "report"}},
			wantFormat:  "progress",
			wantReports: []output{{format: "cucumber", path: "out/c.mariadb-maxscale-24.02.json"}, {format: "junit", path: "j.mariadb-maxscale-24.02.xml"}, {format: "html", path: "report.mariadb-maxscale-24.02"}}},
		{name: "stdout reports dropped", outs: outputs{{format: "junit"}}, wantFormat: "progress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, reports := matrixOutputs(tt.outs, "mariadb/maxscale:24.02")
			if f != tt.wantFormat || !slices.Equal(reports, tt.wantReports) {
				t.Errorf("got %q %v, want %q %v", f, reports, tt.wantFormat, tt.wantReports)
			}
		})
	}
}
