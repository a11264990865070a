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

// Three releases: one as the ledger records, one that fixed a deviation
// (changed) and fails a scenario, and one that did not start.
func TestMatrixGolden(t *testing.T) {
	runs := []matrixRun{
		{image: "mariadb/maxscale:24.02", result: &steps.Result{Scenarios: []steps.ScenarioResult{
			scenario("features/session-kill.feature", 12, "Kill a session", steps.KnownDeviation, "write-status-200"),
			scenario("features/session-get.feature", 30, "Unknown id | pipe", steps.KnownDeviation, "unknown-id-empty-404", "unknown-id-empty-404"),
			scenario("features/session-get.feature", 8, "Get one session", steps.Conforms),
			scenario("features/security.feature", 4, "Read-only override", steps.Skipped),
		}}},
		{image: "mariadb/maxscale:24.08", result: &steps.Result{Scenarios: []steps.ScenarioResult{
			scenario("features/session-get.feature", 8, "Get one session", steps.Fails),
			scenario("features/session-kill.feature", 12, "Kill a session", steps.ChangedDeviation, "write-status-200"),
			scenario("features/session-get.feature", 30, "Unknown id | pipe", steps.KnownDeviation, "unknown-id-empty-404"),
		}}},
		{image: "local/maxscale:broken", err: errors.New("run maxscale local/maxscale:broken: wait until ready\nsecond line")},
	}
	var b bytes.Buffer
	writeMatrix(&b, "maxscale-24.02", runs)
	golden.Check(t, "matrix.md", b.Bytes())
}

func TestImageSlug(t *testing.T) {
	for img, want := range map[string]string{
		"mariadb/maxscale:24.02":      "mariadb-maxscale-24.02",
		"mxharness/simulator:dev":     "mxharness-simulator-dev",
		"registry:5000/a/b@sha256:0a": "registry-5000-a-b-sha256-0a",
		"local/some_image.name:v1-2":  "local-some_image.name-v1-2",
	} {
		if got := imageSlug(img); got != want {
			t.Errorf("imageSlug(%q) = %q, want %q", img, got, want)
		}
	}
}

func TestImageOutputs(t *testing.T) {
	tests := []struct {
		name        string
		outs        outputs
		wantFormat  string
		wantReports []output
	}{
		{name: "default pretty to stdout: progress only", outs: outputs{{format: "pretty"}}, wantFormat: "progress"},
		{name: "files per image", outs: outputs{{format: "cucumber", path: "out/c.json"}, {format: "junit", path: "j.xml"}, {format: "html", path: "report"}},
			wantFormat:  "progress,cucumber:out/c.mariadb-maxscale-24.02.json",
			wantReports: []output{{format: "junit", path: "j.mariadb-maxscale-24.02.xml"}, {format: "html", path: "report.mariadb-maxscale-24.02"}}},
		{name: "stdout reports dropped", outs: outputs{{format: "junit"}}, wantFormat: "progress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, reports := imageOutputs(tt.outs, "mariadb/maxscale:24.02")
			if f != tt.wantFormat || !slices.Equal(reports, tt.wantReports) {
				t.Errorf("got %q %v, want %q %v", f, reports, tt.wantFormat, tt.wantReports)
			}
		})
	}
}
