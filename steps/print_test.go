package steps

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A second feature for the output tests: with two files and several
// scenarios running at once, godog's own pretty format printed scenarios
// under the other file's heading.
const secondFeature = `Feature: second

  Background:
    When I send GET "/v1/ok"

  Scenario Outline: row <n>
    Then the response status is <status>

    Examples:
      | n | status |
      | 1 | 200    |
      | 2 | 201    |
      | 3 | 200    |
`

// The pretty output, run four scenarios at a time, reads as the files do:
// each scenario whole, under its own feature, in file order; every step
// names its line in the feature file and its Go step definition; a
// skipped scenario says why; and godog's own count of passed scenarios,
// which disagrees with the verdicts, is not there.
func TestPrettyOutputInOrder(t *testing.T) {
	ts := machineryServer(t)
	dir := writeFeatures(t, machineryFeature, machineryLedger)
	if err := os.WriteFile(filepath.Join(dir, "n.feature"), []byte(secondFeature), 0o644); err != nil {
		t.Fatal(err)
	}
	target := Target{APIURL: ts.URL, SQLAddrs: map[string]string{"RW-Split-Router": "127.0.0.1:1"}}
	var out bytes.Buffer
	res, err := Run(t.Context(), target, Options{Paths: []string{dir}, Ledger: "test", Concurrency: 4, Format: "pretty", Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, bad := range []string{"makeFuncStub", "run.go:", "scenarios (", "passed)"} {
		if strings.Contains(text, bad) {
			t.Errorf("pretty output contains %q:\n%s", bad, text)
		}
	}
	files := map[string]string{"machinery": "m.feature", "second": "n.feature"}
	var feature string
	var places []string
	scenarioLine := regexp.MustCompile(`^  Scenario: (.+?) +# (\S+):(\d+)$`)
	stepLine := regexp.MustCompile(`^    (Given|When|Then|And|But) (.+?) +# (\S+):(\d+) defs_\w+\.go:\d+ -> steps\.\w+\.func\d+$`)
	for _, line := range strings.Split(text, "\n") {
		if name, ok := strings.CutPrefix(line, "Feature: "); ok {
			feature = name
			continue
		}
		if m := scenarioLine.FindStringSubmatch(line); m != nil {
			if m[2] != files[feature] {
				t.Errorf("scenario %q (%s) printed under feature %q", m[1], m[2], feature)
			}
			places = append(places, m[2]+":"+m[3])
			continue
		}
		if m := stepLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[4])
			src, err := os.ReadFile(filepath.Join(dir, m[3]))
			if err != nil {
				t.Fatal(err)
			}
			// An outline's step has <placeholders> in the file.
			fileLine := strings.Split(string(src), "\n")[n-1]
			want := m[1] + " " + regexp.MustCompile(`<[^>]+>.*`).ReplaceAllString(m[2], "")
			if prefix, _, _ := strings.Cut(strings.TrimSpace(fileLine), "<"); !strings.HasPrefix(want, prefix) {
				t.Errorf("step %q names %s:%d, which reads %q", m[2], m[3], n, fileLine)
			}
			continue
		}
		if strings.HasPrefix(line, "    ") && strings.Contains(line, " # ") {
			t.Errorf("step line without its feature line and definition: %q", line)
		}
	}
	want := []string{"m.feature:3", "m.feature:10", "m.feature:14", "m.feature:18", "m.feature:22", "m.feature:27", "n.feature:11", "n.feature:12", "n.feature:13"}
	if strings.Join(places, " ") != strings.Join(want, " ") {
		t.Errorf("scenarios printed at %v, want file order %v", places, want)
	}
	if !strings.Contains(text, "    skipped: the target has no read-only account\n") {
		t.Errorf("the skipped scenario does not say why:\n%s", text)
	}
	if !strings.Contains(text, "deviation ok-not-no-content: the ledger's observed behaviour held") || !strings.Contains(text, "    => known deviation (ok-not-no-content)") {
		t.Errorf("the deviating scenario does not show its deviation and verdict:\n%s", text)
	}
	if n := strings.Count(text, "    => "); n != len(res.Scenarios)-res.Count()[Skipped] {
		t.Errorf("%d verdict lines for %d scenarios run", n, len(res.Scenarios)-res.Count()[Skipped])
	}
	for _, s := range res.Scenarios {
		if s.Verdict == Skipped && s.SkipReason != "the target has no read-only account" {
			t.Errorf("%s: SkipReason %q", s.Name, s.SkipReason)
		}
	}
}

// The progress format is one character per step, 70 to a line with the
// count at its end, and nothing of godog's summary.
func TestProgressOutput(t *testing.T) {
	ts := machineryServer(t)
	dir := writeFeatures(t, machineryFeature, machineryLedger)
	target := Target{APIURL: ts.URL, SQLAddrs: map[string]string{"RW-Split-Router": "127.0.0.1:1"}}
	var out bytes.Buffer
	if _, err := Run(t.Context(), target, Options{Paths: []string{dir}, Ledger: "test", Concurrency: 4, Format: "progress", Output: &out}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); !regexp.MustCompile(`^[.F-]{15} +15$`).MatchString(got) {
		t.Errorf("progress output %q, want 15 step marks and the count", got)
	}
}
