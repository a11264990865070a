package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/mxharness/mxharness/internal/golden"
	"github.com/mxharness/mxharness/steps"
)

func TestJUnit(t *testing.T) {
	var buf bytes.Buffer
	if err := writeJUnit(&buf, sampleResult(), sampleCatalog()); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "sample.junit.xml", buf.Bytes())

	var got junit.Testsuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("JUnit output does not parse: %v\n%s", err, buf.String())
	}
	if got.Tests != 6 || got.Failures != 1 || got.Errors != 0 {
		t.Errorf("testsuites tests/failures/errors = %d/%d/%d, want 6/1/0", got.Tests, got.Failures, got.Errors)
	}
	wantSuites := []struct {
		name                     string
		tests, failures, skipped int
	}{
		{"List sessions", 2, 1, 0},
		{"Alter a session", 2, 0, 0},
		{"Get a session", 2, 0, 1},
	}
	if len(got.Suites) != len(wantSuites) {
		t.Fatalf("%d testsuites, want %d (one per feature)", len(got.Suites), len(wantSuites))
	}
	for i, want := range wantSuites {
		s := got.Suites[i]
		if s.Name != want.name || s.Tests != want.tests || s.Failures != want.failures || s.Skipped != want.skipped {
			t.Errorf("suite %d = %q tests %d failures %d skipped %d, want %q %d %d %d",
				i, s.Name, s.Tests, s.Failures, s.Skipped, want.name, want.tests, want.failures, want.skipped)
		}
		if len(s.Testcases) != s.Tests {
			t.Errorf("suite %q has %d testcases, attribute says %d", s.Name, len(s.Testcases), s.Tests)
		}
	}

	cases := map[string]junit.Testcase{}
	for _, s := range got.Suites {
		for _, c := range s.Testcases {
			cases[c.Name] = c
		}
	}
	failing := cases["A filter on a session id"]
	if failing.Failure == nil || failing.Failure.Message != "status = 500, want 200" {
		t.Errorf("failing scenario: failure = %+v, want message %q", failing.Failure, "status = 500, want 200")
	} else if !strings.Contains(failing.Failure.Data, "<script>alert(1)</script>") || !strings.Contains(failing.Failure.Data, "spec: response status 500") {
		t.Errorf("failure data lacks the step error or the spec errors:\n%s", failing.Failure.Data)
	}
	known := cases["PATCH a log parameter"]
	if known.Failure != nil || known.SystemOut == nil || !strings.Contains(known.SystemOut.Data, "known deviation: write-status-200") || !strings.Contains(known.SystemOut.Data, "answer 200 OK with an empty body") {
		t.Errorf("known deviation: failure %v, system-out %v; want a pass naming write-status-200", known.Failure, known.SystemOut)
	}
	if sec := cases["A read-only account cannot write with a method override"]; sec.SystemOut == nil || !strings.Contains(sec.SystemOut.Data, "SECURITY FLAW readonly-override-writes") {
		t.Errorf("security deviation: system-out %v, want it flagged", sec.SystemOut)
	}
	changed := cases["An unknown numeric id"]
	if changed.Failure != nil || changed.SystemOut == nil || !strings.Contains(changed.SystemOut.Data, "CHANGED DEVIATION: unknown-id-empty-404") {
		t.Errorf("changed deviation: failure %v, system-out %v; want a flagged pass", changed.Failure, changed.SystemOut)
	}
	if skipped := cases["rdns on one session"]; skipped.Skipped == nil || skipped.Skipped.Message != "the target has no read-only account" {
		t.Errorf("skipped scenario: skipped = %+v, want the reason", skipped.Skipped)
	}

	props := map[string]string{}
	for _, s := range got.Suites {
		if s.Properties == nil {
			continue
		}
		for _, p := range *s.Properties {
			props[p.Name+"="+p.Value] = s.Name
		}
	}
	for _, want := range []string{
		"ledger=maxscale-24.02",
		"known-deviation=write-status-200: PATCH a log parameter",
		"changed-deviation=unknown-id-empty-404: An unknown numeric id",
	} {
		if _, ok := props[want]; !ok {
			t.Errorf("no testsuite property %s; have %v", want, props)
		}
	}
}

func TestJUnitRepeatedScenarioNames(t *testing.T) {
	outline := steps.ScenarioResult{Feature: "F", URI: "f.feature", Name: "Example", Verdict: steps.Conforms}
	r := &steps.Result{Scenarios: []steps.ScenarioResult{outline, outline, outline}}
	for i := range r.Scenarios {
		r.Scenarios[i].Line = 10 + i
	}
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got junit.Testsuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range got.Suites[0].Testcases {
		if names[c.Name] {
			t.Errorf("testcase name %q repeated", c.Name)
		}
		names[c.Name] = true
	}
}

func TestJUnitEmptyRun(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, &steps.Result{Target: "x"}); err != nil {
		t.Fatal(err)
	}
	var got junit.Testsuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("empty run: %v\n%s", err, buf.String())
	}
	if got.Tests != 0 || len(got.Suites) != 0 {
		t.Errorf("empty run: %d tests in %d suites, want none", got.Tests, len(got.Suites))
	}
}

// A response body is arbitrary bytes; the report must still parse.
func TestJUnitUnprintableBody(t *testing.T) {
	r := &steps.Result{Scenarios: []steps.ScenarioResult{{
		Feature: "F", URI: "f.feature", Name: "binary", Verdict: steps.Fails,
		Steps: []steps.StepResult{{Text: "Then x", Status: "failed", Error: "body: \x00\x1b[31m\xff]]> end"}},
	}}}
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got junit.Testsuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("does not parse: %v\n%q", err, buf.String())
	}
	if data := got.Suites[0].Testcases[0].Failure.Data; !strings.Contains(data, "]]> end") {
		t.Errorf("failure data %q lost the text around the bad bytes", data)
	}
}
