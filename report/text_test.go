package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/internal/golden"
	"github.com/mxharness/mxharness/steps"
)

func TestSummary(t *testing.T) {
	var buf bytes.Buffer
	if err := writeSummary(&buf, sampleResult(), sampleCatalog()); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "sample.summary.txt", buf.Bytes())
	got := buf.String()
	for _, want := range []string{
		"6 scenarios against maxscale-24.02 (embedded simulator) in 3.412s, ledger maxscale-24.02",
		"  known deviation        2\n",
		"  readonly-override-writes  SECURITY  1 scenario",
		"  ! unknown-id-empty-404  features/get.feature:20  An unknown numeric id",
		"  FAIL features/list.feature:31  A filter on a session id\n      status = 500, want 200\n",
		"Skipped scenarios:\n  the target has no read-only account: 1 scenario\n    - features/get.feature:44  rdns on one session\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
}

func TestSummaryAllConform(t *testing.T) {
	r := &steps.Result{Target: "t", Scenarios: []steps.ScenarioResult{{Name: "a", Verdict: steps.Conforms}}}
	var buf bytes.Buffer
	if err := Summary(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, unwanted := range []string{"Known deviations", "CHANGED", "Failing"} {
		if strings.Contains(buf.String(), unwanted) {
			t.Errorf("summary of a conforming run mentions %q:\n%s", unwanted, buf.String())
		}
	}
}

func TestSummaryListsAtMostMaxListedFailures(t *testing.T) {
	r := &steps.Result{Target: "t"}
	for range maxListed + 5 {
		r.Scenarios = append(r.Scenarios, steps.ScenarioResult{Name: "broken", URI: "f.feature", Verdict: steps.Fails})
	}
	var buf bytes.Buffer
	if err := Summary(&buf, r); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "FAIL f.feature"); n != maxListed {
		t.Errorf("summary lists %d failing scenarios, want %d", n, maxListed)
	}
	if !strings.Contains(buf.String(), "... and 5 more") {
		t.Errorf("summary does not say how many it left out:\n%s", buf.String())
	}
}
